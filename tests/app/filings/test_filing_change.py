"""A change (变更) that moves the premises to another city (Liaoning art. 16: the filing is with the bureau of
the premises' city): the new city's bureau reviews it, and on approval holds the filing under the same
number. A returned request whose correction moves the premises cannot go back to the old bureau."""

from __future__ import annotations

from app.extensions import db
from app.models import FilingRequest, Firm
from tests.app.filing_support import decide, form_data, queue_ids, save, start, submit_new, upload_fields
from tests.support import everything_in, login, page_text


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _filed_in_shenyang(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102")
    firm_client = _client(app, factory.user("firm", firm=firm))
    shenyang = _client(app, factory.user("city_clerk", authority_code="210100"))
    request_id = submit_new(firm_client, pack, city_code="210100")
    assert decide(shenyang, request_id, "approve").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert (firm.filing_authority_code, firm.city_code) == ("210100", "210100")
    return firm_client, shenyang, firm


def test_a_change_moving_the_premises_is_reviewed_by_the_new_city_and_moves_the_filing(app, factory):
    pack = app.extensions["jifang.pack"]
    firm_client, shenyang, firm = _filed_in_shenyang(app, factory)
    number, filed_on = firm.filing_number, firm.filed_on
    dalian = _client(app, factory.user("city_clerk", authority_code="210200"))

    change_id = start(firm_client, "change")
    data = form_data(pack, city_code="210200", premises_address="大连市中山区测试街8号", reason="经营场所迁至大连")
    edit = save(firm_client, change_id, data)
    assert edit.status_code == 302
    assert "大连市公安局" in page_text(firm_client.get(f"/filings/{change_id}/edit"))
    assert save(firm_client, change_id, data, send=True).status_code == 302

    db.session.expire_all()
    request = db.session.get(FilingRequest, change_id)
    assert (request.state, request.stages, request.authority_code) == ("under_review", ["210200"], "210200")
    assert queue_ids(shenyang) == [] and shenyang.get(f"/review/{change_id}").status_code == 404
    assert decide(shenyang, change_id, "approve").status_code in (400, 404)
    assert queue_ids(dalian) == [change_id]
    assert decide(dalian, change_id, "approve", "同意迁址").status_code == 302

    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert (firm.filing_status, firm.filing_number, firm.filed_on) == ("in_force", number, filed_on)
    assert (firm.filing_authority_code, firm.city_code) == ("210200", "210200")
    assert db.session.get(FilingRequest, change_id).filing_number == number
    assert "大连市公安局" in page_text(firm_client.get("/filings/"))
    entry = page_text(firm_client.get(f"/roster/{firm.credit_code}"))
    assert number in entry and "大连市公安局" in entry

    # The old bureau learns the firm left its area; the new one is not told it moved away.
    assert db.session.get(FilingRequest, change_id).previous_authority_code == "210100"
    home = page_text(shenyang.get("/"))
    assert "迁出本辖区的备案单位" in home
    assert f"{firm.name}（{number}）经营场所迁至大连市，备案改由大连市公安局管理" in home
    assert "迁出本辖区的备案单位" not in everything_in(dalian.get("/"))
    assert firm_client.get("/filings/certificate.pdf").status_code == 200

    # Dalian's own numbering is untouched: its next first filing is its 0001.
    other = factory.firm(division="210202")
    other_client = _client(app, factory.user("firm", firm=other))
    other_id = submit_new(other_client, pack, city_code="210200")
    assert decide(dalian, other_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, other.id).filing_number.endswith("210200-0001号")


def test_a_change_within_the_same_city_keeps_the_bureau_and_tells_nobody_of_a_move(app, factory):
    pack = app.extensions["jifang.pack"]
    firm_client, shenyang, firm = _filed_in_shenyang(app, factory)
    change_id = start(firm_client, "change")
    data = form_data(pack, city_code="210100", name="新名称安防有限公司", reason="更名")
    assert save(firm_client, change_id, data, send=True).status_code == 302
    assert decide(shenyang, change_id, "approve").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert (firm.name, firm.filing_authority_code) == ("新名称安防有限公司", "210100")
    assert db.session.get(FilingRequest, change_id).previous_authority_code is None
    assert "迁出本辖区的备案单位" not in everything_in(shenyang.get("/"))


def test_a_returned_request_moved_to_another_city_cannot_go_back_to_the_old_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    firm_client, shenyang, firm = _filed_in_shenyang(app, factory)
    change_id = start(firm_client, "change")
    assert save(firm_client, change_id, form_data(pack, city_code="210100", reason="增加联系人"), send=True
                ).status_code == 302
    assert decide(shenyang, change_id, "return", "请说明变更事项").status_code == 302

    moved = form_data(pack, city_code="210200", reason="经营场所迁至大连", answer="已说明")
    moved.update(upload_fields(pack))
    response = save(firm_client, change_id, moved, send=True)
    assert response.status_code == 200
    assert "本申请不能再向原受理机关提交：请撤回后重新申请" in page_text(response)
    db.session.expire_all()
    request = db.session.get(FilingRequest, change_id)
    assert (request.state, request.stages) == ("returned", ["210100"])
    assert db.session.get(Firm, firm.id).filing_authority_code == "210100"

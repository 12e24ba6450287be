"""Filing (备案) end to end through the web pages: routing by jurisdiction pack, review, numbers, outcomes.

Liaoning arts. 16–18, Inner Mongolia art. 15, Qinhuangdao arts. 16–17; Shanxi has no filing duty.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FilingRequest, Firm
from tests.app.filing_support import (
    decide,
    form_data,
    queue_ids,
    save,
    start,
    submit_new,
    upload_fields,
)
from tests.support import form_fields, login, page_text, parse, post_form

# A filing number carries the year of the approval's Beijing date: the clock is pinned so it is known.
pytestmark = pytest.mark.today("2026-11-30")
YEAR = 2026


def _firm_client(app, factory, *, division, city_code=None):
    firm = factory.firm(division=division, city_code=city_code)
    user = factory.user("firm", firm=firm)
    client = app.test_client()
    login(client, user)
    return client, user, firm


def _clerk(app, factory, role, authority_code):
    user = factory.user(role, authority_code=authority_code)
    client = app.test_client()
    login(client, user)
    return client, user


def test_liaoning_local_firm_goes_to_its_premises_city_bureau_and_is_filed(app, factory):
    pack = app.extensions["jifang.pack"]
    # Registered in Shenyang (210102), premises in Dalian: Dalian's bureau receives it (art. 16).
    client, _user, firm = _firm_client(app, factory, division="210102")
    request_id = submit_new(client, pack, city_code="210200")
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.route, request.stages, request.authority_code) == (
        "under_review", "local", ["210200"], "210200",
    )

    shenyang, _ = _clerk(app, factory, "city_clerk", "210100")
    assert queue_ids(shenyang) == []
    assert shenyang.get(f"/review/{request_id}").status_code == 404
    assert decide(shenyang, request_id, "approve").status_code in (404, 400)

    dalian, _ = _clerk(app, factory, "city_clerk", "210200")
    assert queue_ids(dalian) == [request_id]
    response = decide(dalian, request_id, "approve", "材料齐全")
    assert response.status_code == 302

    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    number = f"辽公技备〔{YEAR}〕210200-0001号"
    assert (firm.filing_status, firm.filing_number, firm.filing_authority_code) == ("in_force", number, "210200")
    assert firm.name == "测试安防工程有限公司" and firm.city_code == "210200"
    assert firm.business_type_codes == sorted(b.code for b in pack.filing.business_types[:2])
    assert number in page_text(client.get("/filings/"))
    assert number in page_text(client.get("/"))

    pdf = client.get("/filings/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]

    assert number in page_text(parse(client.get(f"/roster?credit_code={firm.credit_code}")).select_one("table.roster"))

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "filing.submit" in actions and "filing.approve" in actions
    approve = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "filing.approve")).one()
    assert approve.detail["comment"] == "材料齐全" and approve.actor_label.startswith("city_clerk")


def test_liaoning_out_of_province_firm_goes_to_the_provincial_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="110105")
    assert firm.is_local is False
    request_id = submit_new(client, pack, city_code="210200", is_local=False)
    request = db.session.get(FilingRequest, request_id)
    assert (request.route, request.stages) == ("out_of_province", ["210000"])

    dalian, _ = _clerk(app, factory, "city_clerk", "210200")
    assert dalian.get(f"/review/{request_id}").status_code == 404
    province, _ = _clerk(app, factory, "provincial_clerk", "210000")
    assert decide(province, request_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).filing_number == f"辽公技备〔{YEAR}〕210000-0001号"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_inner_mongolia_every_firm_files_with_the_region_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="150102", city_code="150200")
    request_id = submit_new(client, pack, city_code="150200")
    assert db.session.get(FilingRequest, request_id).stages == ["150000"]
    region, _ = _clerk(app, factory, "provincial_clerk", "150000")
    assert decide(region, request_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).filing_number == f"内公技备〔{YEAR}〕00001号"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_local_firm_needs_city_verification_then_provincial_filing(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="130302", city_code="130302")
    request_id = submit_new(client, pack, city_code="130302")
    assert db.session.get(FilingRequest, request_id).stages == ["130300", "130000"]

    province, _ = _clerk(app, factory, "provincial_clerk", "130000")
    assert province.get(f"/review/{request_id}").status_code == 404  # not yet at the provincial stage
    city, _ = _clerk(app, factory, "city_clerk", "130300")
    assert decide(city, request_id, "approve", "核查合格").status_code == 302

    db.session.expire_all()
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.stage, request.authority_code) == ("under_review", 1, "130000")
    assert db.session.get(Firm, firm.id).filing_status == "none"  # one approval is not enough
    assert queue_ids(province) == [request_id]
    assert decide(city, request_id, "approve").status_code == 409  # the city's stage is over

    assert decide(province, request_id, "approve").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.filing_number == f"冀公技备〔{YEAR}〕130000-0001号"
    assert firm.filing_authority_code == "130000"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_out_of_province_firm_cannot_submit_without_its_home_certificate(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, _firm = _firm_client(app, factory, division="110105", city_code="130302")
    request_id = start(client)
    data = form_data(pack, city_code="130302")
    uploads = upload_fields(pack, is_local=False)
    certificate = uploads.pop("doc_home_certificate")
    data.update(uploads)
    response = save(client, request_id, data, send=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "尚不能提交，请先填写或上传：所在地省级公安机关出具的证明" in text
    assert "所在地省级公安机关出具的证明：请上传此项材料" in text
    assert db.session.get(FilingRequest, request_id).state == "draft"

    response = save(client, request_id, {**form_data(pack, city_code="130302"), "doc_home_certificate": certificate},
                    send=True)
    assert response.status_code == 302
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.stages) == ("under_review", ["130000"])


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "shanxi"}])
def test_shanxi_filing_pages_say_there_is_no_filing_duty(app, factory, login_as):
    pack = app.extensions["jifang.pack"]
    client, user = login_as("firm")
    for response in (client.get("/filings/"), post_form(client, "/filings/start", {"kind": "initial"},
                                                          token_from="/filings/")):
        page = parse(response)
        assert response.status_code == 200
        assert pack.filing.notice in page_text(page) and not page.select('form[method="post"][enctype]')
    assert db.session.scalar(select(FilingRequest.id)) is None
    clerk, _ = login_as("city_clerk")
    assert pack.filing.notice in page_text(clerk.get("/review/"))


def test_a_returned_filing_is_corrected_resubmitted_and_filed(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="210102")
    request_id = submit_new(client, pack, city_code="210100", equipment="无")
    clerk, _ = _clerk(app, factory, "city_clerk", "210100")

    assert decide(clerk, request_id, "return").status_code == 422  # reasons are required
    assert decide(clerk, request_id, "return", "技术设备情况过于简略，请补充设备清单").status_code == 302
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "returned"
    home = page_text(client.get("/"))
    assert "技术设备情况过于简略，请补充设备清单" in home and "退回补正" in home
    assert "技术设备情况过于简略" in page_text(client.get("/filings/"))
    assert request_id not in queue_ids(clerk)

    data = form_data(pack, city_code="210100", equipment="视频监控测试台2套、报警主机1台", answer="已补充设备清单")
    response = save(client, request_id, data, send=True)
    assert response.status_code == 302
    db.session.expire_all()
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.stage, request.authority_code) == ("under_review", 0, "210100")
    assert [m.body for m in request.messages if m.from_firm] == ["已补充设备清单"]
    assert "已补充设备清单" in page_text(clerk.get(f"/review/{request_id}"))

    assert decide(clerk, request_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).filing_status == "in_force"
    assert db.session.get(FilingRequest, request_id).equipment == "视频监控测试台2套、报警主机1台"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_a_rejected_filing_tells_the_firm_why(app, factory):
    """Qinhuangdao art. 16 allows a refusal (the other packs only return:
    tests/app/filings/test_filing_law.py)."""
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="130302", city_code="130302")
    request_id = submit_new(client, pack, city_code="130302")
    clerk, _ = _clerk(app, factory, "city_clerk", "130300")
    response = decide(clerk, request_id, "reject")
    assert "审核意见：退回补正或不予通过须写明理由" in page_text(response)
    assert decide(clerk, request_id, "reject", "经营场所不存在").status_code == 302
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "rejected"
    assert db.session.get(Firm, firm.id).filing_status == "none"
    assert "经营场所不存在" in page_text(client.get(f"/filings/{request_id}"))


def _filed(app, factory, *, division="210102", city="210100"):
    pack = app.extensions["jifang.pack"]
    client, user, firm = _firm_client(app, factory, division=division)
    request_id = submit_new(client, pack, city_code=city)
    clerk, _ = _clerk(app, factory, "city_clerk", city)
    assert decide(clerk, request_id, "approve").status_code == 302
    db.session.expire_all()
    return client, clerk, db.session.get(Firm, firm.id)


def test_a_change_passes_review_and_shows_on_the_roster(app, factory):
    pack = app.extensions["jifang.pack"]
    client, clerk, firm = _filed(app, factory)
    number = firm.filing_number
    request_id = start(client, "change")
    edit = form_fields(client.get(f"/filings/{request_id}/edit"))  # starts from what is on file
    assert edit["name"] == "测试安防工程有限公司" and "技术员0" in edit.values()

    types = [b.code for b in pack.filing.business_types]
    data = form_data(pack, city_code="210100", name="更名后安防科技有限公司", business_types=types,
                     reason="单位更名，增加业务类型")
    data.update(upload_fields(pack))
    assert save(client, request_id, data, send=True).status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).name == "测试安防工程有限公司"  # nothing changes before approval

    assert decide(clerk, request_id, "approve", "同意变更").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.name == "更名后安防科技有限公司" and firm.filing_number == number
    assert firm.business_type_codes == sorted(types) and firm.filing_status == "in_force"
    assert db.session.get(FilingRequest, request_id).state == "changed"
    roster = parse(client.get(f"/roster?credit_code={firm.credit_code}")).select_one("table.roster")
    assert "更名后安防科技有限公司" in page_text(roster)


def test_a_cancellation_passes_review_and_shows_on_the_roster(app, factory):
    client, clerk, firm = _filed(app, factory)
    request_id = start(client, "cancellation")
    response = post_form(client, f"/filings/{request_id}/edit", {"reason": "", "send": "1"})
    assert "注销原因：请填写此项" in page_text(response)
    response = post_form(client, f"/filings/{request_id}/edit", {"reason": "停止经营技防业务", "send": "1"})
    assert response.status_code == 302
    assert decide(clerk, request_id, "approve").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.filing_status == "cancelled" and firm.filing_number
    assert client.get("/filings/certificate.pdf").status_code == 404
    entry = page_text(client.get(f"/roster/{firm.credit_code}"))
    assert firm.filing_number in entry and "注销" in entry


def test_a_firm_cannot_start_what_its_status_does_not_allow(app, factory, login_as):
    client, _user = login_as("firm")
    response = post_form(client, "/filings/start", {"kind": "change"}, token_from="/filings/")
    assert response.status_code == 302
    assert "本单位没有有效的备案，不能申请变更或注销" in page_text(client.get("/filings/"))
    start(client)
    post_form(client, "/filings/start", {"kind": "initial"}, token_from="/filings/")
    assert "本单位已有一份未办结的申请" in page_text(client.get("/filings/"))
    assert db.session.scalar(select(func_count())) == 1


def func_count():
    from sqlalchemy import func

    return func.count(FilingRequest.id)


def test_draft_is_saved_and_resumed_and_withdrawn(app, factory, login_as):
    pack = app.extensions["jifang.pack"]
    client, _user = login_as("firm")
    request_id = start(client)
    response = save(client, request_id, {"name": "半成品安防有限公司", "legal_rep": "赵六", "staff-0-name": ""})
    assert response.status_code == 302
    fields = form_fields(client.get(f"/filings/{request_id}/edit"))
    assert fields["name"] == "半成品安防有限公司" and fields["legal_rep"] == "赵六"

    response = save(client, request_id, {"name": "半成品安防有限公司", "add_staff": "1"})
    assert response.status_code == 302 and "add=1" in response.headers["Location"]
    assert "staff-1-name" in form_fields(client.get(response.headers["Location"]))

    response = save(client, request_id, {"name": "半成品安防有限公司"}, send=True)
    text = page_text(response)
    assert "尚不能提交，请先填写或上传：" in text and "法定代表人：提交前须填写此项" in text
    assert "营业执照：请上传此项材料" in text
    assert db.session.get(FilingRequest, request_id).state == "draft"

    response = post_form(client, f"/filings/{request_id}/withdraw", {}, token_from=f"/filings/{request_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "withdrawn"
    assert pack.name

"""Complaints (issue 12): anyone complains without an account, follows the status by reference and phone,
and the bureau verifies in the declared workflow; another bureau's complaint answers 404."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from sqlalchemy import select

from app.models import AuditEntry, Complaint, WarningNotice
from tests.app.complaint_support import FAST, act, pdf, submit, summarise, track, verify
from tests.conftest import beijing
from tests.support import everything_in, form_fields, page_text, parse, post_form

pytestmark = pytest.mark.today("2026-11-30")


@pytest.fixture
def app_config():
    return dict(FAST)


def _complaint(db, reference) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(select(Complaint).where(Complaint.reference == reference))


def test_a_citizen_complains_and_follows_each_status_without_seeing_internal_notes(app, client, db, factory, login_as):
    firm = factory.firm("沈阳某安防工程有限公司", filing_number="辽公技备〔2026〕210100-0001号", filing_status="in_force",
                        filing_authority_code="210100")
    page = parse(client.get("/complaints/new?q=某安防"))
    choice = page.select_one(f'input[type="radio"][name="firm_id"][value="{firm.id}"]')  # chosen from the register
    assert choice is not None and firm.name in page_text(choice.parent)
    reference = submit(client, factory.pack, firm=firm, files=[pdf("现场照片.pdf")])
    complaint = _complaint(db, reference)
    assert complaint.firm_id == firm.id and complaint.authority_code == "210100" and complaint.state == "received"
    assert [a.original_name for a in complaint.attachments] == ["现场照片.pdf"]

    assert track(client, reference, "13900000000").status_code == 404  # the phone must match
    assert "已收到，等待分派" in page_text(track(client, reference, "138-0013-8000"))

    clerk_client, clerk = login_as("city_clerk", authority_code="210100")
    act(clerk_client, complaint.id, "assign", "内部备注：请尽快现场核查")
    assert "已分派工作人员" in page_text(track(client, reference, "13800138000"))
    summarise(clerk_client, complaint.id)
    act(clerk_client, complaint.id, "start_verification")
    page = track(client, reference, "13800138000")
    assert "正在核查" in page_text(page)
    assert "内部备注" not in everything_in(page) and clerk.username not in everything_in(page)
    act(clerk_client, complaint.id, "verify", "经现场核查属实", service_user="y")
    page = parse(track(client, reference, "13800138000"))
    assert "经现场核查属实" not in everything_in(page)
    steps = [page_text(li).split(" · ", 1)[1] for li in page.select("#complaint-steps > li")]
    assert steps == ["已收到，等待分派", "已分派工作人员", "正在核查", "查证属实"]
    found = _complaint(db, reference)
    assert found.outcome == "substantiated" and found.closed_on == dt.date(2026, 11, 30)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"complaint.submitted", "complaint.assign", "complaint.summary_written", "complaint.start_verification",
            "complaint.verify", "warning.drafted"} <= actions
    # no personal data in the audit trail
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEntry)))
    assert "赵投诉" not in details and "13800138000" not in details


def test_attachments_are_checked_by_content(client, db, factory, app):
    refused = submit(client, factory.pack, files=[pdf("证据.pdf", b"<html><script>alert(1)</script></html>")],
                     expect=422)
    assert refused is None and db.session.scalar(select(Complaint.id)) is None
    many = [pdf(f"{i}.pdf") for i in range(4)]
    assert submit(client, factory.pack, files=many, expect=422, phone="13800138001") is None
    folder = app.config["UPLOAD_FOLDER"]
    for root, _dirs, files in os.walk(folder):
        assert not files, (root, files)  # nothing left behind


def test_a_form_posted_at_once_or_with_the_hidden_field_filled_is_refused(app, client, db, factory):
    """The cheap proof a person is there: a signed time token (fill time ≥ 3 s, ≤ 2 h) and a honeypot."""
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 3
    from tests.app.complaint_support import complaint_data
    from tests.support import csrf_token

    start = beijing("2026-11-30", "10:00")
    with time_machine.travel(start, tick=False):
        token = form_fields(client.get("/complaints/new"))["form_token"]
        csrf = csrf_token(client, "/complaints/new")
        data = {**complaint_data(factory.pack), "csrf_token": csrf, "form_token": token}
        assert client.post("/complaints/new", data=data).status_code == 422  # at once: a script
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        bot = client.post("/complaints/new", data={**data, "website": "http://spam.example"})
        assert bot.status_code == 422
        forged = client.post("/complaints/new", data={**data, "form_token": "MTc2NDQ2ODAwMA.forged"})
        assert forged.status_code == 422
        assert db.session.scalar(select(Complaint.id)) is None
        person = client.post("/complaints/new", data=data)
        assert person.status_code == 201
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        assert client.post("/complaints/new", data={**data, "phone": "13700000000"}).status_code == 422  # stale


def test_complaints_are_limited_per_phone_and_per_address(app, client, db, factory):
    for _ in range(3):
        submit(client, factory.pack, phone="13800138000")
    assert submit(client, factory.pack, phone="13800138000", expect=429) is None
    submit(client, factory.pack, phone="13800138009")  # another phone from the same address still can
    assert db.session.query(Complaint).count() == 4


@pytest.mark.parametrize("app_config", [{"COMPLAINT_RATE_LIMIT": "2 per hour", **FAST}])
def test_complaints_are_limited_per_address(client, db, factory, app_config):
    submit(client, factory.pack, phone="13800138001")
    submit(client, factory.pack, phone="13800138002")
    assert submit(client, factory.pack, phone="13800138003", expect=429) is None
    assert db.session.query(Complaint).count() == 2


def test_a_firm_not_in_the_register_goes_to_the_bureau_of_the_city_where_it_happened(client, db, factory, login_as):
    reference = submit(client, factory.pack, firm_name="大连某不在册公司", city_code="210200")
    complaint = _complaint(db, reference)
    assert complaint.firm_id is None and complaint.authority_code == "210200"
    shenyang, _ = login_as("city_clerk", authority_code="210100")
    dalian, _ = login_as("city_clerk", authority_code="210200")
    assert shenyang.get(f"/complaints/{complaint.id}").status_code == 404
    assert reference not in everything_in(shenyang.get("/complaints/"))
    assert reference in page_text(dalian.get("/complaints/"))
    verify(dalian, complaint.id)
    assert db.session.scalar(select(WarningNotice.id)) is None  # no firm in the register: nothing to list


def test_another_bureaus_complaint_answers_404_to_every_page(client, db, factory, login_as):
    reference = submit(client, factory.pack, files=[pdf()])
    complaint = _complaint(db, reference)
    other, _ = login_as("city_clerk", authority_code="210200")
    attachment = complaint.attachments[0].id
    assert other.get(f"/complaints/{complaint.id}").status_code == 404
    assert other.get(f"/complaints/{complaint.id}/files/{attachment}").status_code == 404
    own, _ = login_as("city_clerk", authority_code="210100")
    token = post_form  # CSRF comes from a page the other clerk can open
    response = token(other, f"/complaints/{complaint.id}/act", {"action": "assign"}, token_from="/complaints/")
    assert response.status_code == 404
    assert _complaint(db, reference).state == "received"
    download = own.get(f"/complaints/{complaint.id}/files/{attachment}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()


def test_transfer_to_another_bureau(client, db, factory, login_as):
    reference = submit(client, factory.pack)
    complaint = _complaint(db, reference)
    shenyang, _ = login_as("city_clerk", authority_code="210100")
    act(shenyang, complaint.id, "transfer", expect=409)  # reasons are required
    act(shenyang, complaint.id, "transfer", "发生地实为大连", authority="210200")
    assert _complaint(db, reference).authority_code == "210200"
    assert shenyang.get(f"/complaints/{complaint.id}").status_code == 404
    dalian, _ = login_as("city_clerk", authority_code="210200")
    assert reference in page_text(dalian.get("/complaints/"))
    assert "已移送其他公安机关" in page_text(track(client, reference, "13800138000"))


def test_an_unfounded_complaint_never_reaches_a_public_page_or_export(client, db, factory, login_as):
    firm = factory.firm("沈阳某无辜安防公司", filing_number="N-1", filing_status="in_force", filing_authority_code="210100")
    reference = submit(client, factory.pack, firm=firm)
    clerk, _ = login_as("city_clerk", authority_code="210100")
    verify(clerk, _complaint(db, reference).id, found=False)
    assert _complaint(db, reference).outcome == "unsubstantiated"
    assert db.session.scalar(select(WarningNotice.id)) is None
    for url in ("/warnings", "/warnings.csv", "/roster", f"/roster/{firm.credit_code}", "/api/v1/openapi.json"):
        response = client.get(url)
        # the pages parsed, text and attributes; the CSV and the JSON as they are
        body = everything_in(response) if response.mimetype == "text/html" else response.get_data(as_text=True)
        assert "已列入警示名单" not in body and "安装的监控摄像机" not in body, url
    assert firm.name not in everything_in(client.get("/warnings"))


def test_the_verification_needs_the_firms_summary_and_reasons(client, db, factory, login_as):
    firm = factory.firm("沈阳某公司", filing_number="N-2", filing_status="in_force", filing_authority_code="210100")
    complaint = _complaint(db, submit(client, factory.pack, firm=firm))
    clerk, _ = login_as("city_clerk", authority_code="210100")
    act(clerk, complaint.id, "assign")
    refused = act(clerk, complaint.id, "start_verification", expect=409)
    assert "投诉摘要" in page_text(refused)
    summarise(clerk, complaint.id)
    act(clerk, complaint.id, "start_verification")
    act(clerk, complaint.id, "verify", expect=409)  # no reasons, no finding
    assert _complaint(db, complaint.reference).state == "verifying"


@pytest.mark.today("2026-12-08")
def test_time_limits_come_from_the_pack_and_show_on_the_clerks_home_page(client, db, factory, login_as):
    """Acceptance: 5 working days (the bureau's policy, `statutory: false` in the pack)."""
    with time_machine.travel(beijing("2026-11-30"), tick=False):
        submit(client, factory.pack)
    with time_machine.travel(beijing("2026-12-02"), tick=False):
        submit(client, factory.pack, phone="13800138002")
    clerk, _ = login_as("city_clerk", authority_code="210100")
    home = page_text(clerk.get("/"))
    assert "待办投诉：2 件" in home and "已超过办理时限：1 件" in home and "临近办理时限：1 件" in home
    queue = page_text(clerk.get("/complaints/"))
    assert "2026年12月7日" in queue  # 11-30 + 5 working days


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "shanxi", **FAST}])
def test_complaints_are_taken_everywhere_but_listed_only_where_the_pack_provides(client, db, factory, login_as,
                                                                                  app_config):
    firm = factory.firm("太原某公司", filing_number="S-1", filing_status="in_force",
                        filing_authority_code=factory.pack.cities[0].authority)
    complaint = _complaint(db, submit(client, factory.pack, firm=firm))
    clerk, _ = login_as("city_clerk", authority_code=factory.pack.cities[0].authority)
    verify(clerk, complaint.id)
    assert _complaint(db, complaint.reference).state == "verified"
    assert db.session.scalar(select(WarningNotice.id)) is None
    assert "没有规定公安机关发布从业单位警示公告" in page_text(clerk.get("/complaints/warnings"))


def test_the_firm_answers_before_verification_ends(client, db, factory, login_as):
    firm = factory.firm("沈阳某答辩公司", filing_number="N-3", filing_status="in_force", filing_authority_code="210100")
    complaint = _complaint(db, submit(client, factory.pack, firm=firm))
    firm_client, _ = login_as("firm", firm=firm)
    assert firm_client.get(f"/complaints/firm/{complaint.id}").status_code == 404  # nothing told yet
    clerk, _ = login_as("city_clerk", authority_code="210100")
    act(clerk, complaint.id, "assign")
    summarise(clerk, complaint.id)
    act(clerk, complaint.id, "start_verification")
    page = page_text(firm_client.get(f"/complaints/firm/{complaint.id}"))
    assert "报修无人处理" in page and "正在核查" in page
    response = post_form(firm_client, f"/complaints/firm/{complaint.id}", {"answer": "我单位已于次日派员维修"})
    assert response.status_code == 302
    assert "我单位已于次日派员维修" in page_text(clerk.get(f"/complaints/{complaint.id}"))
    act(clerk, complaint.id, "find_unfounded", "已维修，不属实")
    late = post_form(firm_client, f"/complaints/firm/{complaint.id}", {"answer": "补充"})
    assert late.status_code == 409
    other_firm, _ = login_as("firm")
    assert other_firm.get(f"/complaints/firm/{complaint.id}").status_code == 404


def test_pages_need_their_roles(client, db, factory):
    assert client.get("/complaints/").status_code == 302  # to the log-in page
    assert client.get("/complaints/firm").status_code == 302
    assert client.get("/complaints/new").status_code == 200
    assert client.get("/complaints/track").status_code == 200

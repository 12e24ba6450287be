"""The warning list (Liaoning art. 28, issue 12): verified → drafted → told → published by a second clerk →
removed after a reviewed application (decided and confirmed by two clerks) or expired by the daily command;
a decided penalty case lists too; nothing unpublished is public, and the firm never learns who complained."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from sqlalchemy import select

from app.models import Complaint, PenaltyCase, WarningNotice
from tests.app.complaint_support import FAST, pdf, submit, verify, warning_act
from tests.conftest import beijing
from tests.support import everything_in, login, page_text, parse, post_form

pytestmark = pytest.mark.today("2026-11-30")
NAME, PHONE, EMAIL = "钱秘密投诉人", "13912348765", "qian.secret@example.cn"
WORDS = "我家门口的摄像头装歪了对着邻居"


@pytest.fixture
def app_config():
    return dict(FAST)


def _filed_firm(factory, name="沈阳某被警示安防公司"):
    return factory.firm(name, filing_number=f"辽公技备〔2026〕210100-{factory._n:04d}号", filing_status="in_force",
                        filed_on=dt.date(2026, 1, 5), filing_authority_code="210100")


def _listed(client, db, factory, login_as, firm):
    """A verified complaint by a user of the firm's service, and the draft it opens."""
    reference = submit(client, factory.pack, firm=firm, name=NAME, phone=PHONE, email=EMAIL, subject=WORDS,
                       files=[pdf(f"{NAME}的照片.pdf")])
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    drafter, drafter_user = login_as("city_clerk", authority_code="210100")
    verify(drafter, complaint.id)
    notice = db.session.scalar(select(WarningNotice).where(WarningNotice.complaint_id == complaint.id))
    assert notice is not None and notice.state == "draft" and notice.drafted_by_id == drafter_user.id
    return complaint, notice, drafter


def _published(client, db, factory, login_as, firm):
    complaint, notice, drafter = _listed(client, db, factory, login_as, firm)
    warning_act(drafter, notice.id, "notify")
    with time_machine.travel(beijing("2026-12-08"), tick=False):  # the 5 working days have passed
        publisher, _ = login_as("city_clerk", authority_code="210100")
        warning_act(publisher, notice.id, "publish")
    db.session.expire_all()
    return complaint, db.session.get(WarningNotice, notice.id), drafter, publisher


def test_verified_listed_published_by_a_second_clerk_and_removed_by_two(client, db, factory, login_as):
    firm = _filed_firm(factory)
    complaint, notice, drafter = _listed(client, db, factory, login_as, firm)
    assert "警示中" not in everything_in(client.get("/warnings"))  # a draft is not public
    warning_act(drafter, notice.id, "notify")
    firm_client, firm_user = login_as("firm", firm=firm)
    page = page_text(firm_client.get(f"/complaints/firm/warnings/{notice.id}"))
    assert "60日" in page and "6个月" in page and "行政复议" in page and "行政诉讼" in page  # rights told
    assert "2026年12月7日" in page  # statement period: 5 working days from 11-30
    assert post_form(firm_client, f"/complaints/firm/warnings/{notice.id}/statement",
                     {"answer": "我单位已整改"}).status_code == 302

    refused = warning_act(drafter, notice.id, "publish", expect=409)  # the drafter may not publish
    assert "不得自审自批" in page_text(refused)
    publisher, _ = login_as("city_clerk", authority_code="210100")
    warning_act(publisher, notice.id, "publish")  # the firm has stated its case: no need to wait
    db.session.expire_all()
    notice = db.session.get(WarningNotice, notice.id)
    assert notice.state == "warning_issued" and notice.issued_on == dt.date(2026, 11, 30)
    assert notice.expires_on == dt.date(2027, 11, 30)  # the pack's 12 months

    public = parse(client.get("/warnings"))
    row = [page_text(td) for td in public.select(f"tr#warning-{notice.id} > td")]
    assert row[:2] == [firm.name, firm.credit_code] and row[-1] == "警示中"
    assert "因服务受到用户投诉" in page_text(public) and "列入警示名单" in page_text(public)
    assert "第28条" in page_text(public.select_one("p.lead"))
    roster = parse(client.get("/roster"))
    assert "已列入警示名单" in page_text(roster.select_one(f'a[href="/warnings/{notice.id}"]'))
    entry = parse(client.get(f"/roster/{firm.credit_code}"))
    assert entry.select_one(f'a[href="/warnings/{notice.id}"]') is not None
    assert client.get(f"/warnings/{notice.id}").status_code == 200

    response = post_form(firm_client, f"/complaints/firm/warnings/{notice.id}/removal",
                         {"application": "已全部整改并回访用户", "evidence": [pdf("整改报告.pdf")]},
                         token_from=f"/complaints/firm/warnings/{notice.id}", content_type="multipart/form-data")
    assert response.status_code == 302
    warning_act(drafter, notice.id, "approve_removal", "整改材料齐全")
    refused = warning_act(drafter, notice.id, "confirm_removal", expect=409)  # the decider may not confirm
    assert "另一名工作人员" in page_text(refused)
    warning_act(publisher, notice.id, "confirm_removal")
    db.session.expire_all()
    notice = db.session.get(WarningNotice, notice.id)
    assert notice.state == "warning_lifted" and notice.lifted_on == dt.date(2026, 11, 30)
    public = parse(client.get("/warnings"))  # history kept
    assert page_text(public.select(f"tr#warning-{notice.id} > td")[-1]) == "已撤销（2026年11月30日）"
    assert "已列入警示名单" not in everything_in(client.get("/roster"))
    firm_home = page_text(firm_client.get("/complaints/firm"))
    assert "已移出警示名单" in firm_home or notice.reason in firm_home


def _logged_in(app, user):
    """A fresh session (a clerk's idles out after 30 minutes, so one per day travelled to)."""
    fresh = app.test_client()
    login(fresh, user)
    return fresh


def test_publication_waits_for_the_statement_period(app, client, db, factory, login_as):
    firm = _filed_firm(factory)
    _complaint, notice, drafter = _listed(client, db, factory, login_as, firm)
    warning_act(drafter, notice.id, "notify")
    publisher = factory.user("city_clerk", authority_code="210100")
    with time_machine.travel(beijing("2026-12-07"), tick=False):
        refused = warning_act(_logged_in(app, publisher), notice.id, "publish", expect=409)
        assert "陈述、申辩期尚未届满" in page_text(refused)
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        warning_act(_logged_in(app, publisher), notice.id, "publish")


def test_a_clerk_who_edited_the_draft_cannot_publish_it(app, client, db, factory, login_as):
    firm = _filed_firm(factory)
    _complaint, notice, drafter = _listed(client, db, factory, login_as, firm)
    editor_client, editor = login_as("city_clerk", authority_code="210100")
    assert post_form(editor_client, f"/complaints/warnings/{notice.id}/text",
                     {"notice_text": "改写后的公告"}).status_code == 302
    warning_act(drafter, notice.id, "notify")
    drafter_user = db.session.get(WarningNotice, notice.id).drafted_by_id
    from app.models import User

    with time_machine.travel(beijing("2026-12-08"), tick=False):
        warning_act(_logged_in(app, editor), notice.id, "publish", expect=409)
        warning_act(_logged_in(app, db.session.get(User, drafter_user)), notice.id, "publish", expect=409)
        third, _ = login_as("city_clerk", authority_code="210100")
        warning_act(third, notice.id, "publish")
    assert "改写后的公告" in page_text(parse(client.get("/warnings")).select_one(f"tr#warning-{notice.id} td.prewrap"))


def test_expiry_by_the_daily_command(app, client, db, factory, login_as):
    firm = _filed_firm(factory)
    _complaint, notice, *_ = _published(client, db, factory, login_as, firm)
    assert notice.expires_on == dt.date(2027, 12, 8)
    runner = app.test_cli_runner()
    with time_machine.travel(beijing("2027-12-07"), tick=False):
        assert "0 条" in runner.invoke(args=["warnings", "expire"]).output
    with time_machine.travel(beijing("2027-12-08"), tick=False):
        assert "1 条" in runner.invoke(args=["warnings", "expire"]).output
        assert "0 条" in runner.invoke(args=["warnings", "expire"]).output  # cron twice: nothing more
    db.session.expire_all()
    notice = db.session.get(WarningNotice, notice.id)
    assert notice.state == "expired" and notice.lifted_on == dt.date(2027, 12, 8) and notice.lift_reason == "expired"
    public = parse(client.get("/warnings"))
    assert page_text(public.select(f"tr#warning-{notice.id} > td")[-1]) == "期满移出（2027年12月8日）"


def _awaiting(clerk) -> list[str]:
    """The decided cases the clerk's warnings page lists as not yet listed (each with its draft button)."""
    page = parse(clerk.get("/complaints/warnings"))
    return [page_text(li) for li in page.select('h2:-soup-contains("尚未列入") + ul > li')]


def test_a_decided_penalty_case_lists_the_firm(client, db, factory, login_as):
    firm = _filed_firm(factory, "沈阳某违法安防公司")
    case = PenaltyCase(case_number="沈公（技）罚决字〔2026〕1号", firm_id=firm.id, party_name=firm.name,
                       credit_code=firm.credit_code, jurisdiction="liaoning", provision_code="art35",
                       decided_on=dt.date(2026, 11, 20), outcome="fined", fine_decided_fen=500000, state="decided")
    db.session.add(case)
    db.session.commit()
    drafter, _ = login_as("city_clerk", authority_code="210100")
    assert case.case_number in " ".join(_awaiting(drafter))
    response = post_form(drafter, "/complaints/warnings/from-case", {"case_id": case.id},
                         token_from="/complaints/warnings")
    assert response.status_code == 302
    notice = db.session.scalar(select(WarningNotice).where(WarningNotice.case_id == case.id))
    assert notice.category == "violation" and notice.state == "draft"
    assert _awaiting(drafter) == []
    warning_act(drafter, notice.id, "notify")
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        publisher, _ = login_as("city_clerk", authority_code="210100")
        warning_act(publisher, notice.id, "publish")
    assert "发生违法行为" in page_text(parse(client.get("/warnings")).select_one(f"tr#warning-{notice.id}"))
    other, _ = login_as("city_clerk", authority_code="210200")
    assert other.get(f"/complaints/warnings/{notice.id}").status_code == 404


def test_nothing_unpublished_is_public(client, db, factory, login_as):
    firm = _filed_firm(factory)
    _complaint, notice, drafter = _listed(client, db, factory, login_as, firm)
    for state in ("draft", "notified"):
        if state == "notified":
            warning_act(drafter, notice.id, "notify")
        for url in ("/warnings", "/warnings.csv", "/roster", f"/roster/{firm.credit_code}"):
            response = client.get(url)
            # the pages parsed, text and attributes; the CSV as it is
            body = everything_in(response) if response.mimetype == "text/html" else response.get_data(as_text=True)
            assert firm.name not in body or url.startswith("/roster"), url
            assert "已列入警示名单" not in body
        assert client.get(f"/warnings/{notice.id}").status_code == 404
    warning_act(drafter, notice.id, "withdraw", "单位陈述成立")
    assert firm.name not in everything_in(client.get("/warnings"))


def _texts(response) -> str:
    """Everything a response says: HTML, JSON or CSV as text, an XLSX's or PDF's bytes opened up."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    text = data.decode("utf-8", "replace")
    # a page also parsed, its text and attribute values unescaped
    return text + "\n" + everything_in(text) if response.mimetype == "text/html" else text


def test_the_firm_never_sees_who_complained(app, client, db, factory, login_as):
    """Every GET the firm's role (or the public) may use, with every id that exists filled in, is searched
    for the complainant's name, phone, e-mail, own words and file name."""
    firm = _filed_firm(factory)
    complaint, notice, drafter, _publisher = _published(client, db, factory, login_as, firm)
    firm_client, _ = login_as("firm", firm=firm)
    assert "报修无人处理" in page_text(firm_client.get(f"/complaints/firm/{complaint.id}"))  # the summary
    ids = list(range(1, 6)) + [complaint.id, notice.id]
    secrets = (NAME, PHONE, EMAIL, WORDS, "138-", f"{NAME}的照片")
    seen = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        if "firm" not in roles and "public" not in roles:
            continue
        args = [a for a in rule.arguments]
        values = [{}]
        for arg in args:
            if rule._converters[arg].__class__.__name__ == "IntegerConverter":
                values = [{**v, arg: i} for v in values for i in ids]
            else:
                values = [{**v, arg: firm.credit_code} for v in values]
        for v in values:
            url = rule.build(v, append_unknown=False)[1] if args else rule.rule
            response = firm_client.get(url)
            text = _texts(response)
            response.close()
            seen.add(url)
            for secret in secrets:
                assert secret not in text, (url, secret)
    assert len(seen) > 30
    assert f"/complaints/firm/{complaint.id}" in seen  # the firm's own view of the complaint was searched


def test_the_annual_figures_count_these_records(client, db, factory, login_as):
    """The dashboard and the annual workbook count complaints by outcome and warnings issued and lifted."""
    from app.transfer.exports import annual_figures

    firm = _filed_firm(factory)
    _complaint, notice, drafter, publisher = _published(client, db, factory, login_as, firm)
    other = submit(client, factory.pack, firm=firm, phone="13800138111")
    clerk, _ = login_as("city_clerk", authority_code="210100")
    verify(clerk, db.session.scalar(select(Complaint.id).where(Complaint.reference == other)), found=False)
    figures = annual_figures(2026)
    assert figures.complaints.loc["查证属实", "件数"] == 1 and figures.complaints.loc["查证不属实", "件数"] == 1
    assert figures.warnings.loc["12月", "发布"] == 1 and figures.warnings.loc["合计", "撤销"] == 0
    dashboard = clerk.get("/dashboard/?year=2026")
    assert dashboard.status_code in (200, 302)

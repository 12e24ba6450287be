"""Simultaneous decisions on complaints and warnings (issue 12) are applied once: two clerks publishing one
draft, deciding one complaint step or confirming one removal at the same moment get one result, one audit
entry; the other is told in Chinese the page is stale and nothing of it is written.

Races are real: threads released together by a barrier, each with its own test client and log-in, on SQLite
and PostgreSQL (JIFANG_TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.models import AuditEntry, Complaint, WarningNotice
from tests.app.complaint_support import FAST, act, pdf, submit, summarise, warning_act
from tests.conftest import beijing
from tests.support import form_fields, login, page_text, post_form, race

pytestmark = pytest.mark.today("2026-11-30")
STALE = "已被他人处理"


@pytest.fixture
def app_config():
    return {**FAST, "RATELIMIT_ENABLED": False}


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _form_of(client, url: str, form_id: str) -> dict:
    """What the browser holds after loading the page: the action form's CSRF token and record version."""
    fields = form_fields(client.get(url), f"form#{form_id}")
    return {"csrf_token": fields["csrf_token"], "version": fields["version"]}


def _race(app, posts) -> list:
    responses = race(app, posts)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    loser = next(r for r in responses if r.status_code == 409)
    assert STALE in page_text(loser)
    return responses


def _count(action: str, object_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_id == str(object_id)))


def _firm(factory):
    return factory.firm("沈阳某安防工程有限公司", filing_status="in_force", filing_authority_code="210100")


def _verifying(client, factory, login_as) -> tuple[int, object]:
    reference = submit(client, factory.pack, firm=_firm(factory))
    complaint_id = db.session.scalar(select(Complaint.id).where(Complaint.reference == reference))
    clerk, _user = login_as("city_clerk", authority_code="210100")
    act(clerk, complaint_id, "assign")
    summarise(clerk, complaint_id)
    act(clerk, complaint_id, "start_verification")
    return complaint_id, clerk


def _notified(client, factory, login_as) -> tuple[int, object]:
    complaint_id, drafter = _verifying(client, factory, login_as)
    act(drafter, complaint_id, "verify", "经现场核查属实", service_user="y")
    notice_id = db.session.scalar(select(WarningNotice.id).where(WarningNotice.complaint_id == complaint_id))
    warning_act(drafter, notice_id, "notify")
    return notice_id, drafter


def test_two_clerks_publishing_one_draft_at_once_publish_it_once(app, client, factory, login_as):
    notice_id, _drafter = _notified(client, factory, login_as)
    with time_machine.travel(beijing("2026-12-08"), tick=False):  # the statement period is over
        clients = [_client(app, factory.user("city_clerk", authority_code="210100")) for _ in range(2)]
        url = f"/complaints/warnings/{notice_id}"
        forms = [_form_of(c, url, "warning-action") for c in clients]
        _race(app, [(lambda c=c, f=f: c.post(f"{url}/act", data={**f, "action": "publish", "comment": ""}))
                    for c, f in zip(clients, forms, strict=True)])
    notice = db.session.get(WarningNotice, notice_id)
    assert notice.state == "warning_issued"
    assert _count("warning.publish", notice_id) == 1
    assert audit.verify(checkpoints=False).ok


def test_two_decisions_on_one_complaint_step_at_once_apply_once(app, client, factory, login_as):
    complaint_id, _clerk = _verifying(client, factory, login_as)
    clients = [_client(app, factory.user("city_clerk", authority_code="210100")) for _ in range(2)]
    url = f"/complaints/{complaint_id}"
    forms = [_form_of(c, url, "complaint-action") for c in clients]
    posts = [{"action": "verify", "comment": "经现场核查属实", "service_user": "y"},
             {"action": "find_unfounded", "comment": "经核查不属实"}]
    _race(app, [(lambda c=c, f=f, p=p: c.post(f"{url}/act", data={**f, **p}))
                for c, f, p in zip(clients, forms, posts, strict=True)])
    complaint = db.session.get(Complaint, complaint_id)
    assert complaint.state in ("verified", "unfounded")
    assert _count("complaint.verify", complaint_id) + _count("complaint.find_unfounded", complaint_id) == 1
    drafts = db.session.scalar(select(func.count()).select_from(WarningNotice).where(
        WarningNotice.complaint_id == complaint_id))
    assert drafts == (1 if complaint.state == "verified" else 0)
    assert [s.to_state for s in complaint.steps].count(complaint.state) == 1
    assert audit.verify(checkpoints=False).ok


def test_two_clerks_confirming_one_removal_at_once_confirm_it_once(app, client, factory, login_as):
    notice_id, drafter = _notified(client, factory, login_as)
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        publisher = _client(app, factory.user("city_clerk", authority_code="210100"))
        warning_act(publisher, notice_id, "publish")
        notice = db.session.get(WarningNotice, notice_id)
        firm_client, _user = login_as("firm", firm=notice.firm)
        url = f"/complaints/firm/warnings/{notice_id}"
        assert post_form(firm_client, f"{url}/removal", {"application": "已全部整改", "evidence": [pdf("整改.pdf")]},
                         token_from=url, content_type="multipart/form-data").status_code == 302
        warning_act(publisher, notice_id, "approve_removal", "整改材料齐全")
        clients = [_client(app, factory.user("city_clerk", authority_code="210100")) for _ in range(2)]
        url = f"/complaints/warnings/{notice_id}"
        forms = [_form_of(c, url, "warning-action") for c in clients]
        _race(app, [(lambda c=c, f=f: c.post(f"{url}/act", data={**f, "action": "confirm_removal", "comment": ""}))
                    for c, f in zip(clients, forms, strict=True)])
    notice = db.session.get(WarningNotice, notice_id)
    assert notice.state == "warning_lifted"
    assert _count("warning.confirm_removal", notice_id) == 1
    assert audit.verify(checkpoints=False).ok


def test_a_decision_on_a_page_someone_has_acted_on_since_is_refused(app, client, factory, login_as):
    """No true race: the page was loaded, another clerk acted, then this clerk decides on the old page."""
    complaint_id, quick = _verifying(client, factory, login_as)
    late = _client(app, factory.user("city_clerk", authority_code="210100"))
    url = f"/complaints/{complaint_id}"
    stale = _form_of(late, url, "complaint-action")
    act(quick, complaint_id, "find_unfounded", "经核查不属实")
    response = late.post(f"{url}/act", data={**stale, "action": "transfer", "comment": "移送",
                                              "authority": factory.pack.provincial_authority.code})
    assert response.status_code == 409 and STALE in page_text(response)
    db.session.expire_all()
    complaint = db.session.get(Complaint, complaint_id)
    assert complaint.state == "unfounded" and complaint.authority_code == "210100"
    assert _count("complaint.transfer", complaint_id) == 0


def test_a_reminder_keeps_an_open_page_valid(app, client, factory, login_as, runner):
    """`flask complaints remind` is not an act on the complaint: a page loaded before it ran still decides."""
    import datetime as dt

    reference = submit(client, factory.pack, firm=_firm(factory))
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    complaint.state_entered_at = dt.datetime(2026, 11, 9, 2)  # long overdue: escalated
    db.session.commit()
    clerk = _client(app, factory.user("city_clerk", authority_code="210100"))
    url = f"/complaints/{complaint.id}"
    page = _form_of(clerk, url, "complaint-action")
    assert "已记录 1 条提醒" in runner.invoke(args=["complaints", "remind"]).output
    response = clerk.post(f"{url}/act", data={**page, "action": "assign", "comment": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).state == "assigned"

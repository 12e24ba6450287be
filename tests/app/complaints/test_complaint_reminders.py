"""Complaint time limits are acted on (issue 12): `flask complaints remind` records each reminder and
escalation once, however often cron runs it, in the audit trail, and the clerks see it on the queue and home."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Complaint
from tests.app.complaint_support import FAST, submit
from tests.support import everything_in, get_page, page_text

pytestmark = pytest.mark.today("2026-11-30")  # a Monday; acceptance is 5 working days, reminder 1 day before


@pytest.fixture
def app_config():
    return dict(FAST)


def _count(action: str) -> int:
    from app.extensions import db

    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def _received_on(db, reference: str, when: dt.datetime) -> Complaint:
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    complaint.state_entered_at = when  # UTC, as the app stores it
    db.session.commit()
    return complaint


def test_reminders_and_escalations_are_recorded_once_however_often_cron_runs(app, client, db, factory, runner,
                                                                           login_as):
    firm = factory.firm("沈阳某安防工程有限公司", filing_status="in_force", filing_authority_code="210100")
    near = submit(client, factory.pack, firm=firm)
    late = submit(client, factory.pack, firm=firm, phone="13800138002")
    fresh = submit(client, factory.pack, firm=firm, phone="13800138003")
    _received_on(db, near, dt.datetime(2026, 11, 23, 2))  # deadline today: a reminder
    _received_on(db, late, dt.datetime(2026, 11, 9, 2))   # deadline long past: escalated to the province
    clerk_client, _clerk = login_as("city_clerk", authority_code="210100")
    assert "已升级至省级公安机关" not in everything_in(clerk_client.get("/complaints/"))

    first = runner.invoke(args=["complaints", "remind"])
    assert first.exit_code == 0, first.output
    assert "已记录 2 条提醒" in first.output and near in first.output and late in first.output
    assert fresh not in first.output
    second = runner.invoke(args=["complaints", "remind"])
    assert second.exit_code == 0 and "没有到期的提醒" in second.output
    assert _count("complaint.remind") == 1 and _count("complaint.escalate") == 1

    db.session.expire_all()
    escalated = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.escalate"))
    assert escalated.actor_id is None and escalated.detail["roles"] == ["provincial_clerk"]

    rows = {page_text(tr) for tr in get_page(clerk_client, "complaints.index").select("tbody tr")}
    late_row = next(row for row in rows if late in row)
    near_row = next(row for row in rows if near in row)
    assert "已升级至省级公安机关" in late_row and "已升级至省级公安机关" not in near_row
    assert "已发出提醒" in near_row
    assert "已升级至省级公安机关：1 件" in page_text(clerk_client.get("/"))
    provincial, _user = login_as("provincial_clerk", authority_code=factory.pack.provincial_authority.code)
    assert "已升级至省级公安机关：1 件" in page_text(provincial.get("/"))



def test_a_removal_application_past_its_review_period_is_escalated_once(app, client, db, factory, runner, login_as):
    """warning.yaml: a removal application is decided within the pack's period (15 working days, policy)."""
    from app.models import WarningNotice
    from tests.app.complaint_support import act, summarise

    firm = factory.firm("沈阳某安防工程有限公司", filing_status="in_force", filing_authority_code="210100")
    reference = submit(client, factory.pack, firm=firm)
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    clerk, _user = login_as("city_clerk", authority_code="210100")
    act(clerk, complaint.id, "assign")
    summarise(clerk, complaint.id)
    act(clerk, complaint.id, "start_verification")
    act(clerk, complaint.id, "verify", "经现场核查属实", service_user="y")
    notice = db.session.scalar(select(WarningNotice).where(WarningNotice.complaint_id == complaint.id))
    notice.state, notice.state_entered_at = "removal_requested", dt.datetime(2026, 10, 1, 2)
    db.session.commit()

    for _run in range(2):
        assert runner.invoke(args=["complaints", "remind"]).exit_code == 0
    assert _count("warning.escalate") == 1 and _count("complaint.escalate") == 0

"""The clerks' side: the queue (oldest first, working days, warnings), locality correction, no self-approval,
every transition audited, and the daily reminder job."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FilingRequest, Firm
from tests.app.filing_support import decide, queue_ids, submitted_request
from tests.support import everything_in, get_page, login, page_text, parse, post_form
from workflows import calendar
from workflows.time_limits import china_today


def _clerk(app, factory, role, authority_code):
    user = factory.user(role, authority_code=authority_code)
    client = app.test_client()
    login(client, user)
    return client, user


def _entered(request, day: dt.date) -> None:
    """Put the request's stage start on `day` (noon in Beijing)."""
    request.state_entered_at = dt.datetime.combine(day, dt.time(4, 0))
    db.session.commit()


# "20 working days ago" counted back from a weekend or a holiday is 19 working days waited by that day:
# the tests that count working days from today run on a working Monday (tests/conftest.py pins it).
@pytest.mark.today("2026-11-30")
def test_queue_is_oldest_first_with_working_days_and_warnings(app, factory):
    today = china_today()
    fresh, _ = submitted_request(app, factory, city_code="210100")
    overdue, _ = submitted_request(app, factory, city_code="210100")
    near, _ = submitted_request(app, factory, city_code="210100")
    elsewhere, _ = submitted_request(app, factory, city_code="210200")
    _entered(overdue, calendar.add_working_days(today, -20))
    _entered(near, calendar.add_working_days(today, -13))

    client, _ = _clerk(app, factory, "city_clerk", "210100")
    assert queue_ids(client) == [overdue.id, near.id, fresh.id]
    rows = get_page(client, "review.queue").select("table.queue tbody tr")
    waited = [[page_text(td) for td in row.select("td.num")] for row in rows]
    status = [page_text(row) for row in rows]
    assert "20" in waited[0] and "已超期" in status[0]
    assert "13" in waited[1] and "临近时限" in status[1]
    assert "已超期" not in status[2] and "临近时限" not in status[2]
    assert elsewhere.id not in queue_ids(client)
    home = page_text(client.get("/"))
    assert "待审核备案申请：3 件" in home and "已超过办理时限：1 件" in home and "临近办理时限：1 件" in home


def test_full_id_numbers_are_shown_to_the_clerk_only_on_asking_and_each_showing_is_audited(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    id_number = request.staff[0].id_number
    masked = id_number[:6] + "********" + id_number[-4:]
    clerk, clerk_user = _clerk(app, factory, "city_clerk", "210100")
    detail = parse(clerk.get(f"/review/{request.id}"))
    assert id_number not in everything_in(detail) and masked in page_text(detail)
    assert detail.select_one(f'a[href="/review/{request.id}/staff-ids#staff"]') is not None
    assert _id_views() == []  # the masked page records nothing
    for _n in range(2):
        assert id_number in page_text(clerk.get(f"/review/{request.id}/staff-ids"))
    views = _id_views()
    assert [(e.actor_id, e.object_type, e.object_id, e.detail["staff"]) for e in views] == [
        (clerk_user.id, "filing_request", str(request.id), len(request.staff))] * 2
    other_city, _ = _clerk(app, factory, "city_clerk", "210200")
    assert other_city.get(f"/review/{request.id}/staff-ids").status_code == 404
    assert len(_id_views()) == 2
    firm_client = app.test_client()
    login(firm_client, firm_user)
    page = parse(firm_client.get(f"/filings/{request.id}"))
    assert id_number not in everything_in(page) and masked in page_text(page)
    assert id_number not in everything_in(firm_client.get("/roster"))
    assert firm_client.get(f"/review/{request.id}/staff-ids").status_code == 403


def _id_views():
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "filing.staff_ids_viewed").order_by(AuditEntry.id)).all()


def test_locality_correction_is_recorded_and_reroutes(app, factory):
    request, _ = submitted_request(app, factory, city_code="210100")
    city, city_user = _clerk(app, factory, "city_clerk", "210100")
    page = page_text(city.get(f"/review/{request.id}"))
    assert "省内单位" in page and "统一社会信用代码第3–4位显示为省内" in page

    response = post_form(city, f"/review/{request.id}/locality", {"is_local": "0", "reason": ""},
                         token_from=f"/review/{request.id}")
    assert response.status_code == 422 and "更正理由：请填写此项" in page_text(response)
    response = post_form(city, f"/review/{request.id}/locality",
                         {"is_local": "0", "reason": "营业执照显示为外省分支机构"}, token_from=f"/review/{request.id}")
    assert response.status_code == 302

    db.session.expire_all()
    request = db.session.get(FilingRequest, request.id)
    firm = db.session.get(Firm, request.firm_id)
    assert (request.route, request.stages, request.authority_code) == ("out_of_province", ["210000"], "210000")
    assert firm.is_local is False and firm.locality_override_reason == "营业执照显示为外省分支机构"
    assert city_user.id in request.editor_ids
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "filing.correct_locality")).one()
    assert entry.actor_id == city_user.id and entry.detail["reason"] == "营业执照显示为外省分支机构"
    assert entry.detail["before"]["stages"] == ["210100"]
    assert city.get(f"/review/{request.id}").status_code == 404  # the city no longer holds it

    province, _ = _clerk(app, factory, "provincial_clerk", "210000")
    assert queue_ids(province) == [request.id]
    assert "营业执照显示为外省分支机构" in page_text(province.get(f"/review/{request.id}"))


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_a_clerk_who_corrected_a_request_cannot_approve_it(app, factory):
    request, _ = submitted_request(app, factory, city_code="150100")
    first, first_user = _clerk(app, factory, "provincial_clerk", "150000")
    response = post_form(first, f"/review/{request.id}/locality", {"is_local": "0", "reason": "实为外省单位"},
                         token_from=f"/review/{request.id}")
    assert response.status_code == 302
    page = parse(first.get(f"/review/{request.id}"))
    assert "不能由本人审核" in page_text(page) and not page.select('[name="action"][value="approve"]')

    response = decide(first, request.id, "approve")
    assert response.status_code == 409 and "不得自审自批" in page_text(response)
    db.session.expire_all()
    assert db.session.get(FilingRequest, request.id).state == "under_review"

    second, second_user = _clerk(app, factory, "provincial_clerk", "150000")
    assert decide(second, request.id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(FilingRequest, request.id).state == "filed"
    approve = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "filing.approve")).one()
    assert approve.actor_id == second_user.id and approve.actor_id != first_user.id


def test_every_transition_is_audited_with_actor_time_and_comment(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    clerk, clerk_user = _clerk(app, factory, "city_clerk", "210100")
    decide(clerk, request.id, "return", "请补充培训证书")
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "filing_request").order_by(AuditEntry.id)
    ).all()
    transitions = [(e.action, e.actor_id, e.detail.get("comment")) for e in entries if "transition" in e.detail]
    assert transitions == [
        ("filing.submit", firm_user.id, None),
        ("filing.return_for_correction", clerk_user.id, "请补充培训证书"),
    ]
    assert all(e.at is not None and e.detail["at"] for e in entries if "transition" in e.detail)
    from app import audit

    assert audit.verify().ok  # the transitions extend the hash chain like every other entry


@pytest.mark.today("2026-11-30")
def test_remind_command_records_each_reminder_and_escalation_once(app, factory):
    today = china_today()
    overdue, _ = submitted_request(app, factory, city_code="210100")
    near, _ = submitted_request(app, factory, city_code="210100")
    fresh, _ = submitted_request(app, factory, city_code="210100")
    _entered(overdue, calendar.add_working_days(today, -20))
    _entered(near, calendar.add_working_days(today, -13))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["filings", "remind", "--today", today.isoformat(), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "超期，升级至上级机关" in result.output and "临近办理时限" in result.output
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action.in_(("filing.remind", "filing.escalate")))) is None

    result = runner.invoke(args=["filings", "remind", "--today", today.isoformat()])
    assert "已记录 2 条提醒" in result.output, result.output
    actions = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(("filing.remind", "filing.escalate"))).order_by(AuditEntry.id)
    ).all()
    assert {(e.action, e.object_id) for e in actions} == {
        ("filing.escalate", str(overdue.id)), ("filing.remind", str(near.id)),
    }
    escalation = next(e for e in actions if e.action == "filing.escalate")
    assert escalation.detail["roles"] == ["provincial_clerk"] and escalation.actor_label == "system"

    result = runner.invoke(args=["filings", "remind", "--today", today.isoformat()])
    assert "没有到期的提醒" in result.output
    assert fresh.id not in {int(e.object_id) for e in actions}

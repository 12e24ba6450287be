"""The court route of a penalty decision not complied with (行政强制法): the reminder, then the people's court.

The bureaus have no power of their own to enforce a fine or a removal (行政强制法 art. 13: 法律没有规定行政机关
强制执行的，作出行政决定的行政机关应当申请人民法院强制执行; the regulations' 强制拆除, LN 33 and QHD 24, names no
such power), so the only route is an application to the people's court:

- art. 54: the reminder (催告书) is served first; the application comes only after ten (working, art. 69)
  days from its service — case_periods.earliest_court_application;
- art. 53: within three months after the review (60 days) and litigation (6 months) periods lapse —
  case_periods.court_application_window.

The guards refuse an application outside these days, saying which day it may be made.
"""

from __future__ import annotations

import datetime as dt

from app.cases import payments
from app.models import CaseEnforcement, PenaltyCase
from app.models.case_payments import REMINDER_METHODS
from workflows.case_periods import CalendarNotCovered, court_application_window, earliest_court_application
from workflows.engine import Context, TransitionResult
from workflows.time_limits import china_today


def orders_removal(case: PenaltyCase) -> bool:
    """The case's provision orders removal and, refused, removal by enforcement (LN 33, QHD 24)."""
    from app.cases import service as penalty_cases

    try:
        provision = penalty_cases.penalty_pack().provision(case.provision_code)
    except (KeyError, LookupError, ValueError):
        return False
    return provision is not None and any(m.code == "forced_removal" for m in provision.measures)


def court_dates(case: PenaltyCase) -> dict[str, dt.date | str | None]:
    """The earliest day after the reminder, and the art. 53 window, for the page (or the calendar's refusal)."""
    found: dict[str, dt.date | str | None] = {"earliest": None, "window_from": None, "window_to": None, "error": None}
    try:
        if case.served_on:
            found["window_from"], found["window_to"] = court_application_window(case.served_on)
        if case.enforcement and case.enforcement.reminder_served_on:
            found["earliest"] = earliest_court_application(case.enforcement.reminder_served_on)
    except CalendarNotCovered as exc:
        found["error"] = exc.message
    return found


def _today(ctx: Context) -> dt.date:
    return ctx.data.get("today") or china_today()


def reminder_valid(record, actor, ctx: Context) -> str | None:
    day, method = ctx.data.get("reminder_served_on"), ctx.data.get("reminder_method")
    if method not in REMINDER_METHODS:
        return "请选择催告书的送达方式"
    if not isinstance(day, dt.date) or day > _today(ctx):
        return "请填写催告书的送达日期（不晚于今天）"
    if record.fine_decided_fen:
        reck = payments.reckon(record, day)
        if reck.error:
            return reck.error
        if reck.outstanding_fen <= 0:
            return "罚款及加处罚款已缴清，无需催告"
        if reck.effective_due_on and day <= reck.effective_due_on:
            return (f"缴款期限至{reck.effective_due_on.isoformat()}，期限届满后当事人仍未履行的才能催告"
                    "（《行政强制法》第五十四条）")
    elif not orders_removal(record):
        return "本案没有需要催告履行的义务"
    return None


def record_reminder(record, result: TransitionResult, ctx: Context) -> None:
    day = ctx.data["reminder_served_on"]
    enforcement = record.enforcement or CaseEnforcement()
    enforcement.reminder_served_on = day
    enforcement.reminder_method = ctx.data["reminder_method"]
    enforcement.reminder_unpaid_fen = payments.reckon(record, day).outstanding_fen if record.fine_decided_fen else 0
    record.enforcement = enforcement
    result.detail.update({"reminder_served_on": day.isoformat(), "method": enforcement.reminder_method,
                      "unpaid_fen": enforcement.reminder_unpaid_fen})


def court_application_allowed(record, actor, ctx: Context) -> str | None:
    day, court, removal = ctx.data.get("applied_on"), (ctx.data.get("court") or "").strip(), ctx.data.get("removal")
    if not isinstance(day, dt.date) or day > _today(ctx):
        return "请填写申请日期（不晚于今天）"
    if not court:
        return "请填写受理申请的人民法院"
    if removal and not orders_removal(record):
        return "本案所依据的条款没有规定强制拆除"
    reminded = record.enforcement.reminder_served_on if record.enforcement else None
    if reminded is None:
        return "申请人民法院强制执行前，应当催告当事人履行义务（《行政强制法》第五十四条）"
    if any(p.end_on is None for p in record.pauses):
        return "当事人的行政复议或者行政诉讼尚未终结，不能申请强制执行"
    try:
        earliest = earliest_court_application(reminded)
        first, last = court_application_window(record.served_on)
    except CalendarNotCovered as exc:
        return exc.message
    if day < earliest:
        return (f"催告书于{reminded.isoformat()}送达，送达十日（工作日）后当事人仍未履行的，才能申请人民法院强制执行："
                f"{earliest.isoformat()}起方可申请（《行政强制法》第五十四条）")
    if day < first:
        return (f"当事人申请行政复议、提起行政诉讼的法定期限尚未届满：{first.isoformat()}起三个月内方可申请"
                "（《行政强制法》第五十三条）")
    if day > last:
        return (f"申请人民法院强制执行的期限已于{last.isoformat()}届满（期限届满之日起三个月内，"
                "《行政强制法》第五十三条）")
    if record.fine_decided_fen and payments.reckon(record, day).outstanding_fen <= 0 and not removal:
        return "罚款及加处罚款已缴清，没有需要强制执行的内容"
    return None


def record_court_application(record, result: TransitionResult, ctx: Context) -> None:
    day = ctx.data["applied_on"]
    enforcement = record.enforcement
    enforcement.court_applied_on = day
    enforcement.court_name = ctx.data["court"].strip()
    enforcement.court_removal = bool(ctx.data.get("removal"))
    enforcement.court_amount_fen = payments.reckon(record, day).outstanding_fen if record.fine_decided_fen else 0
    result.detail.update({"applied_on": day.isoformat(), "court": enforcement.court_name,
                      "removal": enforcement.court_removal, "amount_fen": enforcement.court_amount_fen})


GUARDS = {
    "payment_overdue": payments.payment_overdue, "deferral_valid": payments.deferral_valid,
    "reminder_valid": reminder_valid, "court_application_allowed": court_application_allowed,
}
EFFECTS = {
    "record_deferral": payments.record_deferral, "record_reminder": record_reminder,
    "record_court_application": record_court_application,
}


def register(registry) -> None:
    """Called from app.cases.service.register (the case workflow's guards and effects)."""
    for name, fn in GUARDS.items():
        registry.add_guard(name, fn)
    for name, fn in EFFECTS.items():
        registry.add_effect(name, fn)

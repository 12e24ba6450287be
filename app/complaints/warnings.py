"""The warning list (警示名单) and its notices (警示公告), Liaoning art. 28: drafts, publication, removal, expiry.

workflows/definitions/warning.yaml declares the moves; this module binds its guards and effects. Only a
pack with `complaints.warnings` (Liaoning) opens drafts. The two-person rule: whoever edited a draft
(editor_ids, the drafter included) cannot publish it (the engine's not_self_approval); whoever decided a
removal cannot confirm it (not_removal_decider). Periods come from the pack: the statement period, the
listing's duration and the removal review are the bureau's policy; review (60 days) and litigation
(6 months) are statutory and only told to the firm.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt

from flask import current_app, has_app_context
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.models import CaseAttachment, Firm, PenaltyCase, WarningNotice
from app.models.cases import LISTED_STATES, PUBLISHED_STATES, WARNING_CATEGORIES
from workflows import calendar as china_calendar
from workflows.engine import Context, Registry, TransitionResult, default_registry, load_definition
from workflows.time_limits import china_today, local_date

OPEN_STATES = ("draft", "notified", "warning_issued", "removal_requested", "removal_approved")
DECIDED_CASE_OUTCOMES = ("fined", "warning_only")


class WarningError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SystemActor:
    """The scheduled job: fires `expire` (role admin in warning.yaml) and is audited as "system"."""

    id = None
    role = "admin"
    authority_code = None

    def audit_label(self) -> str:
        return "system"


def current_pack():
    return current_app.extensions["jifang.pack"]


def rules(pack=None):
    pack = pack or current_pack()
    return pack.complaints.warnings if pack.complaints is not None else None


def workflow():
    return load_definition("warning")


def context(data: dict | None = None) -> Context:
    return Context(pack=current_pack(), data=data or {})


def add_period(start: dt.date, period) -> dt.date:
    """The last day of a pack period starting on `start` (working days skip holidays; a calendar period
    ending on a rest day ends on the next working day, as Chinese administrative procedure counts)."""
    if period.working_days:
        return china_calendar.add_working_days(start, period.working_days)
    if period.days:
        return china_calendar.next_working_day(start + dt.timedelta(days=period.days))
    month = start.month - 1 + period.months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, month_calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def period_text(period) -> str:
    if period.working_days:
        return f"{period.working_days}个工作日"
    if period.days:
        return f"{period.days}日"
    return f"{period.months}个月"


def rights_notice(pack=None) -> str:
    """The firm's remedies against the listing, from the pack (行政复议法 art. 20; 行政诉讼法 art. 46)."""
    r = rules(pack)
    if r is None:
        return ""
    return (f"如对列入警示名单不服，可以自知道之日起{period_text(r.review_period)}内依法申请行政复议"
            f"（{r.review_period.source}），或者自知道或者应当知道之日起{period_text(r.litigation_period)}内"
            f"依法提起行政诉讼（{r.litigation_period.source}）。")


def default_text(firm: Firm, category: str, pack) -> str:
    r = rules(pack)
    cause = "因服务受到用户投诉，经查证属实" if category == "service_complaint" else "发生违法行为，经查证属实"
    return (f"{firm.name}（统一社会信用代码：{firm.credit_code}）{cause}。依据《{pack.regulation.title}》"
            f"{r.reference.label()}，将其列入警示名单，予以公告。")


# --- drafts -----------------------------------------------------------------------------------------------------
def open_draft(firm: Firm, category: str, actor, *, complaint=None, case=None, now=None) -> WarningNotice | None:
    """Open the draft a verified complaint or a decided case calls for (art. 28); None if one exists already
    for the same complaint or case, or the pack has no list. The caller commits."""
    pack = current_pack()
    r = rules(pack)
    if r is None or firm is None:
        return None
    existing = select(WarningNotice.id)
    if complaint is not None and complaint.id is not None:
        existing = existing.where(WarningNotice.complaint_id == complaint.id)
    elif case is not None:
        existing = existing.where(WarningNotice.case_id == case.id)
    else:
        existing = None
    if existing is not None and db.session.scalar(existing.limit(1)) is not None:
        return None
    from app.complaints.service import authority_for

    actor_id = getattr(actor, "id", None)
    authority = complaint.authority_code if complaint is not None else (
        getattr(actor, "authority_code", None) or authority_for(firm, firm.city_code, pack))
    notice = WarningNotice(
        firm=firm, complaint=complaint, case_id=case.id if case is not None else None, category=category,
        authority_code=authority, reason=WARNING_CATEGORIES[category], reference=r.reference.label(),
        notice_text=default_text(firm, category, pack), state="draft", drafted_by_id=actor_id,
        editor_ids=[actor_id] if actor_id else [], sent_actions=[],
        state_entered_at=now or dt.datetime.now(dt.UTC).replace(tzinfo=None))
    db.session.add(notice)
    db.session.flush()
    audit.record("warning.drafted", notice, actor=actor, detail={
        "firm": firm.id, "category": category, "complaint": getattr(complaint, "id", None),
        "case": getattr(case, "id", None)})
    return notice


def edit_draft(notice: WarningNotice, user, text: str) -> None:
    """Whoever edits the text joins the drafters, and so cannot publish it."""
    if notice.state not in ("draft", "notified"):
        raise WarningError("已发布的警示公告不能修改")
    notice.notice_text = text.strip()
    if user.id not in (notice.editor_ids or []):
        notice.editor_ids = [*(notice.editor_ids or []), user.id]
    audit.record("warning.draft_edited", notice, actor=user, detail={"length": len(notice.notice_text)})


def case_candidates(user) -> list[PenaltyCase]:
    """Decided cases against a registered firm with no listing yet: each calls for a draft (art. 28)."""
    from app.models import Firm as FirmModel

    stmt = (select(PenaltyCase).join(FirmModel, FirmModel.id == PenaltyCase.firm_id)
            .where(PenaltyCase.outcome.in_(DECIDED_CASE_OUTCOMES), PenaltyCase.decided_on.is_not(None),
                   ~select(WarningNotice.id).where(WarningNotice.case_id == PenaltyCase.id).exists())
            .order_by(PenaltyCase.decided_on.desc()).limit(50))
    if user.role != "provincial_clerk":
        cities = {c.code for c in current_pack().cities if c.authority == user.authority_code}
        stmt = stmt.where(FirmModel.city_code.in_(cities))
    return list(db.session.scalars(stmt))


def draft_from_case(case: PenaltyCase, user) -> WarningNotice:
    if case.firm_id is None or case.outcome not in DECIDED_CASE_OUTCOMES or case.decided_on is None:
        raise WarningError("只有对备案名录中单位作出处罚决定的案件才列入警示名单")
    if case not in case_candidates(user):
        raise WarningError("该案件已列入警示名单或不由您所在的公安机关办理")
    notice = open_draft(case.firm, "violation", user, case=case)
    if notice is None:
        raise WarningError("本辖区适用的法规没有规定警示名单")
    return notice


def on_case_decided(record, result: TransitionResult) -> None:
    """A penalty case decided in the app against a registered firm opens its draft at once (art. 28)."""
    if result.workflow != "penalty_case" or result.to_state != "decided" or not has_app_context():
        return
    firm = getattr(record, "firm", None)
    if firm is not None and hasattr(record, "__tablename__") and rules() is not None:
        open_draft(firm, "violation", result.actor, case=record, now=result.at)


# --- lookups ---------------------------------------------------------------------------------------------------
def for_clerk(notice_id: int, user) -> WarningNotice | None:
    found = db.session.get(WarningNotice, notice_id)
    if found is None or found.authority_code is None:
        return None
    if user.role == "provincial_clerk" or found.authority_code == user.authority_code:
        return found
    return None


def clerk_list(user) -> list[WarningNotice]:
    stmt = select(WarningNotice).where(WarningNotice.authority_code.is_not(None)).order_by(WarningNotice.id.desc())
    if user.role != "provincial_clerk":
        stmt = stmt.where(WarningNotice.authority_code == user.authority_code)
    return list(db.session.scalars(stmt.limit(200)))


def for_firm(firm_id: int | None) -> list[WarningNotice]:
    """A firm's listings once it was told (a bare draft is the bureau's own work)."""
    if firm_id is None:
        return []
    return list(db.session.scalars(select(WarningNotice).where(
        WarningNotice.firm_id == firm_id, WarningNotice.state.not_in(("draft",))).order_by(WarningNotice.id.desc())))


def firm_notice(notice_id: int, user) -> WarningNotice | None:
    found = db.session.get(WarningNotice, notice_id)
    if found is None or user.firm_id is None or found.firm_id != user.firm_id or found.state == "draft":
        return None
    return found


def published(notice_id: int) -> WarningNotice | None:
    found = db.session.get(WarningNotice, notice_id)
    if found is None or found.state not in PUBLISHED_STATES or found.issued_on is None:
        return None
    return found


def listed_notice_column(firm_id):
    """The roster's mark: the id of the firm's newest notice in force (NULL: none), as a column of a query
    on firms, firm_id its firm id. The roster reads it in the statement reading the firms (one index
    lookup per firm shown) rather than in a second statement."""
    in_force = (WarningNotice.state.in_(LISTED_STATES), WarningNotice.issued_on.is_not(None),
                WarningNotice.lifted_on.is_(None))
    return select(func.max(WarningNotice.id)).where(WarningNotice.firm_id == firm_id, *in_force).scalar_subquery()


def fire(notice: WarningNotice, transition: str, actor, comment: str | None, data: dict | None = None,
         now: dt.datetime | None = None) -> TransitionResult:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return workflow().fire(notice, transition, actor, comment=comment, now=now, ctx=context(data))


def state_label(state: str) -> str:
    return workflow().state_label(state)


def add_removal_evidence(notice: WarningNotice, user, upload) -> CaseAttachment:
    from app.cases import attachments as case_files

    stored = case_files.store(upload.stream)
    attachment = CaseAttachment(
        warning=notice, source="firm", uploaded_by_id=user.id,
        original_name=case_files.display_name(upload.filename, stored.content_type),
        stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size, sha256=stored.sha256)
    db.session.add(attachment)
    return attachment


def state_statement(notice: WarningNotice, user, text: str, now=None) -> None:
    """The firm's case against the listing, before publication."""
    if notice.state not in ("notified",):
        raise WarningError("陈述、申辩期已结束")
    notice.firm_statement = text.strip()
    notice.firm_statement_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    audit.record("warning.firm_statement", notice, actor=user, detail={"length": len(notice.firm_statement)})


# --- expiry ----------------------------------------------------------------------------------------------------
def expire_due(today: dt.date | None = None) -> list[int]:
    """Take off the list every listing whose period ended; one commit per listing, so a run stopped halfway
    loses nothing and a second run (cron, twice) finds nothing left to do."""
    today = today or china_today()
    actor = SystemActor()
    done = []
    ids = db.session.scalars(select(WarningNotice.id).where(
        WarningNotice.state.in_(LISTED_STATES), WarningNotice.expires_on.is_not(None),
        WarningNotice.expires_on <= today).order_by(WarningNotice.id)).all()
    for notice_id in ids:
        notice = db.session.get(WarningNotice, notice_id, with_for_update=True, populate_existing=True)
        if notice is None or notice.state not in LISTED_STATES:
            db.session.rollback()
            continue
        fire(notice, "expire", actor, None, {"today": today})
        db.session.commit()
        done.append(notice_id)
    return done


# --- guards ----------------------------------------------------------------------------------------------------
def statement_period_over(record, actor, ctx: Context) -> str | None:
    today = ctx.data.get("today") or china_today()
    if record.firm_statement_at is not None or (record.statement_due and today > record.statement_due):
        return None
    return "单位的陈述、申辩期尚未届满（%s）" % (record.statement_due.isoformat() if record.statement_due else "")


def own_firm(record, actor, ctx: Context) -> str | None:
    return None if getattr(actor, "firm_id", None) == record.firm_id else "只能就本单位的警示公告提出申请"


def not_removal_decider(record, actor, ctx: Context) -> str | None:
    if getattr(actor, "id", None) is not None and actor.id == record.removal_decided_by_id:
        return "同意移出的工作人员不能本人复核确认（须由另一名工作人员复核）"
    return None


def expiry_due(record, actor, ctx: Context) -> str | None:
    today = ctx.data.get("today") or china_today()
    if record.expires_on is None or today < record.expires_on:
        return "警示期限尚未届满"
    return None


# --- effects ---------------------------------------------------------------------------------------------------
def notify_firm_of_draft(record, result: TransitionResult, ctx: Context) -> None:
    record.notified_on = local_date(result.at)
    record.statement_due = add_period(record.notified_on, rules(ctx.pack).statement_period)


def publish_warning(record, result: TransitionResult, ctx: Context) -> None:
    record.issued_on = local_date(result.at)
    record.published_by_id = getattr(result.actor, "id", None)
    record.expires_on = add_period(record.issued_on, rules(ctx.pack).duration)


def record_removal_application(record, result: TransitionResult, ctx: Context) -> None:
    record.removal_application = result.comment or ""
    record.removal_decided_by_id = None


def decide_removal(record, result: TransitionResult, ctx: Context) -> None:
    record.removal_decided_by_id = getattr(result.actor, "id", None)


def lift_warning(record, result: TransitionResult, ctx: Context) -> None:
    record.lifted_on = local_date(result.at)
    if result.to_state == "expired":
        record.lift_reason = "expired"
    else:
        record.lift_reason = "rectified"
        record.removal_confirmed_by_id = getattr(result.actor, "id", None)


def register(registry: Registry = default_registry) -> None:
    from app.complaints.service import in_bureau

    registry.add_guard("in_bureau", in_bureau)
    registry.add_guard("statement_period_over", statement_period_over)
    registry.add_guard("own_firm", own_firm)
    registry.add_guard("not_removal_decider", not_removal_decider)
    registry.add_guard("expiry_due", expiry_due)
    registry.add_effect("notify_firm_of_draft", notify_firm_of_draft)
    registry.add_effect("publish_warning", publish_warning)
    registry.add_effect("record_removal_application", record_removal_application)
    registry.add_effect("decide_removal", decide_removal)
    registry.add_effect("lift_warning", lift_warning)
    registry.on_transition(on_case_decided)

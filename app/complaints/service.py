"""Complaints about a firm's service: intake, the bureau that takes them, scope, and the workflow's hooks.

workflows/definitions/complaint.yaml declares the states and moves; this module binds its guards and effects
and holds what the views share. Effects change the database inside the caller's transaction and never
commit; the view's one commit makes a move, its effects, its step and its audit entry final together.

Who sees what: clerks of the bureau handling a complaint (and provincial clerks, who supervise and receive
escalations) see all of it; the complainant sees the states and dates at /complaints/track; the firm sees
only `firm_summary`, the state and the outcome (firm_view), never the complainant or his or her words.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import or_, select

from app import audit
from app.extensions import db
from app.models import CaseAttachment, Complaint, ComplaintStep, Firm, User
from workflows.engine import Context, Registry, TransitionResult, default_registry, load_definition
from workflows.time_limits import china_today, local_date

OPEN_STATES = ("received", "assigned", "verifying")
ANSWERABLE_STATES = ("assigned", "verifying")  # the firm states its side before verification ends
FIRM_VISIBLE_STATES = ("verifying", "verified", "unfounded")  # once a clerk wrote the firm's summary
OUTCOMES = {"verified": "substantiated", "unfounded": "unsubstantiated", "dismissed": "refused"}
# What the complainant and the firm read for each state (never a clerk's comment).
PUBLIC_STATE_LABELS = {
    "received": "已收到，等待分派",
    "assigned": "已分派工作人员",
    "verifying": "正在核查",
    "verified": "查证属实",
    "unfounded": "查证不属实",
    "dismissed": "不予受理",
    "transferred": "已移送其他公安机关",
}
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


class ComplaintError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def current_pack():
    return current_app.extensions["jifang.pack"]


def workflow():
    return load_definition("complaint")


def context(data: dict | None = None) -> Context:
    return Context(pack=current_pack(), data=data or {})


# --- intake ---------------------------------------------------------------------------------------------
def new_reference(today: dt.date) -> str:
    """TS2026-ABCD-EFGH: 40 random bits, so a reference cannot be guessed (tracking also needs the phone)."""
    code = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"TS{today.year}-{code[:4]}-{code[4:]}"


def authority_for(firm: Firm | None, city_code: str | None, pack=None) -> str:
    """The bureau that takes a complaint: the firm's filing bureau; for a firm not in the register (or never
    filed) the bureau of the city where it happened; failing both, the provincial bureau."""
    pack = pack or current_pack()
    if firm is not None and firm.filing_authority_code and pack.authority(firm.filing_authority_code):
        return firm.filing_authority_code
    city = pack.city(city_code) or (pack.city(firm.city_code) if firm is not None else None)
    return city.authority if city else pack.provincial_authority.code


@dataclass
class Intake:
    firm_id: int | None
    firm_name: str
    firm_credit_code: str
    subject: str
    occurred_on: dt.date | None
    place: str
    city_code: str
    service_user: bool
    name: str
    phone: str
    email: str


def normalise_phone(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def submit(intake: Intake, files=(), now: dt.datetime | None = None) -> Complaint:
    """Record a complaint from anyone; the caller commits. Files are checked by content before anything is
    added (app.cases.attachments.store raises UploadRefused and leaves nothing behind)."""
    from app.cases import attachments as case_files

    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    firm = db.session.get(Firm, intake.firm_id) if intake.firm_id else None
    if firm is not None and firm.provisional:
        firm = None  # a self sign-up not yet in the register: named, not linked
    stored = []
    try:
        for f in files:
            stored.append((case_files.clean_filename(f.filename), case_files.store(f.stream)))
    except case_files.UploadRefused:
        for _name, s in stored:
            case_files.discard(s.stored_name)
        raise
    today = local_date(now.replace(tzinfo=dt.UTC))
    complaint = Complaint(
        reference=new_reference(today), received_on=today,
        firm_id=firm.id if firm else None,
        firm_name=firm.name if firm else intake.firm_name.strip(),
        firm_credit_code=firm.credit_code if firm else intake.firm_credit_code.strip().upper(),
        subject=intake.subject.strip(), occurred_on=intake.occurred_on, place=intake.place.strip(),
        city_code=intake.city_code or None, service_user=intake.service_user,
        complainant_name=intake.name.strip(), complainant_phone=normalise_phone(intake.phone),
        complainant_email=intake.email.strip(),
        authority_code=authority_for(firm, intake.city_code), state="received", state_entered_at=now,
        outcome="pending", created_at=now, sent_actions=[],
    )
    db.session.add(complaint)
    for name, s in stored:
        complaint.attachments.append(CaseAttachment(
            source="complainant", original_name=case_files.display_name(name, s.content_type),
            stored_name=s.stored_name, content_type=s.content_type, size=s.size, sha256=s.sha256, uploaded_at=now))
    complaint.steps.append(ComplaintStep(at=now, transition="submit", to_state="received",
                                         authority_code=complaint.authority_code))
    db.session.flush()
    # No personal data in the audit trail: the reference and the bureau are enough to find the record.
    audit.record("complaint.submitted", complaint, actor="public", detail={
        "reference": complaint.reference, "authority": complaint.authority_code, "firm": complaint.firm_id,
        "attachments": len(stored)})
    return complaint


def track(reference: str, phone: str) -> Complaint | None:
    """The complaint the reference names, only if the phone matches (compared in constant time)."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 24:
        return None
    found = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    given = normalise_phone(phone or "")
    if found is None or not given or not hmac.compare_digest(found.complainant_phone.encode(), given.encode()):
        return None
    return found


def public_steps(complaint: Complaint) -> list[dict]:
    """Date and state of each step, for the complainant: a transfer reads as such; no comment, no clerk."""
    rows = []
    for step in complaint.steps:
        key = "transferred" if step.transition == "transfer" else step.to_state
        rows.append({"at": step.at, "state": key, "label": PUBLIC_STATE_LABELS.get(key, key)})
    return rows


def find_firms(query: str, limit: int = 20) -> list[Firm]:
    """Register entries matching a name (two characters or more) or a credit code (prefix), for intake."""
    from app.services.name_index import name_filter

    query = " ".join((query or "").split())[:60]
    if len(query) < 2:
        return []
    stmt = select(Firm).where(Firm.provisional.is_(False))
    code = query.upper()
    if code.isalnum() and code.isascii() and any(ch.isdigit() for ch in code):
        stmt = stmt.where(Firm.credit_code.startswith(code))
    else:
        indexed = name_filter(query)
        if indexed is not None:
            stmt = stmt.where(indexed)
        stmt = stmt.where(Firm.name.contains(query, autoescape=True))
    return list(db.session.scalars(stmt.order_by(Firm.name).limit(limit)))


# --- clerks -----------------------------------------------------------------------------------------------
def _scope(user):
    if user.role == "provincial_clerk":
        return True
    return Complaint.authority_code == user.authority_code


def for_clerk(complaint_id: int, user) -> Complaint | None:
    """The complaint if the clerk's bureau handles it (a provincial clerk: any); else None (→ 404)."""
    found = db.session.get(Complaint, complaint_id)
    if found is None or found.reference is None and found.authority_code is None:
        return None
    if user.role == "provincial_clerk" or found.authority_code == user.authority_code:
        return found
    return None


def queue(user) -> list[Complaint]:
    return list(db.session.scalars(
        select(Complaint).where(Complaint.state.in_(OPEN_STATES), _scope(user), Complaint.authority_code.is_not(None))
        .order_by(Complaint.state_entered_at, Complaint.id)))


def recently_closed(user, limit: int = 20) -> list[Complaint]:
    return list(db.session.scalars(
        select(Complaint).where(Complaint.state.not_in(OPEN_STATES), _scope(user), Complaint.authority_code.is_not(None))
        .order_by(Complaint.id.desc()).limit(limit)))


def clerks_of(authority_code: str) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.authority_code == authority_code, User.role.in_(("city_clerk", "provincial_clerk")),
        User.active.is_(True)).order_by(User.username)))


def clock(complaint: Complaint):
    if complaint.state not in OPEN_STATES:
        return None
    return workflow().clock(complaint, context())


def fire(complaint: Complaint, transition: str, actor, comment: str | None, data: dict | None = None,
         now: dt.datetime | None = None) -> TransitionResult:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return workflow().fire(complaint, transition, actor, comment=comment, now=now, ctx=context(data))


def set_summary(complaint: Complaint, user, text: str) -> None:
    """The clerk's account of the complaint for the firm: what it is about, without who complained."""
    if complaint.state not in ("received", "assigned", "verifying"):
        raise ComplaintError("该投诉已办结，不能修改告知单位的摘要")
    complaint.firm_summary = text.strip()
    audit.record("complaint.summary_written", complaint, detail={"length": len(complaint.firm_summary)})


def add_evidence(complaint: Complaint, user, upload) -> CaseAttachment:
    from app.cases import attachments as case_files

    stored = case_files.store(upload.stream)
    attachment = CaseAttachment(
        complaint=complaint, source="clerk", uploaded_by_id=user.id,
        original_name=case_files.display_name(upload.filename, stored.content_type),
        stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size, sha256=stored.sha256)
    db.session.add(attachment)
    db.session.flush()
    audit.record("complaint.evidence_added", complaint, detail={"attachment": attachment.id, "sha256": stored.sha256})
    return attachment


# --- the firm -----------------------------------------------------------------------------------------------
def for_firm(firm_id: int | None) -> list[Complaint]:
    if firm_id is None:
        return []
    return list(db.session.scalars(
        select(Complaint).where(Complaint.firm_id == firm_id, Complaint.reference.is_not(None),
                                or_(Complaint.state.in_(FIRM_VISIBLE_STATES),
                                    Complaint.state.in_(ANSWERABLE_STATES) & (Complaint.firm_summary != "")))
        .order_by(Complaint.id.desc())))


def firm_view(complaint: Complaint) -> dict:
    """Everything the firm may read of a complaint about it, built field by field (never the record)."""
    return {
        "id": complaint.id,
        "received_on": complaint.received_on,
        "summary": complaint.firm_summary,
        "state": PUBLIC_STATE_LABELS.get(complaint.state, complaint.state),
        "answerable": complaint.state in ANSWERABLE_STATES,
        "answer": complaint.firm_answer,
        "answered_at": complaint.firm_answered_at,
        "closed_on": complaint.closed_on,
    }


def firm_complaint(complaint_id: int, user) -> Complaint | None:
    found = db.session.get(Complaint, complaint_id)
    if found is None or user.firm_id is None or found.firm_id != user.firm_id:
        return None
    return found if found in for_firm(user.firm_id) else None


def answer(complaint: Complaint, user, text: str, now: dt.datetime | None = None) -> None:
    """The firm's statement and defence (陈述、申辩), until verification ends."""
    if complaint.state not in ANSWERABLE_STATES:
        raise ComplaintError("核查已结束，不能再提交陈述、申辩")
    complaint.firm_answer = text.strip()
    complaint.firm_answered_at = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    audit.record("complaint.firm_answered", complaint, actor=user, detail={"length": len(complaint.firm_answer)})


# --- guards -------------------------------------------------------------------------------------------------
def in_bureau(record, actor, ctx: Context) -> str | None:
    """A clerk of the bureau handling the record; a provincial clerk supervises every bureau's records."""
    if getattr(actor, "role", None) == "provincial_clerk":
        return None
    if getattr(actor, "authority_code", None) != record.authority_code:
        return "该记录不由您所在的公安机关办理"
    return None


def summary_written(record, actor, ctx: Context) -> str | None:
    if record.firm_id is not None and not (record.firm_summary or "").strip():
        return "请先填写告知被投诉单位的投诉摘要（不含投诉人信息）"
    return None


def transfer_target(record, actor, ctx: Context) -> str | None:
    target = ctx.data.get("authority")
    if not target or ctx.pack.authority(target) is None:
        return "请选择移送的公安机关"
    if target == record.authority_code:
        return "不能移送给正在办理的公安机关"
    return None


# --- effects ------------------------------------------------------------------------------------------------
def assign_complaint(record, result: TransitionResult, ctx: Context) -> None:
    record.assignee_id = ctx.data.get("assignee_id") or getattr(result.actor, "id", None)
    record.assigned_at = result.at


def transfer_complaint(record, result: TransitionResult, ctx: Context) -> None:
    record.authority_code = ctx.data["authority"]
    record.assignee_id = None
    record.assigned_at = None
    record.sent_actions = []


def close_complaint(record, result: TransitionResult, ctx: Context) -> None:
    record.outcome = OUTCOMES[result.to_state]
    record.closed_on = local_date(result.at)


def open_warning_draft(record, result: TransitionResult, ctx: Context) -> None:
    """Art. 28: a user's complaint about the firm's service, verified as true, lists the firm (where the pack
    provides for the list, and for a firm in the register)."""
    from app.complaints import warnings

    if record.service_user and record.firm_id is not None and warnings.rules(ctx.pack) is not None:
        warnings.open_draft(record.firm, "service_complaint", result.actor, complaint=record, now=result.at)


def record_step(record, result: TransitionResult, ctx: Context) -> None:
    record.steps.append(ComplaintStep(
        at=result.at, transition=result.transition, to_state=result.to_state,
        actor_id=getattr(result.actor, "id", None), authority_code=record.authority_code,
        comment=result.comment or ""))


def register(registry: Registry = default_registry) -> None:
    registry.add_guard("in_bureau", in_bureau)
    registry.add_guard("summary_written", summary_written)
    registry.add_guard("transfer_target", transfer_target)
    registry.add_effect("assign_complaint", assign_complaint)
    registry.add_effect("transfer_complaint", transfer_complaint)
    registry.add_effect("close_complaint", close_complaint)
    registry.add_effect("open_warning_draft", open_warning_draft)
    registry.add_effect("record_step", record_step)


def today() -> dt.date:
    return china_today()

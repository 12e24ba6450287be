"""Filing requests: routing and what is missing (the rules are workflows/filing.py's, read from a request
here), drafts, transitions, scoping, queues, reminders.

Views call these; these call the workflow engine, whose listener writes the audit entry; each operation
ends with one commit. Every lookup a user makes by ID goes through `for_firm` or `for_clerk`, the only
places that decide which requests a user may see (another firm's or another city's answer None → 404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage

from app import audit
from app.extensions import db
from app.filings import uploads as filing_uploads
from app.models import FilingDocument, FilingMessage, FilingRequest, FilingStaff, Firm
from app.models.base import utcnow
from app.models.filing import OPEN_STATES
from forms.filing import LABELS, REASON_LABELS
from workflows import filing as filing_rules
from workflows.engine import (
    Context,
    DueAction,
    TransitionNotAllowed,
    TransitionResult,
    Workflow,
    load_definition,
)
from workflows.filing import (  # noqa: F401 - route_needs_city, uncovered_*: the views and guards call them here
    DETAIL_FIELDS,
    FilingFacts,
    route_needs_city,
    route_of,
    uncovered_message,
    uncovered_types,
    upload_materials,
)
from workflows.time_limits import Clock

REQUIRED_DETAIL_FIELDS = DETAIL_FIELDS  # every detail must be filled before submission


class FilingError(Exception):
    """An operation refused for a reason the user can act on; `message` is Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


STALE_MESSAGE = "该申请已被他人处理或已在其他页面中更改，请刷新页面后再操作"
ALREADY_OPEN_MESSAGE = "本单位已有一份未办结的申请，请先完成或撤回"


class StaleRequest(FilingError):
    """Someone acted on the request since this page was loaded (or at the same moment); nothing of this
    action was written."""

    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE)


def claim(request: FilingRequest, expected_version: int | None = None) -> None:
    """Take the request for this transaction before anything else is written: every action on a request
    is applied at most once.

    The UPDATE bumps the optimistic-lock version (FilingRequest.version) only if nobody else did since the
    request was read; it also takes the row's lock (PostgreSQL) or the database's write lock (SQLite), so
    a concurrent actor waits here, then finds the version moved on and gets StaleRequest, with its
    transaction rolled back. ``expected_version`` is the version the user's page showed (a hidden field):
    a page that is out of date is refused even when nobody is acting at this very moment.
    """
    if expected_version is not None and expected_version != request.version:
        db.session.rollback()
        raise StaleRequest()
    request.updated_at = utcnow()
    flag_modified(request, "updated_at")  # an UPDATE even when the clock reads the same (version check)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise StaleRequest() from None


def _commit() -> None:
    """Commit; a version conflict found only now (an object changed without a claim) is a stale page."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleRequest() from None


def current_pack():
    return current_app.extensions["jifang.pack"]


def workflow() -> Workflow:
    return load_definition("filing")


# --- routing and what is missing (the rules are workflows/filing.py's) ---------------------------------
def stage_names(pack, request: FilingRequest) -> list[str]:
    return filing_rules.stage_names(pack, request.route)


def context_for(request: FilingRequest, pack=None) -> Context:
    """Stages fixed at submission; a draft's are computed from the firm as it stands now."""
    pack = pack or current_pack()
    if request.state == "draft":
        name, stages = route_of(pack, request.firm.is_local, request.city_code)
    else:
        name, stages = request.route, list(request.stages or [])
    return Context(pack=pack, stages=tuple(stages), data={"route": name})


def facts_of(request: FilingRequest) -> FilingFacts:
    """The request as workflows/filing.py's rules read it."""
    return FilingFacts(
        kind=request.kind,
        is_local=request.firm.is_local,
        individual=request.firm.is_individual,
        city_code=request.city_code,
        texts={name: getattr(request, name) for name in (*DETAIL_FIELDS, "reason")},
        business_types=tuple(request.business_types or ()),
        staff_certificates=tuple(person.training_certificate for person in request.staff),
        uploaded=frozenset(d.material_code for d in request.current_documents),
    )


def missing_items(request: FilingRequest, pack) -> list[tuple[str, str]]:
    """(form field, Chinese label) of everything a submission still lacks."""
    names = {m.code: m.name for m in pack.filing.materials}
    items = []
    for item in filing_rules.missing(pack, facts_of(request)):
        if item.kind == "material":
            items.append((f"doc_{item.key}", names[item.key]))
        elif item.kind == "certificate":
            i, person = item.key, request.staff[item.key]
            items.append((f"staff-{i}-training_certificate", f"第{i + 1}名人员（{person.name}）的培训证书编号"))
        elif item.key == "reason":
            items.append(("reason", REASON_LABELS[request.kind]))
        else:
            items.append((item.key, LABELS[item.key]))
    return items


# --- scoping ------------------------------------------------------------------------------------------
def for_firm(request_id: int, user) -> FilingRequest | None:
    """The request if it belongs to the user's own firm, else None."""
    if user.firm_id is None:
        return None
    return db.session.scalar(
        select(FilingRequest).where(FilingRequest.id == request_id, FilingRequest.firm_id == user.firm_id)
    )


def for_clerk(request_id: int, user) -> FilingRequest | None:
    """The request if it has reached the clerk's bureau on its route (never a draft), else None."""
    request = db.session.get(FilingRequest, request_id)
    if request is None or not user.authority_code or user.authority_code not in request.reached_authorities():
        return None
    return request


def document_for(document_id: int, user) -> FilingDocument | None:
    """An uploaded file, for the firm that uploaded it or a clerk of a bureau its request reached."""
    document = db.session.get(FilingDocument, document_id)
    if document is None:
        return None
    if user.role == "firm":
        return document if user.firm_id is not None and document.request.firm_id == user.firm_id else None
    if user.is_clerk and for_clerk(document.request_id, user) is not None:
        return document
    return None


def firm_requests(firm_id: int) -> list[FilingRequest]:
    return list(
        db.session.scalars(
            select(FilingRequest).where(FilingRequest.firm_id == firm_id).order_by(FilingRequest.id.desc())
        )
    )


def open_request(firm_id: int) -> FilingRequest | None:
    return db.session.scalar(
        select(FilingRequest)
        .where(FilingRequest.firm_id == firm_id, FilingRequest.state.in_(OPEN_STATES))
        .order_by(FilingRequest.id.desc())
        .limit(1)
    )


def queue(user) -> list[FilingRequest]:
    """Requests waiting at the clerk's bureau, oldest first (time in the current stage)."""
    return list(
        db.session.scalars(
            select(FilingRequest)
            .where(FilingRequest.authority_code == user.authority_code, FilingRequest.state == "under_review")
            .order_by(FilingRequest.state_entered_at, FilingRequest.id)
        )
    )


def awaiting_firm(user) -> list[FilingRequest]:
    """Requests this bureau returned for correction: still open, waiting for the firm, oldest first (a
    returned request is not closed, so it is not listed among the decided ones)."""
    return list(
        db.session.scalars(
            select(FilingRequest)
            .where(FilingRequest.authority_code == user.authority_code, FilingRequest.state == "returned")
            .order_by(FilingRequest.state_entered_at, FilingRequest.id)
        )
    )


def receipt_number(request: FilingRequest) -> str | None:
    """The number the firm quotes when it asks about its request: the receiving bureau, the Beijing date of
    the first submission and the request's own number (unique, and readable over the phone)."""
    if request.submitted_at is None or not request.stages:
        return None
    from workflows.time_limits import local_date

    day = local_date(request.submitted_at)
    return f"{request.stages[0]}-{day:%Y%m%d}-{request.id:06d}"


def recently_decided(user, limit: int = 20) -> list[FilingRequest]:
    return list(
        db.session.scalars(
            select(FilingRequest)
            .where(
                FilingRequest.authority_code == user.authority_code,
                FilingRequest.state.not_in(("draft", "under_review", "returned")),
            )
            .order_by(FilingRequest.updated_at.desc())
            .limit(limit)
        )
    )


# --- time limits --------------------------------------------------------------------------------------
@dataclass
class _ClockView:
    """The request as the engine's clock sees it: its naive-UTC entry time made aware, so the working
    days count from the Beijing date, not the UTC one."""

    request: FilingRequest

    @property
    def state(self) -> str:
        return self.request.state

    @property
    def stage(self) -> int:
        return self.request.stage

    @property
    def sent_actions(self) -> list:
        return self.request.sent_actions or []

    @property
    def state_entered_at(self) -> dt.datetime:
        return self.request.state_entered_at.replace(tzinfo=dt.UTC)


def clock(request: FilingRequest, pack=None) -> Clock | None:
    return workflow().clock(_ClockView(request), Context(pack=pack or current_pack()))


def due_actions(today: dt.date, pack=None) -> list[DueAction]:
    """Reminders and escalations due today for every request under review (each sent once)."""
    records = [_ClockView(r) for r in db.session.scalars(select(FilingRequest).where(FilingRequest.state == "under_review"))]
    return workflow().due_actions(records, today, Context(pack=pack or current_pack()))


def record_due_actions(actions: Iterable[DueAction]) -> int:
    """Audit each reminder/escalation and remember its key on the request, one commit each.

    The key is written with a plain UPDATE, not through the ORM: a reminder is not an act on the request,
    so it leaves the request's version alone (a clerk whose page is open is not told it is stale) and
    takes the row before the audit trail's lock, in the same order as a clerk's decision (claim, then the
    audit entry), so the daily job and a clerk can never deadlock."""
    count = 0
    table = FilingRequest.__table__
    for action in actions:
        request = action.record.request
        keys = [*(request.sent_actions or []), action.key]
        db.session.execute(update(table).where(table.c.id == request.id).values(sent_actions=keys))
        audit.record(
            f"filing.{action.kind}",
            request,
            actor="system",
            detail={
                "kind": action.kind,
                "deadline": action.deadline.isoformat(),
                "roles": list(action.roles),
                "authority": request.authority_code,
                "key": action.key,
            },
        )
        db.session.commit()
        count += 1
    return count


# --- the firm's side ----------------------------------------------------------------------------------
def start_request(firm: Firm, kind: str, actor) -> FilingRequest:
    """A new draft: a first filing, or a change or cancellation of the filing in force, when the filing
    definition's `start` allows it (its roles and guards: filing enabled, one open request, a kind that fits
    the firm's filing status)."""
    # The guards read the would-be draft before anything is added to the session: a refusal writes nothing.
    proposed = SimpleNamespace(kind=kind, firm=firm, state="draft")
    try:
        workflow().check_start(proposed, actor, Context(pack=current_pack()))
    except TransitionNotAllowed as exc:
        raise FilingError(exc.message) from None
    request = FilingRequest(firm=firm, kind=kind, state="draft", stage=0, state_entered_at=utcnow())
    _prefill(request, firm)
    db.session.add(request)
    try:
        # The partial unique index "one open request per firm" refuses a second draft that a simultaneous
        # post (a double click, two tabs) inserted after the check above.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise FilingError(ALREADY_OPEN_MESSAGE) from None
    audit.record("filing.create", request, actor=actor, detail={"kind": kind, "firm_id": firm.id})
    db.session.commit()
    return request


def _prefill(request: FilingRequest, firm: Firm) -> None:
    """Start from what is on file: the last approved request, else the firm's own columns."""
    last = db.session.scalar(
        select(FilingRequest)
        .where(FilingRequest.firm_id == firm.id, FilingRequest.state.in_(("filed", "changed")))
        .order_by(FilingRequest.id.desc())
        .limit(1)
    )
    for name in ("name", "legal_rep", "registered_address", "premises_address", "contact_name", "contact_phone"):
        setattr(request, name, getattr(firm, name) or "")
    request.city_code = firm.city_code
    request.business_types = firm.business_type_codes
    if last is None:
        return
    request.equipment, request.management_rules = last.equipment, last.management_rules
    request.staff = [
        FilingStaff(name=s.name, id_number=s.id_number, role=s.role, training_certificate=s.training_certificate)
        for s in last.staff
    ]
    request.documents = [
        FilingDocument(
            material_code=d.material_code, original_name=d.original_name, stored_name=d.stored_name,
            content_type=d.content_type, size=d.size, sha256=d.sha256, uploaded_by_id=d.uploaded_by_id,
            uploaded_at=d.uploaded_at,
        )
        for d in last.current_documents
    ]


def _editable(request: FilingRequest, expected_version: int | None = None) -> None:
    """Refuse a request that is no longer the firm's to edit, then claim it (see claim)."""
    if not request.is_editable:
        raise FilingError("申请已提交审核，不能修改")
    claim(request, expected_version)


def save_draft(
    request: FilingRequest,
    details: Mapping,
    staff: list[Mapping] | None,
    uploads: Mapping[str, FileStorage | None],
    actor,
    expected_version: int | None = None,
) -> dict[str, str]:
    """Store what the firm typed and uploaded; returns refused uploads by field name (the rest is kept)."""
    _editable(request, expected_version)
    pack = current_pack()
    for name, value in details.items():
        if name == "business_types":
            known = {b.code for b in pack.filing.business_types}
            value = [code for code in value if code in known]
        setattr(request, name, value)
    if staff is not None:
        request.staff = [FilingStaff(**row) for row in staff]
    errors, added, replaced = _add_uploads(request, uploads, actor, pack)
    audit.record("filing.save_draft", request, actor=actor, detail={"uploads": added})
    _commit_then_discard(replaced)
    return errors


def store_uploads(request: FilingRequest, uploads: Mapping[str, FileStorage | None], actor,
                  expected_version: int | None = None) -> dict[str, str]:
    """Keep the files of a post whose other fields were refused: they belong to the draft (each file still
    passes its content checks), so the firm never has to choose them again. Returns refused uploads."""
    if not any(storage is not None and storage.filename for storage in uploads.values()):
        return {}
    _editable(request, expected_version)
    errors, added, replaced = _add_uploads(request, uploads, actor, current_pack())
    if added:
        audit.record("filing.upload", request, actor=actor, detail={"uploads": added})
    _commit_then_discard(replaced)
    return errors


def _add_uploads(request: FilingRequest, uploads: Mapping[str, FileStorage | None], actor, pack):
    """Check and store each upload; a new file of a material replaces the request's earlier one(s).

    Returns (refused by field name, audit detail of the files added, stored names of the replaced files),
    flushed but not committed.
    """
    errors: dict[str, str] = {}
    allowed = {m.code for m in upload_materials(pack, request.firm.is_local, request.firm.is_individual)}
    added, replaced = [], []
    for field_name, storage in uploads.items():
        code = field_name.removeprefix("doc_")
        if storage is None or not storage.filename or code not in allowed:
            continue
        try:
            stored = filing_uploads.store(storage.stream)
        except filing_uploads.UploadRefused as exc:
            errors[field_name] = exc.args[0]
            continue
        for old in request.documents_for(code):
            if _kept_in_history(request, old):
                old.replaced_at = utcnow()
            else:
                replaced.append(old.stored_name)
                request.documents.remove(old)
        request.documents.append(
            FilingDocument(
                material_code=code, original_name=filing_uploads.display_name(storage.filename, stored.content_type),
                stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                sha256=stored.sha256, uploaded_by_id=actor.id,
            )
        )
        added.append({"material": code, "sha256": stored.sha256, "size": stored.size})
    db.session.flush()
    return errors, added, replaced


def _commit_then_discard(stored_names: Iterable[str]) -> None:
    """Commit, and only then delete the files no row refers to any more (a change request shares its
    predecessor's files). A failed commit raises before any file is touched, so a row that survives a
    rollback never loses its file."""
    _commit()
    for stored_name in dict.fromkeys(stored_names):
        filing_uploads.discard(stored_name)


def delete_document(request: FilingRequest, document_id: int, actor, expected_version: int | None = None) -> None:
    _editable(request, expected_version)
    document = next((d for d in request.current_documents if d.id == document_id), None)
    if document is None:
        raise FilingError("材料不存在")
    kept = _kept_in_history(request, document)
    if kept:
        document.replaced_at = utcnow()
    else:
        request.documents.remove(document)
    db.session.flush()
    audit.record(
        "filing.delete_document", request, actor=actor,
        detail={"material": document.material_code, "sha256": document.sha256},
    )
    _commit_then_discard([] if kept else [document.stored_name])


def _kept_in_history(request: FilingRequest, document: FilingDocument) -> bool:
    """A material a bureau may have seen stays in the request's history when replaced or removed: the
    request was submitted once, or the file came with the filing in force (a change starts from it). Only
    a never-submitted draft's own earlier upload is really deleted."""
    if request.submitted_at is not None:
        return True
    return db.session.scalar(
        select(FilingDocument.id).where(
            FilingDocument.stored_name == document.stored_name, FilingDocument.request_id != request.id
        ).limit(1)
    ) is not None


def withdraw(request: FilingRequest, actor, expected_version: int | None = None) -> TransitionResult:
    """The firm takes its request back. A draft no bureau has seen loses its materials (rows and, after the
    commit, the files); a request that reached a bureau keeps them as part of what that bureau received."""
    never_sent = request.state == "draft"
    result = _fire(request, "withdraw", actor, expected_version=expected_version)
    discarded = []
    if never_sent:
        discarded = [d.stored_name for d in request.documents]
        request.documents.clear()
        db.session.flush()
    _commit_then_discard(discarded)
    return result


# --- transitions --------------------------------------------------------------------------------------
def fire(request: FilingRequest, transition: str, actor, comment: str | None = None,
         expected_version: int | None = None) -> TransitionResult:
    """Fire a transition (the audit listener records it) and commit; TransitionNotAllowed if refused,
    StaleRequest if someone acted on the request first (then nothing is written)."""
    result = _fire(request, transition, actor, comment, expected_version)
    _commit()
    return result


def _fire(request: FilingRequest, transition: str, actor, comment: str | None = None,
          expected_version: int | None = None) -> TransitionResult:
    pack = current_pack()
    # Claimed before the check and the effects: of two simultaneous approvals the second waits here, then
    # is told the page is stale, and never touches the filing-number counter.
    claim(request, expected_version)
    try:
        result = workflow().fire(request, transition, actor, comment=comment, now=utcnow(),
                                 ctx=context_for(request, pack))
    except TransitionNotAllowed:
        db.session.rollback()  # the claim too: a refused action leaves the request as it was
        raise
    if request.state == "under_review":
        request.authority_code = request.stages[request.stage]
    if result.transition == "return_for_correction":
        # What the bureau saw: the resubmission's review shows what the firm changed since.
        from app.filings.changes import snapshot

        request.review_snapshot = snapshot(request)
    if getattr(actor, "role", None) == "firm" and result.comment:
        db.session.add(
            FilingMessage(
                request=request, author_id=actor.id, from_firm=True, author_label=request.firm.name,
                transition=result.transition, body=result.comment, created_at=result.at,
            )
        )
    return result


def submit(request: FilingRequest, actor, answer: str | None = None,
           expected_version: int | None = None) -> TransitionResult:
    """First submission from a draft, or resubmission after a return (with the firm's answer)."""
    return fire(request, "submit" if request.state == "draft" else "resubmit", actor, comment=answer,
                expected_version=expected_version)


def decide(request: FilingRequest, action: str, clerk, comment: str | None,
           expected_version: int | None = None) -> TransitionResult:
    """Fire the transition filing.yaml declares for this decision and the request's kind."""
    transition = workflow().for_decision(action, request)
    if transition is None:
        raise FilingError("未知的审核决定")
    return fire(request, transition.name, clerk, comment=comment, expected_version=expected_version)


def available_decisions(request: FilingRequest, clerk) -> set[str]:
    return {t.decision for t in workflow().available(request, clerk, context_for(request)) if t.decision}


def correct_locality(request: FilingRequest, clerk, is_local: bool, reason: str,
                     expected_version: int | None = None) -> TransitionResult:
    """A clerk overrides the credit code's reading of in/out of province: filing.yaml's correct_locality
    (the holding bureau only; the new route must be known), which re-routes the request from its first stage
    and makes the clerk an editor, so he or she may no longer approve it."""
    pack = current_pack()
    firm = request.firm
    route_name, stages = route_of(pack, is_local, request.city_code)
    before = {"is_local": firm.is_local, "route": request.route, "stages": list(request.stages or [])}
    base = context_for(request, pack)
    ctx = Context(pack=pack, stages=base.stages, data={**base.data, "is_local": is_local},
                  audit={"before": before, "reason": reason,
                         "after": {"is_local": is_local, "route": route_name, "stages": stages}})
    claim(request, expected_version)
    try:
        result = workflow().fire(request, "correct_locality", clerk, comment=reason, now=utcnow(), ctx=ctx)
    except TransitionNotAllowed as exc:
        db.session.rollback()
        raise FilingError(exc.message) from None
    if request.state == "under_review":
        request.authority_code = request.stages[0]
    _commit()
    return result

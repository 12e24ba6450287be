"""Penalty cases run in the system: opening (立案), orders to correct, the procedure's guards and effects, scope.

workflows/definitions/penalty_case.yaml and order_to_correct.yaml declare the states and moves; this module
binds their guards and effects and holds what the views share. Effects change the database inside the
caller's transaction and never commit; the view's one commit makes a move, its effects, its step and its
audit entry final together.

How another part of the app moves a case (payments, enforcement…):

    case = penalty_cases.for_user(case_id, user)           # None → 404 (another bureau's case)
    penalty_cases.claim(case, page_version)                # optimistic lock: a stale page is refused
    penalty_cases.fire(case, "serve", user, comment, {"served_on": date, "method": "direct"})
    db.session.commit()

`fire` raises workflows.engine.TransitionNotAllowed (its `.message` is the Chinese refusal). `today` for the
guards is the bureau's date (china_today) unless the data names one.

Who sees what: staff of the bureau running a case (clerks, 法制审核人员, 行政机关负责人) and the staff of the
provincial bureau, which supervises (it sees every case; only the case's own bureau acts on it). Any other
account gets 404 for every /cases page of the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.extensions import db
from app.models import CaseAttachment, CaseNumberCounter, CaseStep, Firm, OrderToCorrect, PenaltyCase, User
from app.models.cases import NO_PENALTY_REASONS, SERVICE_METHODS
from app.security import CASE_STAFF
from reports.money import fen_to_yuan_short_text
from workflows import case_periods
from workflows.case_periods import CalendarNotCovered
from workflows.engine import Context, Registry, TransitionResult, default_registry, load_definition
from workflows.penalty import CalculationError, calculate, pack_for
from workflows.time_limits import china_today, local_date

# Before the decision: the 90 days of art. 60 run; the bureau head may still transfer the case.
OPEN_STATES = ("opened", "investigating", "proposed", "notified", "hearing", "legal_review", "reviewed")
ACTIVE_STATES = (*OPEN_STATES, "decided", "served")
ENDED_STATES = ("closed", "no_penalty", "transferred", "withdrawn")
PARTY_TYPE_FOR_ID = {"credit_code": "unit", "resident_id": "individual", "passport": "individual"}


class CaseError(Exception):
    """A request the case cannot take; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def current_pack():
    return current_app.extensions["jifang.pack"]


def penalty_pack():
    return pack_for(current_pack().code)


def workflow():
    return load_definition("penalty_case")


def order_workflow():
    return load_definition("order_to_correct")


def context(data: dict | None = None) -> Context:
    data = dict(data or {})
    data.setdefault("today", china_today())
    return Context(pack=current_pack(), data=data)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- scope --------------------------------------------------------------------------------------------------
def is_provincial(user) -> bool:
    authority = current_pack().authority(getattr(user, "authority_code", None) or "")
    return authority is not None and authority.level == "provincial"


def can_see(record, user) -> bool:
    if getattr(user, "role", None) not in CASE_STAFF or not getattr(user, "authority_code", None):
        return False
    if record is None or record.authority_code is None:
        return False
    return record.authority_code == user.authority_code or is_provincial(user)


def for_user(case_id: int, user) -> PenaltyCase | None:
    """The case if the user's bureau runs it (or the user is of the provincial bureau); else None (→ 404)."""
    found = db.session.get(PenaltyCase, case_id)
    return found if can_see(found, user) else None


def order_for_user(order_id: int, user) -> OrderToCorrect | None:
    found = db.session.get(OrderToCorrect, order_id)
    return found if can_see(found, user) else None


def _scoped(stmt, model, user):
    if is_provincial(user):
        return stmt.where(model.authority_code.is_not(None))
    return stmt.where(model.authority_code == user.authority_code)


def cases_for(user, state: str | None = None, limit: int = 200) -> list[PenaltyCase]:
    stmt = _scoped(select(PenaltyCase), PenaltyCase, user)
    if state == "open":
        stmt = stmt.where(PenaltyCase.state.in_(ACTIVE_STATES))
    elif state == "ended":
        stmt = stmt.where(PenaltyCase.state.in_(ENDED_STATES))
    elif state:
        stmt = stmt.where(PenaltyCase.state == state)
    return list(db.session.scalars(stmt.order_by(PenaltyCase.id.desc()).limit(limit)))


def orders_for(user, pending_only: bool = False) -> list[OrderToCorrect]:
    stmt = _scoped(select(OrderToCorrect), OrderToCorrect, user)
    if pending_only:
        stmt = stmt.where(OrderToCorrect.state == "issued")
    return list(db.session.scalars(stmt.order_by(OrderToCorrect.id.desc()).limit(200)))


def waiting_for(user) -> list[PenaltyCase]:
    """The cases waiting on this user's role in the user's own bureau."""
    states = {"legal_reviewer": ("legal_review",), "bureau_head": ("reviewed",)}.get(
        user.role, ("opened", "investigating", "proposed", "notified", "hearing", "decided", "served"))
    return list(db.session.scalars(select(PenaltyCase).where(
        PenaltyCase.authority_code == user.authority_code, PenaltyCase.state.in_(states)).order_by(PenaltyCase.id)))


# --- numbers ------------------------------------------------------------------------------------------------
def next_sequence(authority_code: str, year: int, series: str) -> int:
    """Take the next number of a bureau's series in a year; the caller's commit makes it final.

    INSERT .. ON CONFLICT DO NOTHING creates the row, one UPDATE .. RETURNING takes the number: on PostgreSQL
    the row lock is held to the commit, so a concurrent opening waits and reads the committed value; a
    rolled-back opening takes its increment back with it. SQLite serialises writers. case_number's unique
    constraint is the last line of defence."""
    session = db.session
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(CaseNumberCounter).values(authority_code=authority_code, year=year, series=series,
                                                     last_seq=0)
                    .on_conflict_do_nothing(index_elements=["authority_code", "year", "series"]))
    table = CaseNumberCounter.__table__
    return session.execute(
        update(table)
        .where(table.c.authority_code == authority_code, table.c.year == year, table.c.series == series)
        .values(last_seq=table.c.last_seq + 1).returning(table.c.last_seq)).scalar_one()


def new_number(series: str, authority_code: str, year: int) -> str:
    authority = current_pack().authority(authority_code)
    seq = next_sequence(authority_code, year, series)
    others = [(a.code, a.name) for a in current_pack().authorities]
    return penalty_pack().numbering.number(series, code=authority_code, name=authority.name, year=year, seq=seq,
                                           others=others)


# --- opening ------------------------------------------------------------------------------------------------
@dataclass
class Party:
    name: str
    id_type: str  # credit_code | resident_id | passport
    id_number: str
    address: str = ""
    firm_id: int | None = None


@dataclass
class Opening:
    party: Party
    provision_code: str
    item: int | None
    act_date: dt.date
    discovered_on: dt.date
    facts: str


def provision_groups(pack=None) -> list[dict]:
    """The pack's provisions by article, each with its items (for the opening form's choices)."""
    pack = pack or penalty_pack()
    groups: dict[int, dict] = {}
    for provision in pack.provisions:
        article = provision.reference.article
        group = groups.setdefault(article, {"article": article, "label": provision.reference.label(), "choices": []})
        if provision.items:
            for item in provision.items:
                group["choices"].append((f"{provision.code}#{item.number}", f"{provision.cited(item).label()} {item.title}"))
        else:
            group["choices"].append((f"{provision.code}#", f"{provision.reference.label()} {provision.title}"))
    return [groups[k] for k in sorted(groups)]


def split_choice(choice: str) -> tuple[str, int | None]:
    code, _, item = (choice or "").partition("#")
    return code, int(item) if item.isdigit() else None


def check_opening(opening: Opening, today: dt.date, *, from_order: bool = False) -> None:
    """Refuse what cannot be opened, naming the field."""
    pack = penalty_pack()
    try:
        provision = pack.provision(opening.provision_code)
    except KeyError:
        raise CaseError("请选择违反的条款", "provision") from None
    if provision.items and opening.item is None:
        raise CaseError("请选择条款中的具体项", "provision")
    if opening.item is not None and provision.item(opening.item) is None:
        raise CaseError("该条没有所选的项", "provision")
    if opening.act_date > today:
        raise CaseError("违法行为日期不能晚于今天", "act_date")
    if opening.discovered_on > today:
        raise CaseError("发现日期不能晚于今天", "discovered_on")
    if opening.discovered_on < opening.act_date:
        raise CaseError("发现日期不能早于违法行为日期", "discovered_on")
    if provision.order_to_correct_first and not from_order:
        raise CaseError("本条以责令限期改正、逾期不改正为罚款的前提：请先发出责令限期改正通知，期限届满仍未改正的再立案",
                        "provision")
    if opening.party.id_type not in PARTY_TYPE_FOR_ID:
        raise CaseError("请选择证件类型", "id_type")


def _store_files(files, user, now):
    from app.cases import attachments as case_files

    stored = []
    try:
        for f in files:
            s = case_files.store(f.stream)
            stored.append(CaseAttachment(
                source="clerk", uploaded_by_id=user.id, uploaded_at=now,
                original_name=case_files.display_name(case_files.clean_filename(f.filename), s.content_type),
                stored_name=s.stored_name, content_type=s.content_type, size=s.size, sha256=s.sha256))
    except case_files.UploadRefused:
        for a in stored:
            case_files.discard(a.stored_name)
        raise
    return stored


def open_case(opening: Opening, user, files=(), *, order: OrderToCorrect | None = None,
              now: dt.datetime | None = None) -> PenaltyCase:
    """立案 (art. 54): number the case, record its party, provision, dates, facts and evidence; the caller
    commits. Files are checked by content before anything is written (UploadRefused)."""
    now = now or _now()
    today = local_date(now.replace(tzinfo=dt.UTC))
    check_opening(opening, today, from_order=order is not None)
    attachments = _store_files(files, user, now)
    party = opening.party
    firm = db.session.get(Firm, party.firm_id) if party.firm_id else None
    case = PenaltyCase(
        case_number=new_number("case", user.authority_code, today.year), authority_code=user.authority_code,
        jurisdiction=current_pack().code, firm_id=firm.id if firm else None,
        party_name=firm.name if firm else party.name.strip(), party_type=PARTY_TYPE_FOR_ID[party.id_type],
        party_id_type=party.id_type, party_id_number=party.id_number,
        credit_code=party.id_number if party.id_type == "credit_code" else None,
        party_address=party.address.strip(), provision_code=opening.provision_code, provision_item=opening.item,
        act_date=opening.act_date, discovered_on=opening.discovered_on, facts=opening.facts.strip(),
        opened_on=today, opened_by_id=user.id, order_id=order.id if order else None, state="opened",
        state_entered_at=now, outcome="pending", editor_ids=[user.id], sent_actions=[], created_at=now)
    db.session.add(case)
    case.attachments.extend(attachments)
    case.steps.append(CaseStep(at=now, transition="open", from_state="", to_state="opened", actor_id=user.id,
                               comment=f"责令限期改正 {order.number} 逾期未改正" if order else ""))
    db.session.flush()
    audit.record("penalty_case.opened", case, actor=user, detail={
        "case_number": case.case_number, "authority": case.authority_code, "provision": case.provision_code,
        "item": case.provision_item, "firm": case.firm_id, "order": case.order_id, "attachments": len(attachments)})
    return case


def issue_order(opening: Opening, user, *, issued_on: dt.date, deadline: dt.date,
                now: dt.datetime | None = None) -> OrderToCorrect:
    """责令限期改正 on inspection: the party, the provision and the last day to correct."""
    now = now or _now()
    today = local_date(now.replace(tzinfo=dt.UTC))
    check_opening(opening, today, from_order=True)
    if issued_on > today:
        raise CaseError("发出日期不能晚于今天", "issued_on")
    if deadline <= issued_on:
        raise CaseError("改正期限须晚于发出日期", "deadline")
    party = opening.party
    firm = db.session.get(Firm, party.firm_id) if party.firm_id else None
    order = OrderToCorrect(
        number=new_number("order", user.authority_code, issued_on.year), authority_code=user.authority_code,
        jurisdiction=current_pack().code, firm_id=firm.id if firm else None,
        party_name=firm.name if firm else party.name.strip(), party_type=PARTY_TYPE_FOR_ID[party.id_type],
        party_id_type=party.id_type, party_id_number=party.id_number, party_address=party.address.strip(),
        provision_code=opening.provision_code, provision_item=opening.item, act_date=opening.act_date,
        discovered_on=opening.discovered_on, facts=opening.facts.strip(), issued_on=issued_on, deadline=deadline,
        issued_by_id=user.id, state="issued", state_entered_at=now, editor_ids=[user.id], created_at=now)
    db.session.add(order)
    db.session.flush()
    audit.record("order_to_correct.issued", order, actor=user, detail={
        "number": order.number, "provision": order.provision_code, "item": order.provision_item,
        "deadline": deadline.isoformat(), "firm": order.firm_id})
    return order


def find_firms(user, query: str, limit: int = 20) -> list[Firm]:
    """Register entries of the user's bureau (the provincial bureau: all) by name or credit code."""
    from app.complaints.service import find_firms as search

    firms = search(query, limit=100)
    if is_provincial(user):
        return firms[:limit]
    cities = {c.code for c in current_pack().cities if c.authority == user.authority_code}
    return [f for f in firms if f.filing_authority_code == user.authority_code or f.city_code in cities][:limit]


# --- moving a case ------------------------------------------------------------------------------------------
def claim(record, page_version: str | int | None) -> None:
    """Take the record for this move before anything else is written, or refuse with StaleDataError (answered
    409 "please reload", nothing written): a page showing an older version is refused at once; of two posts
    at the same moment the UPDATE checked against the version lets one through, the other matches no row."""
    if page_version not in (None, "") and str(page_version) != str(record.version):
        raise StaleDataError(f"{type(record).__name__} {record.id}: page shows version {page_version}")
    flag_modified(record, "state")
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise


def fire(case, transition: str, actor, comment: str | None = None, data: dict | None = None,
         now: dt.datetime | None = None) -> TransitionResult:
    return workflow().fire(case, transition, actor, comment=comment, now=now or _now(), ctx=context(data))


def fire_order(order, transition: str, actor, comment: str | None = None, now: dt.datetime | None = None):
    return order_workflow().fire(order, transition, actor, comment=comment, now=now or _now(), ctx=context())


def available(case, user, data: dict | None = None):
    return workflow().available(case, user, context(data))


def clock(case):
    if case.state not in (*OPEN_STATES, "decided"):
        return None
    try:
        return workflow().clock(case, context())
    except CalendarNotCovered:
        return None


def propose(case, user, *, tier: str, amount_yuan: int, severe: bool, illegal_gains: int, mitigated: bool,
            outside_tier_reason: str, serious: bool, today: dt.date | None = None) -> dict:
    """拟处罚: check the amount with the calculator and record the proposal (the caller then fires `propose`).

    Within the article's range; below its minimum only as 减轻 (art. 32), which then needs a collective
    discussion before the decision; a written reason when outside the recommended tier. Raises CaseError
    naming the field."""
    today = today or china_today()
    pack = penalty_pack()
    facts = {"party": case.party_type, "act_date": case.act_date.isoformat(), "tier": tier, "severe": severe,
             "illegal_gains": illegal_gains, "item": case.provision_item, "today": today,
             "discovered_on": case.discovered_on.isoformat() if case.discovered_on else None}
    try:
        base = calculate(pack, case.provision_code, {k: v for k, v in facts.items() if k != "today"} | {})
    except CalculationError as exc:
        raise CaseError(exc.message, "amount") from None
    line = next((li for li in base.fines if li.target == case.party_type and li.basis is None), None)
    if base.time_barred:
        raise CaseError("违法行为已超过追责时效，应当不予行政处罚（《行政处罚法》第三十六条）", "amount")
    if line is None:
        raise CaseError("依所选条款，对该当事人不适用罚款：请由负责人决定不予处罚或撤销立案", "amount")
    if amount_yuan > line.max:
        raise CaseError(f"拟罚款数额不得高于本条规定的上限{line.max}元", "amount")
    if amount_yuan < line.min:
        if not mitigated:
            raise CaseError(f"拟罚款数额低于本条规定的下限{line.min}元：只有依照《行政处罚法》第三十二条减轻处罚时才可以，"
                            "并须经集体讨论", "amount")
        result, hearing = base, amount_yuan >= (pack.thresholds.hearing.unit if case.party_type == "unit"
                                                else pack.thresholds.hearing.individual)
    else:
        mitigated = False
        try:
            result = calculate(pack, case.provision_code, {**{k: v for k, v in facts.items() if k != "today"},
                                                         "proposed_amount": amount_yuan})
        except CalculationError as exc:
            raise CaseError(exc.message, "amount") from None
        hearing = result.hearing_notice
    low, high = _tier_bounds(pack, line, tier)
    outside = line.min != line.max and not low <= amount_yuan <= high
    if (outside or mitigated) and not outside_tier_reason.strip():
        raise CaseError(f"拟罚款数额不在所选裁量档（{low}元至{high}元）内：请写明理由", "outside_tier_reason")
    case.tier = tier
    case.proposed_fen = amount_yuan * 100
    case.mitigated = mitigated
    case.serious = bool(serious)
    case.outside_tier_reason = outside_tier_reason.strip() if (outside or mitigated) else ""
    case.hearing_offered = bool(hearing)
    case.proposal = {
        "citation": result.citation, "min": line.min, "max": line.max, "recommended": line.recommended,
        "tier": tier, "tier_range": [low, high], "amount": amount_yuan, "severe": severe,
        "illegal_gains": illegal_gains, "hearing_notice": bool(hearing), "mitigated": mitigated,
        "legal_review_required": result.legal_review_required, "confiscate": result.confiscate_illegal_gains,
        "measures": result.measures, "limitation_expires_on": result.limitation_expires_on.isoformat(),
        "overlaps": result.overlaps,
    }
    return case.proposal


def _tier_bounds(pack, line, tier: str) -> tuple[int, int]:
    t = pack.thresholds.tiers.tier(tier)
    span = line.max - line.min
    return line.min + span * t.lower // 100, line.min + span * t.upper // 100


def link_same_act(case, other_number: str, user) -> PenaltyCase:
    """Art. 29: the clerk links two cases of the bureau about one and the same act."""
    other = db.session.scalar(select(PenaltyCase).where(PenaltyCase.case_number == other_number.strip()))
    if other is None or other.id == case.id or other.authority_code != case.authority_code:
        raise CaseError("未找到本机关的该案件编号", "other")
    group = case.same_act_group or other.same_act_group or min(case.id, other.id)
    for c in {case, other} | set(same_act(case)) | set(same_act(other)):
        c.same_act_group = group
    audit.record("penalty_case.linked", case, actor=user, detail={"other": other.id, "group": group})
    return other


def same_act(case) -> list[PenaltyCase]:
    if case.same_act_group is None:
        return []
    return list(db.session.scalars(select(PenaltyCase).where(
        PenaltyCase.same_act_group == case.same_act_group, PenaltyCase.id != case.id).order_by(PenaltyCase.id)))


def add_evidence(case, user, uploads, now: dt.datetime | None = None) -> list[CaseAttachment]:
    if case.state in ENDED_STATES:
        raise CaseError("案件已办结，不能再添加证据")
    attachments = _store_files(uploads, user, now or _now())
    case.attachments.extend(attachments)
    db.session.flush()
    for a in attachments:
        audit.record("penalty_case.evidence_added", case, actor=user, detail={"attachment": a.id, "sha256": a.sha256})
    return attachments


def offer_warning(case, user):
    """Art. 28 (where the pack has a warning list): a draft warning notice about the decided case's firm."""
    from app.complaints import warnings

    if warnings.rules() is None:
        raise CaseError("本辖区适用的法规没有规定警示名单")
    try:
        return warnings.draft_from_case(case, user)
    except warnings.WarningError as exc:
        raise CaseError(exc.message) from None


def warning_of(case):
    from app.models import WarningNotice

    return db.session.scalar(select(WarningNotice).where(WarningNotice.case_id == case.id).limit(1))


def user_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return (user.display_name or user.username) if user else ""


# --- guards -------------------------------------------------------------------------------------------------
def _today(ctx: Context) -> dt.date:
    return ctx.data.get("today") or china_today()


def _period(name: str, day: dt.date) -> dt.date | str:
    try:
        return case_periods.period_end(name, day)
    except CalendarNotCovered as exc:
        return exc.message


def in_case_bureau(record, actor, ctx: Context) -> str | None:
    if record.authority_code is None or getattr(actor, "authority_code", None) != record.authority_code:
        return "该案件不由您所在的公安机关办理"
    return None


def proposal_ready(record, actor, ctx: Context) -> str | None:
    if record.proposal is None or record.proposed_fen is None:
        return "请先依照罚则拟定处罚意见"
    return None


def notice_date_valid(record, actor, ctx: Context) -> str | None:
    day = ctx.data.get("notified_on")
    if not isinstance(day, dt.date):
        return "请填写告知日期"
    if day > _today(ctx) or (record.opened_on and day < record.opened_on):
        return "告知日期应在立案之后、不晚于今天"
    if record.hearing_offered:
        due = _period("hearing_request", day)
        if isinstance(due, str):
            return due
    return None


def hearing_request_in_time(record, actor, ctx: Context) -> str | None:
    if not record.hearing_offered:
        return "拟处罚数额未达到听证标准，未告知听证权利"
    day = ctx.data.get("requested_on")
    if not isinstance(day, dt.date):
        return "请填写当事人申请听证的日期"
    if day > _today(ctx) or day < record.notified_on:
        return "申请日期应在告知之后、不晚于今天"
    if record.hearing_request_due and day > record.hearing_request_due:
        return (f"当事人应在告知后五个工作日内（{record.hearing_request_due.isoformat()}前）提出听证申请，"
                "逾期提出的不予听证（《行政处罚法》第六十四条）")
    return None


def hearing_window_over(record, actor, ctx: Context) -> str | None:
    if record.state == "hearing":
        held = ctx.data.get("hearing_held_on")
        if not isinstance(held, dt.date):
            return "请填写听证举行的日期"
        if held > _today(ctx) or (record.hearing_requested_on and held < record.hearing_requested_on):
            return "听证日期应在申请之后、不晚于今天"
        if record.hearing_on and held < record.hearing_on:  # scheduled (app/cases/hearing_routes.py)
            return (f"听证安排在{record.hearing_on.isoformat()}举行，举行日期不能早于通知的日期"
                    "（改期的，请先变更听证安排并重新通知）")
        return None
    if record.hearing_offered and not ctx.data.get("waived") and record.hearing_request_due \
            and _today(ctx) <= record.hearing_request_due:
        return (f"听证申请期限至{record.hearing_request_due.isoformat()}届满，期满前不能提交审核"
                "（当事人明确放弃听证的除外）")
    return None


def discussion_given(record, actor, ctx: Context) -> str | None:
    day = ctx.data.get("discussed_on")
    if not (ctx.data.get("discussion") or "").strip():
        return "请填写集体讨论的记录"
    if not isinstance(day, dt.date) or day > _today(ctx):
        return "请填写集体讨论的日期（不晚于今天）"
    return None


def discussed_if_required(record, actor, ctx: Context) -> str | None:
    if (record.serious or record.mitigated) and not (record.collective_discussion or "").strip():
        why = "减轻处罚" if record.mitigated else "情节复杂或者重大违法行为"
        return f"{why}的案件，须经行政机关负责人集体讨论决定（《行政处罚法》第五十七条第二款）：请先记录集体讨论"
    return None


def single_fine(record, actor, ctx: Context) -> str | None:
    """Art. 29: one act, one fine, the higher provision's."""
    for other in same_act(record):
        if other.outcome == "fined":
            return (f"同一违法行为已由案件 {other.case_number} 处以罚款，不得再次罚款（《行政处罚法》第二十九条）")
        if other.state not in ENDED_STATES and (other.proposed_fen or 0) > (record.proposed_fen or 0):
            return (f"同一违法行为违反多个法律规范应当给予罚款处罚的，按照罚款数额高的规定处罚：案件 {other.case_number} "
                    f"拟罚款{fen_to_yuan_short_text(other.proposed_fen)}，高于本案（《行政处罚法》第二十九条）")
    return None


def no_penalty_reason_given(record, actor, ctx: Context) -> str | None:
    if ctx.data.get("reason") not in NO_PENALTY_REASONS:
        return "请选择不予行政处罚的理由"
    return None


def transfer_target_given(record, actor, ctx: Context) -> str | None:
    if not (ctx.data.get("organ") or "").strip():
        return "请填写接收移送的司法机关"
    return None


def service_valid(record, actor, ctx: Context) -> str | None:
    day, method = ctx.data.get("served_on"), ctx.data.get("method")
    if method not in SERVICE_METHODS:
        return "请选择送达方式"
    if not isinstance(day, dt.date):
        return "请填写送达日期"
    if day > _today(ctx) or (record.decided_on and day < record.decided_on):
        return "送达日期应在决定之后、不晚于今天"
    if method == "on_the_spot":
        if day != record.decided_on:
            return "当场交付的，送达日期即决定宣告之日"
        return None
    due = _period("service", record.decided_on)
    if isinstance(due, str):
        return due
    if day > due and not (ctx.data.get("late_reason") or "").strip():
        return f"应在决定后七个工作日内（{due.isoformat()}前）送达（《行政处罚法》第六十一条）：逾期送达须说明原因"
    return None


def settled(record, actor, ctx: Context) -> str | None:
    from app.cases import payments  # the fine and the surcharge due on the day (H1c)

    return payments.settled(record, actor, ctx)


def order_deadline_passed(record, actor, ctx: Context) -> str | None:
    if _today(ctx) <= record.deadline:
        return f"改正期限至{record.deadline.isoformat()}，期限届满前不能以逾期不改正立案"
    return None


# --- effects ------------------------------------------------------------------------------------------------
def add_investigator(record, result: TransitionResult, ctx: Context) -> None:
    actor_id = getattr(result.actor, "id", None)
    if actor_id is not None and actor_id not in (record.editor_ids or []):
        record.editor_ids = [*(record.editor_ids or []), actor_id]


def record_notice(record, result: TransitionResult, ctx: Context) -> None:
    record.notified_on = ctx.data["notified_on"]
    record.hearing_request_due = _period("hearing_request", record.notified_on) if record.hearing_offered else None


def record_hearing_request(record, result: TransitionResult, ctx: Context) -> None:
    record.hearing_requested_on = ctx.data["requested_on"]


def record_statement(record, result: TransitionResult, ctx: Context) -> None:
    record.party_statement = (ctx.data.get("statement") or "").strip()
    if result.from_state == "hearing":
        record.hearing_held_on = ctx.data["hearing_held_on"]
        record.hearing_record = (ctx.data.get("hearing_record") or "").strip()


def record_review(record, result: TransitionResult, ctx: Context) -> None:
    record.legal_reviewer_id = getattr(result.actor, "id", None)
    record.legal_review_opinion = result.comment or ""
    record.reviewed_on = local_date(result.at)


def record_discussion(record, result: TransitionResult, ctx: Context) -> None:
    record.collective_discussion = ctx.data["discussion"].strip()
    record.discussed_on = ctx.data["discussed_on"]


def record_decision(record, result: TransitionResult, ctx: Context) -> None:
    record.decided_on = local_date(result.at)
    record.decided_by_id = getattr(result.actor, "id", None)
    record.outcome = "fined"
    record.fine_decided_fen = record.proposed_fen or 0


def record_no_penalty(record, result: TransitionResult, ctx: Context) -> None:
    record.decided_on = record.closed_on = local_date(result.at)
    record.decided_by_id = getattr(result.actor, "id", None)
    record.outcome = "no_penalty"
    record.no_penalty_reason = ctx.data["reason"]


def record_transfer(record, result: TransitionResult, ctx: Context) -> None:
    record.transferred_to = ctx.data["organ"].strip()
    record.closed_on = local_date(result.at)
    record.outcome = "transferred"


def record_service(record, result: TransitionResult, ctx: Context) -> None:
    record.served_on = ctx.data["served_on"]
    record.service_method = ctx.data["method"]


def record_closing(record, result: TransitionResult, ctx: Context) -> None:
    record.closed_on = local_date(result.at)
    if result.to_state == "withdrawn":
        record.outcome = "withdrawn"


def record_case_step(record, result: TransitionResult, ctx: Context) -> None:
    comment = result.comment or ""
    extra = (ctx.data.get("late_reason") or "").strip() if result.transition == "serve" else ""
    record.steps.append(CaseStep(
        at=result.at, transition=result.transition, from_state=result.from_state, to_state=result.to_state,
        actor_id=getattr(result.actor, "id", None), comment="\n".join(x for x in (comment, extra) if x)))


def record_order_check(record, result: TransitionResult, ctx: Context) -> None:
    record.corrected = result.transition == "record_corrected"
    record.checked_on = _today(ctx)


def open_case_from_order(record, result: TransitionResult, ctx: Context) -> None:
    opening = Opening(
        party=Party(name=record.party_name, id_type=record.party_id_type or "credit_code",
                    id_number=record.party_id_number, address=record.party_address, firm_id=record.firm_id),
        provision_code=record.provision_code, item=record.provision_item,
        act_date=record.act_date or record.issued_on, discovered_on=record.discovered_on or record.issued_on,
        facts=record.facts)
    open_case(opening, result.actor, order=record, now=result.at)


GUARDS = {
    "in_case_bureau": in_case_bureau, "proposal_ready": proposal_ready, "notice_date_valid": notice_date_valid,
    "hearing_request_in_time": hearing_request_in_time, "hearing_window_over": hearing_window_over,
    "discussed_if_required": discussed_if_required, "single_fine": single_fine,
    "no_penalty_reason_given": no_penalty_reason_given, "transfer_target_given": transfer_target_given,
    "service_valid": service_valid, "discussion_given": discussion_given, "settled": settled,
    "order_deadline_passed": order_deadline_passed,
}
EFFECTS = {
    "add_investigator": add_investigator, "record_notice": record_notice,
    "record_hearing_request": record_hearing_request, "record_statement": record_statement,
    "record_review": record_review, "record_discussion": record_discussion, "record_decision": record_decision,
    "record_no_penalty": record_no_penalty, "record_transfer": record_transfer, "record_service": record_service,
    "record_closing": record_closing, "record_case_step": record_case_step,
    "record_order_check": record_order_check, "open_case_from_order": open_case_from_order,
}


def register(registry: Registry = default_registry) -> None:
    for name, fn in GUARDS.items():
        registry.add_guard(name, fn)
    for name, fn in EFFECTS.items():
        registry.add_effect(name, fn)
    from app.cases import enforcement  # after service: deferral, overdue, reminder, court (H1c)

    enforcement.register(registry)

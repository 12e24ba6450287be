"""The filing workflow's guards and effects (workflows/definitions/filing.yaml names them).

Effects change the database inside the caller's transaction and never commit or render; the view's one
commit makes the transition, its effects and its audit entry final together.
"""

from __future__ import annotations

from app.extensions import db
from app.filings import numbers as filing_numbers
from app.filings.service import ALREADY_OPEN_MESSAGE, missing_items, open_request
from app.models import FilingMessage, FirmBusinessType
from workflows.engine import Context, Registry, TransitionResult, default_registry
from workflows.filing import route_of, uncovered_message, uncovered_types
from workflows.time_limits import local_date

OUTCOME_TEXTS = {
    "filed": "备案已通过，备案编号：{number}。可在“本单位备案”页面下载备案证明。",
    "changed": "备案变更已通过，变更后的信息已记入备案名录。",
    "cancelled": "备案已注销。",
    "rejected": "备案申请不予通过（依据{refusal}）。",
    "returned": "备案申请已退回补正，请按意见修改后重新提交。",
}


# Every refusal tells the firm how to challenge it and by when (行政复议法 art. 20: 60 days from knowing of
# the act; 行政诉讼法 art. 46: 6 months), so the firm never loses a remedy for not knowing it.
RIGHTS_NOTICE = (
    "如不服本决定，可以自知道该决定之日起六十日内依法申请行政复议（《中华人民共和国行政复议法》第二十条），"
    "或者自知道该决定之日起六个月内依法向人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。"
)
NO_REFUSAL = "依照{regulation}{articles}，备案不是许可：材料齐全、真实的即予备案，审核只能退回补正，不能不予备案"


# --- guards -------------------------------------------------------------------------------------------
def filing_enabled(record, actor, ctx: Context) -> str | None:
    """The pack's regulation has firms file (Shanxi's names no such duty: the notice says so)."""
    filing = ctx.pack.filing
    return None if filing.enabled else (filing.notice or "本辖区不受理备案")


def one_open_request(record, actor, ctx: Context) -> str | None:
    """A firm has one request open at a time (the database's partial unique index holds it under races)."""
    return ALREADY_OPEN_MESSAGE if open_request(record.firm.id) is not None else None


def filing_status_fits(record, actor, ctx: Context) -> str | None:
    """A first filing for a firm not filed; a change or a cancellation only of a filing in force."""
    in_force = record.firm.filing_status == "in_force"
    if record.kind == "initial" and in_force:
        return "本单位已备案，如信息有变化请申请备案变更"
    if record.kind != "initial" and not in_force:
        return "本单位没有有效的备案，不能申请变更或注销"
    return None


def corrected_route_known(record, actor, ctx: Context) -> str | None:
    """The route the corrected locality calls for has a bureau at every stage (the premises city is known)."""
    _name, stages = route_of(ctx.pack, _corrected_locality(record, ctx), record.city_code)
    if any(code is None for code in stages):
        return "经营场所所在城市不明，无法按更正后的属地确定受理机关"
    return None


def _corrected_locality(record, ctx: Context) -> bool:
    """The locality the clerk sets (a correction flips the credit code's reading unless told otherwise)."""
    return ctx.data.get("is_local", not record.firm.is_local)


def ready_to_submit(record, actor, ctx: Context) -> str | None:
    """Everything the law asks for is present (Liaoning art. 16; Qinhuangdao art. 17's certificate)."""
    missing = missing_items(record, ctx.pack)
    if missing:
        return "尚不能提交，请先填写或上传：" + "、".join(label for _field, label in missing)
    if record.kind != "cancellation":
        uncovered = uncovered_types(ctx.pack, record.firm.is_local, record.business_types or [])
        if uncovered:
            return uncovered_message(ctx.pack, uncovered)
    if not ctx.stages or any(code is None for code in ctx.stages):
        return "未能确定受理的公安机关，请检查经营场所所在城市"
    if record.state == "returned" and record.stages:
        # The route was fixed at submission. A correction that moves the premises to another city moves the
        # request out of the reviewing bureau's competence (Liaoning art. 16), so it cannot be resubmitted
        # there; the firm withdraws it and submits anew to the bureau now competent.
        _name, now_due = route_of(ctx.pack, record.firm.is_local, record.city_code)
        if list(now_due) != list(record.stages):
            return "经营场所所在城市的改变使受理机关随之改变，本申请不能再向原受理机关提交：请撤回后重新申请"
    return None


def refusal_allowed(record, actor, ctx: Context) -> str | None:
    """Only where the pack's text allows a refusal on the merits (Qinhuangdao art. 16); elsewhere filing
    is a record (Liaoning art. 18, Inner Mongolia arts. 15–16) and a review may only return it."""
    refusal = ctx.pack.filing.refusal if ctx.pack else None
    if refusal is not None and refusal.allowed:
        return None
    articles = refusal.label() if refusal else ""
    return NO_REFUSAL.format(regulation="《" + ctx.pack.regulation.title + "》", articles=articles)


# --- effects ------------------------------------------------------------------------------------------
def record_route(record, result: TransitionResult, ctx: Context) -> None:
    """Fix the route at submission: later changes to the pack or the firm do not move a request."""
    record.route = ctx.data.get("route")
    record.stages = list(ctx.stages)
    record.authority_code = ctx.stages[0]
    record.submitted_at = result.at


def reroute(record, result: TransitionResult, ctx: Context) -> None:
    """A locality correction: the firm's locality and its reason, the request's route from its first stage
    (the engine resets the stage), and the clerk among the editors (so no longer its approver)."""
    firm, is_local = record.firm, _corrected_locality(record, ctx)
    route, stages = route_of(ctx.pack, is_local, record.city_code)
    firm.is_local = is_local
    firm.locality_override_reason = result.comment
    record.route, record.stages = route, stages
    record.add_editor(result.actor_id)


def _copy_details(record) -> None:
    firm = record.firm
    firm.name = record.name
    firm.legal_rep = record.legal_rep
    firm.registered_address = record.registered_address
    firm.premises_address = record.premises_address
    firm.city_code = record.city_code
    firm.contact_name = record.contact_name
    firm.contact_phone = record.contact_phone
    wanted = set(record.business_types or [])
    firm.business_types = [bt for bt in firm.business_types if bt.type_code in wanted]
    have = {bt.type_code for bt in firm.business_types}
    firm.business_types.extend(FirmBusinessType(type_code=code) for code in sorted(wanted - have))


def assign_filing_number(record, result: TransitionResult, ctx: Context) -> None:
    """The next number of the bureau that filed it, in the pack's format; the firm's roster entry."""
    authority = ctx.stage_authority(record.stage)
    filed_on = local_date(result.at)  # filing dates and number years are Beijing dates
    seq = filing_numbers.next_sequence(authority, filed_on.year)
    number = ctx.pack.format_filing_number(authority, filed_on.year, seq)
    record.filing_number = number
    record.decided_at = result.at
    _copy_details(record)
    firm = record.firm
    firm.filing_number = number
    firm.filed_on = filed_on
    firm.filing_authority_code = authority
    firm.filing_status = "in_force"
    # The firm enters the register; a pending self sign-up that filed it becomes bound (the clerk checked
    # the business licence among the materials).
    from app.accounts.claims import confirm_first_filing

    confirm_first_filing(firm, result.actor)


def apply_change(record, result: TransitionResult, ctx: Context) -> None:
    """The approved details replace the roster entry's; the number and the filing date stay.

    Reading of Liaoning art. 16 ("向经营场所所在地的市公安机关备案") for a change that moves the premises to
    another city: the filing is held by the bureau of the premises' city, so the bureau competent for the
    change is that of the NEW city. The change request is routed by its own (new) city_code (context_for →
    route_of), so that bureau reviews it, and the old one never sees it; on approval the filing passes to
    the bureau that approved it at the route's last stage (for a move within a city, or a route ending at
    the provincial bureau, the same bureau as before). The filing number is not reissued: a change is not
    a new filing (art. 16 has one filing, art. 18 one roster entry), and the number, even if its text names
    the first bureau, stays the firm's identifier on certificates and the roster.
    """
    record.decided_at = result.at
    record.filing_number = record.firm.filing_number
    _copy_details(record)
    before, after = record.firm.filing_authority_code, ctx.stage_authority(record.stage)
    if before and before != after:
        record.previous_authority_code = before  # the old bureau is told (app/review/panels.py)
    record.firm.filing_authority_code = after


def cancel_filing(record, result: TransitionResult, ctx: Context) -> None:
    """The filing stops being in force; the roster keeps the entry, marked cancelled."""
    record.decided_at = result.at
    record.filing_number = record.firm.filing_number
    record.firm.filing_status = "cancelled"


def notify_firm(record, result: TransitionResult, ctx: Context) -> None:
    """The outcome and the clerk's words, shown to the firm with its request and on its home page."""
    if result.to_state == "rejected":
        record.decided_at = result.at
    refusal = ctx.pack.filing.refusal if ctx.pack else None
    text = OUTCOME_TEXTS.get(result.to_state, "备案申请状态已更新。").format(
        number=record.filing_number,
        refusal=("《" + ctx.pack.regulation.title + "》" + refusal.label()) if refusal else "",
    )
    if result.comment:
        text += "\n意见：" + result.comment
    if result.to_state == "rejected":
        text += "\n" + RIGHTS_NOTICE
    actor = result.actor
    db.session.add(
        FilingMessage(
            request=record,
            author_id=getattr(actor, "id", None),
            from_firm=False,
            author_label=_authority_name(ctx, getattr(actor, "authority_code", None)),
            transition=result.transition,
            body=text,
            created_at=result.at,
        )
    )


def _authority_name(ctx: Context, code: str | None) -> str:
    authority = ctx.pack.authority(code) if ctx.pack and code else None
    return authority.name if authority else "公安机关"


def register(registry: Registry = default_registry) -> None:
    """Bind the names the definition requires (registering the same function twice is a no-op)."""
    registry.add_guard("filing_enabled", filing_enabled)
    registry.add_guard("one_open_request", one_open_request)
    registry.add_guard("filing_status_fits", filing_status_fits)
    registry.add_guard("ready_to_submit", ready_to_submit)
    registry.add_guard("refusal_allowed", refusal_allowed)
    registry.add_guard("corrected_route_known", corrected_route_known)
    registry.add_effect("record_route", record_route)
    registry.add_effect("reroute", reroute)
    registry.add_effect("assign_filing_number", assign_filing_number)
    registry.add_effect("apply_change", apply_change)
    registry.add_effect("cancel_filing", cancel_filing)
    registry.add_effect("notify_firm", notify_firm)

"""The money of a served penalty decision: the bank's receipts, surcharge pauses, deferral or instalments.

Fines are paid at the designated bank, never to the bureau (罚缴分离, 行政处罚法 art. 67): the clerk records what
the bank's receipt says. What is owed on a day is computed by the one function the API uses,
workflows.case_periods.amount_due_fen (the API's whole-yuan amount_due wraps it; a case's fine is reckoned to
the fen, cents and all), fed with the case's receipts and with the days on which no surcharge
accrues: recorded reviews and lawsuits (art. 73(3)) and an approved deferral or instalment plan (art. 66(2)),
merged into one list of pauses. The readings (what the law leaves open) are written below and shown on the
case page.

Everything here changes the database inside the caller's transaction and never commits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, select, update

from app import audit
from app.extensions import db
from app.models import CaseDeferral, CasePause, CasePayment, PenaltyCase
from app.models.case_payments import DEFERRAL_KINDS, PAUSE_KINDS
from reports.money import fen_to_yuan_digits
from workflows.case_periods import (
    CalendarNotCovered,
    InvalidPayment,
    Pause,
    Payment,
    amount_due_fen,
    period_end,
)
from workflows.engine import Context, TransitionResult
from workflows.time_limits import china_today

ONE_DAY = dt.timedelta(days=1)
# States in which the decision's money is being paid or enforced: receipts and pauses may be recorded.
PAYABLE_STATES = ("served", "deferred", "overdue", "reminded", "court_applied")

PARTIAL_PAYMENT_READING = (
    "本系统的理解（法律未明文规定部分缴纳）：缴纳的款项先抵罚款本金；加处罚款逐日按当日开始时尚未缴纳的罚款本金的百分之三计算，"
    "缴纳当日仍按缴纳前的未缴本金计算，合计不超过罚款数额（《行政处罚法》第七十二条第一款第一项；《行政强制法》第四十五条第二款）。"
)
PAUSE_READING = (
    "当事人申请行政复议或者提起行政诉讼的，加处罚款的数额在行政复议或者行政诉讼期间不予计算（《行政处罚法》第七十三条第三款）；"
    "暂停期间首尾两日均不计算。"
)
DEFERRAL_READING = (
    "本系统的理解：《行政处罚法》第六十六条第二款“当事人确有经济困难，需要延期或者分期缴纳罚款的，经当事人申请和行政机关批准，"
    "可以暂缓或者分期缴纳”。经批准暂缓缴纳的，自原缴款期限届满次日（在期限届满后才申请的，自批准之日）起至批准的期限届满之日止，"
    "不计算加处罚款，期满仍未缴清的，次日起按未缴罚款计算。分期缴纳的，各期按期缴足期间同样不计算；某一期到期未缴足的，"
    "自该期到期日次日起对尚未缴纳的全部罚款恢复计算（参照《行政强制法》第四十二条第三款：当事人不履行执行协议的，行政机关应当恢复强制执行）。"
)


class PaymentError(Exception):
    """A receipt, pause or plan the case cannot take; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- amounts typed by people ----------------------------------------------------------------------------------
_YUAN = re.compile(r"(\d{1,12})(?:\.(\d{1,2}))?")


def parse_yuan(text: str | None) -> int:
    """Yuan as typed on a receipt ("12000", "12,000.50", "0.05") → fen, exactly (no float on the way)."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").replace(" ", "")
    cleaned = cleaned.removeprefix("¥").removeprefix("￥").removesuffix("元")
    match = _YUAN.fullmatch(cleaned)
    if not match:
        raise PaymentError("请按收据填写金额（元），最多两位小数，例如 12000 或 12000.50", "amount")
    fen = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if fen <= 0:
        raise PaymentError("缴款金额须大于零", "amount")
    return fen


yuan = fen_to_yuan_digits  # "12,000.50" for pages and messages (reports/money.py)


# --- what is owed on a day ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reckoning:
    as_of: dt.date
    fine_fen: int
    paid_fen: int = 0
    unpaid_fine_fen: int = 0
    surcharge_fen: int = 0  # accrued so far (capped at the fine)
    outstanding_fen: int = 0  # fine + surcharge − paid
    due_on: dt.date | None = None  # the 15 days of art. 67(3)
    effective_due_on: dt.date | None = None  # the last day before anything accrues (deferral, instalment)
    days_overdue: int = 0  # accruing days (paused and deferred days excluded)
    deferral_ends: dt.date | None = None
    missed_instalment: dt.date | None = None
    pauses: list[Pause] = field(default_factory=list)
    error: str | None = None  # the calendar does not cover a year the periods fall in

    @property
    def overdue(self) -> bool:
        return self.effective_due_on is not None and self.as_of > self.effective_due_on and self.unpaid_fine_fen > 0


def _payments(case: PenaltyCase) -> list[Payment]:
    return [Payment(p.paid_on, p.amount_fen) for p in case.payments]


def deferral_span(case: PenaltyCase, due_on: dt.date, as_of: dt.date,
                  payments: list[Payment] | None = None) -> tuple[dt.date, dt.date, dt.date | None] | None:
    """(first, last) day no surcharge accrues under the approved deferral or plan, and the missed instalment."""
    deferral = case.deferrals[-1] if case.deferrals else None
    if deferral is None:
        return None
    payments = _payments(case) if payments is None else payments
    first = due_on + ONE_DAY if deferral.applied_on <= due_on else max(due_on + ONE_DAY, deferral.approved_on)
    last, missed = deferral.due_on, None
    if deferral.kind == "instalments":
        scheduled = 0
        for part in deferral.instalments or []:
            day = dt.date.fromisoformat(part["due_on"])
            scheduled += int(part["amount_fen"])
            paid_by = sum(p.amount_fen for p in payments if p.paid_on <= day)
            if day < as_of and paid_by < scheduled:
                last, missed = day, day
                break
    if last < first:
        return None
    return first, last, missed


def merge_pauses(spans: list[tuple[dt.date, dt.date | None]]) -> list[Pause]:
    """One list of non-overlapping pauses (amount_due refuses overlaps): a deferral may overlap a review."""
    merged: list[list] = []
    for start, end in sorted(spans, key=lambda s: s[0]):
        if merged and (merged[-1][1] is None or start <= merged[-1][1] + ONE_DAY):
            if merged[-1][1] is not None:
                merged[-1][1] = None if end is None else max(merged[-1][1], end)
            continue
        merged.append([start, end])
    return [Pause(start, end) for start, end in merged]


def reckon(case: PenaltyCase, as_of: dt.date | None = None) -> Reckoning:
    """What the party has paid and owes on `as_of` (default: today in Beijing)."""
    as_of = as_of or china_today()
    fine_fen = case.fine_decided_fen or 0
    payments = _payments(case)
    paid = sum(p.amount_fen for p in payments if p.paid_on <= as_of)
    if not fine_fen or case.served_on is None:
        return Reckoning(as_of=as_of, fine_fen=fine_fen, paid_fen=paid, unpaid_fine_fen=max(fine_fen - paid, 0),
                         outstanding_fen=max(fine_fen - paid, 0))
    try:
        due_on = period_end("payment", case.served_on)
        spans = [(p.start_on, p.end_on) for p in case.pauses]
        deferral = deferral_span(case, due_on, as_of, payments)
        if deferral:
            spans.append((deferral[0], deferral[1]))
        pauses = merge_pauses(spans)
        result = amount_due_fen(fine_fen, case.served_on, max(as_of, case.served_on), pauses,
                                [p for p in payments if p.paid_on >= case.served_on])
    except CalendarNotCovered as exc:
        return Reckoning(as_of=as_of, fine_fen=fine_fen, paid_fen=paid, unpaid_fine_fen=max(fine_fen - paid, 0),
                         outstanding_fen=max(fine_fen - paid, 0), error=exc.message)
    except InvalidPayment as exc:
        return Reckoning(as_of=as_of, fine_fen=fine_fen, paid_fen=paid, unpaid_fine_fen=max(fine_fen - paid, 0),
                         outstanding_fen=max(fine_fen - paid, 0), error=exc.message)
    return Reckoning(
        as_of=as_of, fine_fen=fine_fen, paid_fen=result.paid_fen, unpaid_fine_fen=max(fine_fen - result.paid_fen, 0),
        surcharge_fen=result.surcharge_fen, outstanding_fen=result.outstanding_fen, due_on=due_on,
        effective_due_on=deferral[1] if deferral else due_on, days_overdue=result.days_overdue,
        deferral_ends=deferral[1] if deferral else None, missed_instalment=deferral[2] if deferral else None,
        pauses=pauses,
    )


def refresh_totals(case: PenaltyCase, as_of: dt.date | None = None) -> Reckoning:
    """Write the case's paid fine and surcharge to date into its columns (the documents and exports read them)
    with a plain UPDATE: the record's version stays, so a clerk's open page stays valid."""
    db.session.flush()
    db.session.expire(case, ["payments"])
    reck = reckon(case, as_of)
    collected = min(reck.paid_fen, reck.fine_fen) if reck.fine_fen else reck.paid_fen
    db.session.execute(update(PenaltyCase.__table__).where(PenaltyCase.__table__.c.id == case.id).values(
        fine_collected_fen=collected, surcharge_fen=reck.surcharge_fen))
    return reck


# --- recording ------------------------------------------------------------------------------------------------
def _own(case: PenaltyCase, user) -> None:
    if case.authority_code is None or user.authority_code != case.authority_code:
        raise PaymentError("该案件不由您所在的公安机关办理")
    if case.state not in PAYABLE_STATES:
        raise PaymentError("处罚决定送达后才能登记缴款")


def receipt_recorded(case_id: int, receipt_number: str) -> CasePayment | None:
    return db.session.scalar(select(CasePayment).where(CasePayment.case_id == case_id,
                                                       CasePayment.receipt_number == receipt_number))


def record_payment(case: PenaltyCase, user, *, receipt_number: str, paid_on: dt.date, amount_fen: int,
                   today: dt.date | None = None) -> CasePayment:
    """Add a bank receipt. Refused: a receipt already recorded for the case, a date before service or in the
    future, more than what is owed on the receipt's date. The unique (case, receipt) constraint makes two
    posts of one receipt at the same moment one row (the caller turns the IntegrityError into "already")."""
    today = today or china_today()
    _own(case, user)
    number = (receipt_number or "").strip()
    if not number:
        raise PaymentError("请填写银行收据（缴款书）编号", "receipt_number")
    if receipt_recorded(case.id, number) is not None:
        raise PaymentError(f"收据 {number} 已登记，不再重复登记", "receipt_number")
    if paid_on > today or paid_on < case.served_on:
        raise PaymentError("缴款日期应在处罚决定送达之后、不晚于今天", "paid_on")
    if amount_fen <= 0:
        raise PaymentError("缴款金额须大于零", "amount")
    owed = reckon(case, paid_on)
    if owed.error:
        raise PaymentError(owed.error, "paid_on")
    # Receipts dated later than this one were already applied: what is still owed after all of them.
    still = owed.outstanding_fen - sum(p.amount_fen for p in case.payments if p.paid_on > paid_on)
    if case.fine_decided_fen and amount_fen > still:
        raise PaymentError(f"金额超过应缴数额：截至{paid_on.isoformat()}尚欠{yuan(max(still, 0))}元（罚款及加处罚款）", "amount")
    payment = CasePayment(case_id=case.id, receipt_number=number, paid_on=paid_on, amount_fen=amount_fen,
                          recorded_by_id=getattr(user, "id", None))
    db.session.add(payment)
    db.session.flush()  # the unique constraint answers here, inside the caller's transaction
    reck = refresh_totals(case, today)
    audit.record("penalty_case.payment_recorded", case, actor=user, detail={
        "receipt": number, "paid_on": paid_on.isoformat(), "amount_fen": amount_fen,
        "paid_fen": reck.paid_fen, "outstanding_fen": reck.outstanding_fen, "surcharge_fen": reck.surcharge_fen})
    return payment


def record_pause(case: PenaltyCase, user, *, kind: str, start_on: dt.date | None, end_on: dt.date | None,
                 note: str = "", today: dt.date | None = None) -> CasePause:
    """A review or lawsuit the party brought (art. 73(3)): no surcharge from `start_on` to `end_on`."""
    today = today or china_today()
    _own(case, user)
    if kind not in PAUSE_KINDS:
        raise PaymentError("请选择行政复议或者行政诉讼", "kind")
    if start_on is None or start_on < case.served_on or start_on > today:
        raise PaymentError("开始日期应在处罚决定送达之后、不晚于今天", "start_on")
    if end_on is not None and (end_on < start_on or end_on > today):
        raise PaymentError("结束日期应在开始日期之后、不晚于今天（尚未结束的不填）", "end_on")
    for other in case.pauses:
        if other.end_on is None or (start_on <= other.end_on and (end_on is None or end_on >= other.start_on)):
            raise PaymentError("与已登记的复议或诉讼期间重叠（尚未结束的，请先登记其结束日期）", "start_on")
    pause = CasePause(case_id=case.id, kind=kind, start_on=start_on, end_on=end_on, note=(note or "").strip(),
                      recorded_by_id=getattr(user, "id", None))
    db.session.add(pause)
    db.session.flush()
    db.session.expire(case, ["pauses"])
    refresh_totals(case, today)
    audit.record("penalty_case.pause_recorded", case, actor=user, detail={
        "pause": pause.id, "kind": kind, "from": start_on.isoformat(), "to": end_on.isoformat() if end_on else None})
    return pause


def end_pause(case: PenaltyCase, user, pause_id: int, end_on: dt.date | None, today: dt.date | None = None) -> CasePause:
    today = today or china_today()
    _own(case, user)
    pause = db.session.get(CasePause, pause_id)
    if pause is None or pause.case_id != case.id:
        raise PaymentError("没有这一期间")
    if pause.end_on is not None:
        raise PaymentError("该期间已登记结束日期")
    if end_on is None or end_on < pause.start_on or end_on > today:
        raise PaymentError("结束日期应在开始日期之后、不晚于今天", "end_on")
    pause.end_on = end_on
    db.session.flush()
    refresh_totals(case, today)
    audit.record("penalty_case.pause_ended", case, actor=user, detail={"pause": pause.id, "to": end_on.isoformat()})
    return pause


# --- deferral or instalments (art. 66(2)): the bureau head's transition approve_deferral --------------------
def parse_instalments(text: str) -> list[dict]:
    """Lines "YYYY-MM-DD 金额（元）" → [{"due_on", "amount_fen"}], in date order."""
    parts = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip().replace("，", " ").replace(",", " ").replace("\t", " ")
        if not line:
            continue
        pieces = line.split()
        try:
            day = dt.date.fromisoformat(pieces[0])
            amount = parse_yuan(pieces[1]) if len(pieces) == 2 else None
        except (ValueError, PaymentError):
            amount = None
        if amount is None:
            raise PaymentError(f"第{number}行应为“日期 金额”，例如 2026-12-31 5000", "instalments")
        parts.append({"due_on": day.isoformat(), "amount_fen": amount})
    return sorted(parts, key=lambda p: p["due_on"])


def deferral_valid(record, actor, ctx: Context) -> str | None:
    data, today = ctx.data, ctx.data.get("today") or china_today()
    kind, applied, approved = data.get("kind"), data.get("applied_on"), data.get("approved_on")
    if kind not in DEFERRAL_KINDS:
        return "请选择延期缴纳或者分期缴纳"
    if not record.fine_decided_fen:
        return "本案没有罚款，无需延期或者分期缴纳"
    if not isinstance(applied, dt.date) or applied < record.served_on or applied > today:
        return "当事人申请的日期应在处罚决定送达之后、不晚于今天"
    if not isinstance(approved, dt.date) or approved < applied or approved > today:
        return "批准日期应在申请之后、不晚于今天"
    due_on = data.get("due_on")
    if kind == "instalments":
        parts = data.get("instalments") or []
        if len(parts) < 2:
            return "分期缴纳至少分两期，每行一期：日期 金额"
        if sum(p["amount_fen"] for p in parts) != record.fine_decided_fen:
            return f"各期金额合计应等于罚款{yuan(record.fine_decided_fen)}元"
        due_on = dt.date.fromisoformat(parts[-1]["due_on"])
    if not isinstance(due_on, dt.date):
        return "请填写延期缴纳的截止日期"
    try:
        original = period_end("payment", record.served_on)
    except CalendarNotCovered as exc:
        return exc.message
    if due_on <= original or due_on <= approved:
        return f"延期（分期）的截止日期应晚于原缴款期限（{original.isoformat()}）和批准日期"
    return None


def record_deferral(record, result: TransitionResult, ctx: Context) -> None:
    data = ctx.data
    parts = data.get("instalments") or [] if data["kind"] == "instalments" else []
    due_on = dt.date.fromisoformat(parts[-1]["due_on"]) if parts else data["due_on"]
    record.deferrals.append(CaseDeferral(
        kind=data["kind"], applied_on=data["applied_on"], approved_on=data["approved_on"], due_on=due_on,
        instalments=parts, decision=result.comment or "", approved_by_id=getattr(result.actor, "id", None)))
    result.detail.update({"kind": data["kind"], "due_on": due_on.isoformat(), "instalments": parts})


# --- guards ----------------------------------------------------------------------------------------------------
def settled(record, actor, ctx: Context) -> str | None:
    """Nothing left to pay: the fine and the surcharge due on the day (a case without a fine is settled)."""
    if not record.fine_decided_fen:
        return None
    reck = reckon(record, ctx.data.get("today") or china_today())
    if reck.error:
        return reck.error
    if reck.outstanding_fen > 0:
        return (f"尚欠罚款{yuan(reck.unpaid_fine_fen)}元、加处罚款{yuan(reck.outstanding_fen - reck.unpaid_fine_fen)}元，"
                "缴清后才能结案")
    return None


def payment_overdue(record, actor, ctx: Context) -> str | None:
    reck = reckon(record, ctx.data.get("today") or china_today())
    if reck.error:
        return reck.error
    if not reck.overdue:
        return "缴款期限尚未届满，或者罚款已缴清"
    return None


def totals_by_case(case_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(CasePayment.case_id, func.sum(CasePayment.amount_fen)).where(
        CasePayment.case_id.in_(case_ids)).group_by(CasePayment.case_id))
    return {case_id: int(total or 0) for case_id, total in rows}

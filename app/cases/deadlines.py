"""The deadlines of a bureau's penalty cases, for the clerks' home page and `flask cases remind`.

One list per case, each deadline with its article: the decision within 90 days of opening (行政处罚法 art. 60),
the hearing request window (arts. 64, 85: 5 working days), service within 7 working days of the decision
(art. 61), the payment due (art. 67(3), or the approved deferral or instalment, art. 66(2)), and the
court route (行政强制法 art. 54: ten working days after the reminder; art. 53: three months after the review
and litigation periods). Counted by workflows.case_periods, which refuses a year the installed
chinese-calendar does not cover: such a deadline is listed with that refusal, never counted Monday–Friday.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.cases import enforcement, payments
from app.extensions import db
from app.models import PenaltyCase
from workflows.case_periods import CalendarNotCovered, period_end


def N_(text: str) -> str:
    """Marks a label for the English catalogue (scripts/translations.py extracts N_); translated where shown."""
    return text


UPCOMING_DAYS = 7  # a deadline within this many days is "upcoming"
OPEN_STATES = ("opened", "investigating", "proposed", "notified", "hearing", "legal_review", "reviewed")
WATCHED_STATES = (*OPEN_STATES, "decided", "served", "deferred", "overdue", "reminded")

LABELS = {
    "decision": N_("作出处罚决定（立案之日起九十日，《行政处罚法》第六十条）"),
    "hearing_request": N_("当事人申请听证的期限（告知后五个工作日，第六十四条）"),
    "service": N_("送达处罚决定书（决定后七个工作日，第六十一条）"),
    "payment": N_("缴纳罚款（送达之日起十五日，第六十七条第三款）"),
    "deferral": N_("批准的延期（分期）缴纳期限（第六十六条第二款）"),
    "court_earliest": N_("催告期满，可申请人民法院强制执行（《行政强制法》第五十四条）"),
    "court_last": N_("申请人民法院强制执行的最后一日（《行政强制法》第五十三条）"),
}


@dataclass(frozen=True)
class Deadline:
    case: PenaltyCase
    kind: str
    due: dt.date | None
    status: str  # overdue | upcoming | later | refused (the calendar does not cover the year)
    message: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def key(self) -> str:
        return f"deadline:{self.kind}:{self.due.isoformat() if self.due else 'none'}:{self.status}"


def _status(due: dt.date, today: dt.date, *, opens: bool = False) -> str:
    """A deadline past is overdue; `opens` deadlines (the first day something may be done) are 'upcoming'
    until they come and then simply due ('overdue' means the bureau may act now)."""
    if due < today or (opens and due <= today):
        return "overdue"
    return "upcoming" if (due - today).days <= UPCOMING_DAYS else "later"


def for_case(case: PenaltyCase, today: dt.date) -> list[Deadline]:
    found: list[Deadline] = []

    def add(kind: str, compute, *, opens: bool = False) -> None:
        try:
            due = compute()
        except CalendarNotCovered as exc:
            found.append(Deadline(case, kind, None, "refused", exc.message))
            return
        if due is not None:
            found.append(Deadline(case, kind, due, _status(due, today, opens=opens)))

    state = case.state
    if state in OPEN_STATES and case.opened_on:
        add("decision", lambda: period_end("decision", case.opened_on))
    if state == "notified" and case.hearing_offered and case.notified_on:
        add("hearing_request", lambda: case.hearing_request_due or period_end("hearing_request", case.notified_on))
    if state == "decided" and case.decided_on and case.outcome == "fined":
        add("service", lambda: period_end("service", case.decided_on))
    if state in ("served", "deferred", "overdue") and case.fine_decided_fen and case.served_on:
        reck = payments.reckon(case, today)
        if reck.error:
            found.append(Deadline(case, "payment", None, "refused", reck.error))
        elif reck.outstanding_fen > 0:
            kind = "deferral" if reck.deferral_ends else "payment"
            found.append(Deadline(case, kind, reck.effective_due_on, _status(reck.effective_due_on, today)))
    if state == "reminded":
        dates = enforcement.court_dates(case)
        if dates["error"]:
            found.append(Deadline(case, "court_earliest", None, "refused", dates["error"]))
        else:
            if dates["earliest"]:
                opens = max(dates["earliest"], dates["window_from"])
                found.append(Deadline(case, "court_earliest", opens, _status(opens, today, opens=True)))
            if dates["window_to"]:
                found.append(Deadline(case, "court_last", dates["window_to"], _status(dates["window_to"], today)))
    return found


def for_bureau(authority_code: str | None, today: dt.date) -> list[Deadline]:
    """Every watched deadline of the bureau's cases (None: every bureau's), overdue first, then by date."""
    stmt = select(PenaltyCase).where(PenaltyCase.state.in_(WATCHED_STATES), PenaltyCase.authority_code.is_not(None))
    if authority_code is not None:
        stmt = stmt.where(PenaltyCase.authority_code == authority_code)
    found = [d for case in db.session.scalars(stmt.order_by(PenaltyCase.id)) for d in for_case(case, today)]
    order = {"refused": 0, "overdue": 1, "upcoming": 2, "later": 3}
    return sorted(found, key=lambda d: (order[d.status], d.due or dt.date.min, d.case.id))

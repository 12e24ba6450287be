"""The periods and the money of a penalty case, as pure functions (no Flask, no database).

Which period is which — working days, calendar days or months, and the article each comes from — is dated
data in workflows/national/administrative_penalty_law.yaml (``case_periods`` and ``money``); this module only
counts. The counting rules:

- A period starts the day after service or notice: that day itself does not count.
- 行政处罚法 art. 85: “本法中‘二日’‘三日’‘五日’‘七日’的规定是指工作日，不含法定节假日。” So the hearing request
  (art. 64(1), 五日) and the service of the decision (art. 61, 七日) are working days; 行政强制法 art. 69 makes
  that Law's periods of ten days or less working days too (the reminder of art. 54).
- A period in calendar days or months whose last day is a rest day or public holiday ends on the next
  working day (民事诉讼法's rule for periods, which service under art. 61 follows); make-up working days
  (调休) are working days, so a period may end on a Saturday.
- A period in months ends on the corresponding day of the last month, or on that month's last day when it
  has no such day (民法典 arts. 201–202).

Unlike workflows/calendar.py, which falls back to Monday–Friday for a year chinese-calendar does not know,
every function here refuses such a year with :class:`CalendarNotCovered`: a legal deadline must never be
silently wrong by a year's holidays.
"""

from __future__ import annotations

import calendar as gregorian
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from workflows import calendar as china_calendar
from workflows.penalty_pack import CasePeriod, load_national_law

__all__ = [
    "AmountDue",
    "CalendarNotCovered",
    "InvalidPayment",
    "Pause",
    "Payment",
    "add_months",
    "add_working_days",
    "amount_due",
    "amount_due_fen",
    "case_period",
    "court_application_window",
    "earliest_court_application",
    "is_working_day",
    "next_working_day",
    "period_end",
]

ONE_DAY = dt.timedelta(days=1)


class CalendarNotCovered(ValueError):
    """The installed chinese-calendar does not know the holidays of a year a deadline falls in."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = f"{year}年的法定节假日安排尚未收录（请升级 chinese-calendar），无法计算该年的期限"
        self.message_en = (
            f"the public holidays of {year} are not known to the installed chinese-calendar; "
            "no deadline in that year can be computed (upgrade chinese-calendar)"
        )
        super().__init__(self.message_en)


class InvalidPayment(ValueError):
    """Pauses or payments that cannot be read (overlapping, reversed, before service…)."""

    def __init__(self, field: str, message: str, message_en: str, code: str = "invalid_value") -> None:
        super().__init__(message_en)
        self.field = field
        self.code = code  # the API's error type
        self.message = message
        self.message_en = message_en


# -- the calendar, strict -------------------------------------------------------------------------------------


def _covered(day: dt.date) -> dt.date:
    if not china_calendar.has_holiday_data(day.year):
        raise CalendarNotCovered(day.year)
    return day


def is_working_day(day: dt.date) -> bool:
    """Whether the bureaus work on `day` (holidays off, make-up days on); refuses an unknown year."""
    return china_calendar.is_working_day(_covered(day))


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n ≥ 1); `start` itself never counts."""
    if n < 1:
        raise ValueError("a period has at least one working day")
    day, remaining = start, n
    while remaining:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day `months` later, or that month's last day when it has none (民法典 art. 201–202:
    a period in months ends on the corresponding day; 2025-08-31 + 6 months → 2026-02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, gregorian.monthrange(year, month)[1]))


# -- the periods of a case ------------------------------------------------------------------------------------


@cache
def case_period(name: str) -> CasePeriod:
    """A period by its name in the national file (hearing_request, service, payment, decision, review,
    litigation, enforcement_reminder, court_application)."""
    return getattr(load_national_law().case_periods, name)


def period_end(period: CasePeriod | str, event: dt.date) -> dt.date:
    """The last day of `period` counted from the day after `event` (service, notice, opening…).

    Working days skip rest days and holidays (行政处罚法 art. 85; 行政强制法 art. 69); a period in calendar days
    or months whose last day is a rest day or holiday ends on the next working day.

    >>> period_end("payment", dt.date(2025, 9, 16))   # 15 days → 10-01, National Day → first working day
    datetime.date(2025, 10, 9)
    """
    if isinstance(period, str):
        period = case_period(period)
    if period.working_days is not None:
        return add_working_days(event, period.working_days)
    if period.days is not None:
        return next_working_day(event + dt.timedelta(days=period.days))
    assert period.months is not None
    return next_working_day(add_months(event, period.months))


def earliest_court_application(reminder_served_on: dt.date) -> dt.date:
    """The first day the bureau may apply to the people's court: 行政强制法 art. 54, “催告书送达十日后当事人仍未
    履行义务的，行政机关可以向所在地有管辖权的人民法院申请强制执行” — the day after the ten (working, art. 69) days."""
    return period_end("enforcement_reminder", reminder_served_on) + ONE_DAY


def court_application_window(decision_served_on: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day to apply to the people's court (行政强制法 art. 53: “自期限届满之日起三个月内”): from the
    day after both the review (行政复议法 art. 20, 60 days) and litigation (行政诉讼法 art. 46, 6 months) periods
    have lapsed, for three months. The reminder of art. 54 must also have run (earliest_court_application)."""
    lapsed = max(period_end("review", decision_served_on), period_end("litigation", decision_served_on))
    return lapsed + ONE_DAY, period_end("court_application", lapsed)


# -- money ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """A review or lawsuit during which no surcharge accrues (行政处罚法 art. 73(3)); both ends inclusive,
    `to` None while it is still pending."""

    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class Payment:
    """A receipt of the designated bank (art. 67: 罚缴分离): the day paid and the amount in fen."""

    paid_on: dt.date
    amount_fen: int


@dataclass(frozen=True)
class AmountDue:
    due_on: dt.date
    days_overdue: int  # days after due_on up to as_of, paused days excluded
    surcharge_fen: int
    total_fen: int  # fine + surcharge
    paid_fen: int = 0
    outstanding_fen: int = 0  # total − paid, never below 0

    def to_dict(self) -> dict[str, object]:
        return {
            "due_on": self.due_on.isoformat(),
            "days_overdue": self.days_overdue,
            "surcharge_fen": self.surcharge_fen,
            "total_fen": self.total_fen,
        }


def _check_pauses(pauses: Sequence[Pause], served_on: dt.date) -> list[tuple[dt.date, dt.date | None]]:
    spans = sorted(((p.start, p.end) for p in pauses), key=lambda span: span[0])
    for index, (start, end) in enumerate(spans):
        if start < served_on:
            raise InvalidPayment(
                "paused", f"暂停期间 {start.isoformat()} 早于送达日期 {served_on.isoformat()}",
                f"a pause starting {start.isoformat()} is before served_on", "invalid_pause",
            )
        if end is not None and end < start:
            raise InvalidPayment(
                "paused", f"暂停期间的结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}",
                f"a pause ends ({end.isoformat()}) before it starts ({start.isoformat()})", "invalid_pause",
            )
        if index and (spans[index - 1][1] is None or spans[index - 1][1] >= start):
            raise InvalidPayment(
                "paused", f"暂停期间重叠：{start.isoformat()} 已在前一期间内",
                f"pauses overlap: {start.isoformat()} falls within the previous pause", "overlapping_pauses",
            )
    return spans


def _accruing_days(first: dt.date, last: dt.date, pauses: Iterable[tuple[dt.date, dt.date | None]]) -> int:
    """Days from `first` to `last` (both inclusive) outside every pause."""
    if last < first:
        return 0
    days = (last - first).days + 1
    for start, end in pauses:
        lo, hi = max(first, start), min(last, end or last)
        if hi >= lo:
            days -= (hi - lo).days + 1
    return days


def amount_due(
    fine_yuan: int,
    served_on: dt.date,
    as_of: dt.date,
    paused: Sequence[Pause] = (),
    payments: Sequence[Payment] = (),
) -> AmountDue:
    """What the party owes on `as_of` for a fine of whole yuan (as the law and the API speak of fines),
    in integer fen: amount_due_fen for `fine_yuan` × 100.

    >>> amount_due(30000, dt.date(2025, 9, 16), dt.date(2025, 10, 10)).surcharge_fen
    90000
    """
    if isinstance(fine_yuan, bool) or not isinstance(fine_yuan, int) or fine_yuan < 1:
        raise InvalidPayment("fine", "罚款须为正整数（元）", "fine must be a whole number of yuan, at least 1")
    return amount_due_fen(fine_yuan * 100, served_on, as_of, paused, payments)


def amount_due_fen(
    fine_fen: int,
    served_on: dt.date,
    as_of: dt.date,
    paused: Sequence[Pause] = (),
    payments: Sequence[Payment] = (),
) -> AmountDue:
    """What the party owes on `as_of` for a fine of `fine_fen` served on `served_on`, in integer fen. A case's
    fine is kept in fen (an imported one may have cents), and is reckoned to the fen here.

    - Due: 行政处罚法 art. 67(3), “当事人应当自收到行政处罚决定书之日起十五日内…缴纳罚款”: 15 days from the day
      after service, a last day on a rest day or holiday moving to the next working day.
    - Surcharge: art. 72(1)(1), “到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额”
      (行政强制法 art. 45(2)), from the day after the due day, every calendar day.
    - Paused: art. 73(3), “加处罚款的数额在行政复议或者行政诉讼期间不予计算”: no surcharge on paused days.
    - Partial payments (the reading recorded in the national file, money.partial_payment): a payment pays the
      fine first; each day accrues 3% of the fine still unpaid at the start of that day (the day of payment
      accrues on the amount before it), the sum floored to the fen once, capped at the fine.

    >>> amount_due_fen(123_456, dt.date(2025, 9, 16), dt.date(2025, 10, 10)).surcharge_fen  # 3% of 1,234.56元
    3703
    """
    if isinstance(fine_fen, bool) or not isinstance(fine_fen, int) or fine_fen < 1:
        raise InvalidPayment("fine", "罚款须为正整数（分）", "fine must be a whole number of fen, at least 1")
    if as_of < served_on:
        raise InvalidPayment(
            "as_of", f"计算日期 {as_of.isoformat()} 早于送达日期 {served_on.isoformat()}",
            "as_of must not be before served_on", "as_of_before_service",
        )
    spans = _check_pauses(paused, served_on)
    for payment in payments:
        if payment.amount_fen <= 0 or payment.paid_on < served_on:
            raise InvalidPayment(
                "payments", "缴款金额须为正数，缴款日期不得早于送达日期",
                "a payment must be positive and not before served_on",
            )
    law = load_national_law()
    percent = law.thresholds.late_payment.percent_per_day
    due_on = period_end("payment", served_on)
    first_late = due_on + ONE_DAY

    # Walk the days from first_late to as_of in runs of a constant unpaid remainder: a payment on day d
    # lowers the remainder from d + 1 on.
    remainder_fen = fine_fen - sum(p.amount_fen for p in payments if p.paid_on < first_late)
    weighted = 0  # Σ accruing days × unpaid fen
    run_start = first_late
    for payment in sorted((p for p in payments if p.paid_on >= first_late), key=lambda p: p.paid_on):
        if payment.paid_on > as_of:
            break
        weighted += max(remainder_fen, 0) * _accruing_days(run_start, payment.paid_on, spans)
        run_start = payment.paid_on + ONE_DAY
        remainder_fen -= payment.amount_fen
    weighted += max(remainder_fen, 0) * _accruing_days(run_start, as_of, spans)

    surcharge_fen = min(fine_fen, weighted * percent // 100)
    total_fen = fine_fen + surcharge_fen
    paid_fen = sum(p.amount_fen for p in payments if p.paid_on <= as_of)
    return AmountDue(
        due_on=due_on,
        days_overdue=_accruing_days(first_late, as_of, spans),
        surcharge_fen=surcharge_fen,
        total_fen=total_fen,
        paid_fen=paid_fen,
        outstanding_fen=max(total_fen - paid_fen, 0),
    )

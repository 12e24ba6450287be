"""The periods and the money of a penalty case (workflows/case_periods.py), at the calendar's edges: the
National Day weeks of 2025 and 2026, the 2026 Spring Festival, make-up Saturdays and month ends."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.case_periods import (
    CalendarNotCovered,
    InvalidPayment,
    Pause,
    Payment,
    add_months,
    add_working_days,
    amount_due,
    amount_due_fen,
    case_period,
    court_application_window,
    earliest_court_application,
    period_end,
)

D = dt.date.fromisoformat


# -- which period is which: dated data with its article ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "length", "label"),
    [
        ("hearing_request", ("working_days", 5), "《中华人民共和国行政处罚法》第六十四条第（一）项"),
        ("service", ("working_days", 7), "《中华人民共和国行政处罚法》第六十一条第一款"),
        ("payment", ("days", 15), "《中华人民共和国行政处罚法》第六十七条第三款"),
        ("decision", ("days", 90), "《中华人民共和国行政处罚法》第六十条"),
        ("review", ("days", 60), "《中华人民共和国行政复议法》第二十条第一款"),
        ("litigation", ("months", 6), "《中华人民共和国行政诉讼法》第四十六条第一款"),
        ("enforcement_reminder", ("working_days", 10), "《中华人民共和国行政强制法》第五十四条"),
        ("court_application", ("months", 3), "《中华人民共和国行政强制法》第五十三条"),
    ],
)
def test_each_period_has_its_length_and_article(name, length, label):
    period = case_period(name)
    assert getattr(period, length[0]) == length[1]
    assert period.reference.label() == label


def test_working_day_periods_cite_the_article_that_makes_them_working_days():
    assert case_period("hearing_request").working_days_basis.label() == "《中华人民共和国行政处罚法》第八十五条"
    assert case_period("service").working_days_basis.label() == "《中华人民共和国行政处罚法》第八十五条"
    assert case_period("enforcement_reminder").working_days_basis.label() == "《中华人民共和国行政强制法》第六十九条"
    assert case_period("payment").working_days_basis is None


# -- calendar days: a last day on a rest day or holiday moves on ----------------------------------------------


@pytest.mark.parametrize(
    ("served", "due"),
    [
        ("2025-09-15", "2025-09-30"),  # last day a working Tuesday before National Day: stays
        ("2025-09-16", "2025-10-09"),  # 10-01 National Day → first working day after the week
        ("2025-09-23", "2025-10-09"),  # 10-08, last holiday
        ("2025-09-26", "2025-10-11"),  # 10-11 is a make-up Saturday: a working day, stays
        ("2026-09-15", "2026-09-30"),
        ("2026-09-16", "2026-10-08"),  # National Day 2026 (10-01 … 10-07)
        ("2026-09-25", "2026-10-10"),  # make-up Saturday 2026-10-10
        ("2026-01-30", "2026-02-14"),  # make-up Saturday before the Spring Festival
        ("2026-01-31", "2026-02-24"),  # 02-15 Sunday, then the Spring Festival 02-16 … 02-23
        ("2026-10-17", "2026-11-02"),  # 11-01 Sunday → Monday
    ],
)
def test_payment_period_of_15_days(served, due):
    assert period_end("payment", D(served)) == D(due)


def test_payment_period_ending_on_a_month_end_saturday_moves_to_monday():
    assert period_end("payment", D("2026-10-16")) == D("2026-11-02")  # 10-31 is a Saturday


@pytest.mark.parametrize(
    ("opened", "last"),
    [("2026-07-02", "2026-09-30"), ("2026-07-03", "2026-10-08")],
)
def test_ninety_days_to_decide_from_opening(opened, last):
    assert period_end("decision", D(opened)) == D(last)


def test_review_period_of_60_days_over_national_day():
    assert period_end("review", D("2025-08-01")) == D("2025-09-30")
    assert period_end("review", D("2025-08-02")) == D("2025-10-09")


# -- working days (art. 85) --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notified", "last"),
    [
        ("2025-09-26", "2025-10-10"),  # Sunday 09-28 is a make-up day and counts; the holiday week does not
        ("2025-09-19", "2025-09-26"),  # an ordinary week: Fri → next Fri
        ("2026-09-24", "2026-10-09"),  # Mid-Autumn 09-25 and National Day 2026 skipped
        ("2026-02-13", "2026-02-27"),  # make-up Saturday 02-14 counts, the Spring Festival does not
    ],
)
def test_hearing_request_within_five_working_days(notified, last):
    assert period_end("hearing_request", D(notified)) == D(last)


def test_service_within_seven_working_days_counts_make_up_saturdays():
    assert period_end("service", D("2026-09-30")) == D("2026-10-15")  # 10-08, 10-09, Sat 10-10, 10-12 … 10-15
    assert period_end("service", D("2026-02-13")) == D("2026-03-02")  # Sat 02-14, 02-24 … 02-27, Sat 02-28, 03-02


def test_court_enforcement_only_after_ten_working_days_of_the_reminder():
    # 行政强制法 arts. 54 and 69: ten working days after service of the reminder, then the day after.
    assert earliest_court_application(D("2025-09-26")) == D("2025-10-17")
    assert earliest_court_application(D("2026-11-02")) == D("2026-11-17")


# -- months ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2025-08-31", 6, "2026-02-28"),
        ("2024-08-31", 6, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-09-16", 6, "2026-03-16"),
        ("2025-11-30", 3, "2026-02-28"),
    ],
)
def test_add_months_takes_the_corresponding_day_or_the_month_end(start, months, end):
    assert add_months(D(start), months) == D(end)


def test_litigation_period_of_six_months():
    assert period_end("litigation", D("2025-08-31")) == D("2026-02-28")  # a make-up Saturday: stays
    assert period_end("litigation", D("2026-04-01")) == D("2026-10-08")  # 10-01 National Day


def test_court_application_window_after_review_and_litigation_lapse():
    # review ends 2025-11-17 (11-15 is a Saturday), litigation 2026-03-16: the later one counts.
    assert court_application_window(D("2025-09-16")) == (D("2026-03-17"), D("2026-06-16"))


# -- a year chinese-calendar does not know -----------------------------------------------------------------------


def test_a_year_without_holiday_data_is_refused_not_counted_monday_to_friday():
    with pytest.raises(CalendarNotCovered) as caught:
        period_end("payment", D("2026-12-20"))  # 2027-01-04 falls in a year not yet published
    assert caught.value.year == 2027
    assert "2027年的法定节假日安排尚未收录" in caught.value.message
    with pytest.raises(CalendarNotCovered):
        add_working_days(D("2026-12-28"), 5)
    with pytest.raises(CalendarNotCovered):
        period_end("hearing_request", D("2003-12-01"))
    with pytest.raises(CalendarNotCovered):
        amount_due(30000, D("2026-12-20"), D("2027-02-01"))


# -- money: the issue's example and the surcharge's edges ------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "days", "surcharge"),
    [
        ("2025-09-16", 0, 0),
        ("2025-10-08", 0, 0),
        ("2025-10-09", 0, 0),  # the due day
        ("2025-10-10", 1, 90_000),  # the day it starts: 3% of 30000 yuan
        ("2025-11-10", 32, 2_880_000),
        ("2025-11-11", 33, 2_970_000),  # the day before the cap
        ("2025-11-12", 34, 3_000_000),  # the cap: never more than the fine
        ("2025-11-13", 35, 3_000_000),
        ("2026-11-28", 415, 3_000_000),
    ],
)
def test_the_issues_example(as_of, days, surcharge):
    result = amount_due(30000, D("2025-09-16"), D(as_of))
    assert result.due_on == D("2025-10-09")
    assert result.days_overdue == days
    assert result.surcharge_fen == surcharge
    assert result.total_fen == 3_000_000 + surcharge


def test_holidays_do_not_pause_the_surcharge_once_due():
    # due 09-30 (a working day): the surcharge runs through National Day
    assert amount_due(30000, D("2025-09-15"), D("2025-09-30")).surcharge_fen == 0
    assert amount_due(30000, D("2025-09-15"), D("2025-10-01")).surcharge_fen == 90_000
    assert amount_due(30000, D("2025-09-15"), D("2025-10-08")).days_overdue == 8


def test_paused_review_days_accrue_nothing():
    pause = [Pause(D("2025-10-15"), D("2025-10-24"))]  # ten days, both ends inclusive
    on = {day: amount_due(30000, D("2025-09-16"), D(day), pause) for day in
          ("2025-10-14", "2025-10-15", "2025-10-24", "2025-10-25", "2025-11-21", "2025-11-22")}
    assert on["2025-10-14"].surcharge_fen == 5 * 90_000
    assert on["2025-10-15"].surcharge_fen == 5 * 90_000
    assert on["2025-10-24"].days_overdue == 5
    assert on["2025-10-25"].surcharge_fen == 6 * 90_000
    assert on["2025-11-21"].surcharge_fen == 2_970_000  # the cap comes ten days later
    assert on["2025-11-22"].surcharge_fen == 3_000_000


def test_a_pending_pause_runs_to_as_of_and_a_pause_may_start_before_the_due_day():
    pending = [Pause(D("2025-10-20"))]
    assert amount_due(30000, D("2025-09-16"), D("2025-12-31"), pending).days_overdue == 10
    early = [Pause(D("2025-10-01"), D("2025-10-12"))]
    assert amount_due(30000, D("2025-09-16"), D("2025-10-13"), early).surcharge_fen == 90_000


def test_adjacent_pauses_are_accepted_overlapping_ones_refused():
    adjacent = [Pause(D("2025-10-13"), D("2025-10-14")), Pause(D("2025-10-10"), D("2025-10-12"))]
    assert amount_due(30000, D("2025-09-16"), D("2025-10-15"), adjacent).days_overdue == 1
    for pauses in (
        [Pause(D("2025-10-10"), D("2025-10-12")), Pause(D("2025-10-12"), D("2025-10-20"))],
        [Pause(D("2025-10-10")), Pause(D("2025-11-01"), D("2025-11-02"))],
        [Pause(D("2025-10-12"), D("2025-10-10"))],
        [Pause(D("2025-09-15"), D("2025-09-20"))],
    ):
        with pytest.raises(InvalidPayment) as caught:
            amount_due(30000, D("2025-09-16"), D("2025-10-15"), pauses)
        assert caught.value.field == "paused"


def test_partial_payments_accrue_on_the_unpaid_remainder():
    served = D("2025-09-16")
    # 10000 yuan paid on the due day: 3% of 20000 yuan a day from 10-10
    paid = [Payment(D("2025-10-09"), 1_000_000)]
    assert amount_due(30000, served, D("2025-10-10"), payments=paid).surcharge_fen == 60_000
    # the rest paid on 10-11: that day still accrues on it, nothing after
    paid.append(Payment(D("2025-10-11"), 2_000_000))
    result = amount_due(30000, served, D("2025-12-01"), payments=paid)
    assert result.surcharge_fen == 120_000
    assert result.paid_fen == 3_000_000
    assert result.outstanding_fen == 120_000
    # fractions of a fen are summed, then floored once: 99 fen unpaid → 2.97 fen a day
    tiny = [Payment(D("2025-10-09"), 1)]
    assert amount_due(1, served, D("2025-10-10"), payments=tiny).surcharge_fen == 2
    assert amount_due(1, served, D("2025-10-11"), payments=tiny).surcharge_fen == 5


@pytest.mark.parametrize(("as_of", "surcharge_fen"), [
    ("2025-10-09", 0),  # the due day (moved past National Day)
    ("2025-10-10", 3_703),  # 3% of 1,234.56元 = 37.0368元, floored to the fen
    ("2025-10-19", 37_036),  # ten days: 370.368元 → 370.36元 (summed, then floored once)
    ("2025-11-11", 122_221),  # 33 days: 1,222.2144元
    ("2025-11-12", 123_456),  # 34 days would be 1,259.25元: capped at the fine itself, to the fen
])
def test_a_fine_with_cents_is_reckoned_to_the_fen(as_of, surcharge_fen):
    """An imported fine of 1,234.56元 (a case keeps fen): the surcharge is 3% of the whole fine, cents and all,
    and its cap is the fine to the fen, not the 1,234元 left when the cents are dropped."""
    result = amount_due_fen(123_456, D("2025-09-16"), D(as_of))
    assert result.surcharge_fen == surcharge_fen
    assert result.total_fen == result.outstanding_fen == 123_456 + surcharge_fen


def test_a_fine_with_cents_paid_in_part_accrues_on_the_remainder_to_the_fen():
    # 1,000.00元 paid on the due day leaves 234.56元: 3% of it a day from 10-10 (7.0368元)
    paid = [Payment(D("2025-10-09"), 100_000)]
    result = amount_due_fen(123_456, D("2025-09-16"), D("2025-10-11"), payments=paid)
    assert result.surcharge_fen == 1_407  # 2 × 703.68 fen = 1407.36, floored once
    assert result.paid_fen == 100_000 and result.outstanding_fen == 23_456 + 1_407


@pytest.mark.parametrize("fine", [30000, 1, 12345])
def test_whole_yuan_is_the_same_reckoning_in_fen(fine):
    """The API's whole-yuan amount_due is amount_due_fen for the fine × 100."""
    pause = [Pause(D("2025-10-15"), D("2025-10-20"))]
    paid = [Payment(D("2025-10-12"), 50)]
    for as_of in ("2025-10-09", "2025-10-10", "2025-10-25", "2025-12-31"):
        assert amount_due(fine, D("2025-09-16"), D(as_of), pause, paid) == amount_due_fen(
            fine * 100, D("2025-09-16"), D(as_of), pause, paid)


@pytest.mark.parametrize("fine_fen", [-1, 0, 1.5, True, "123456"])
def test_a_fine_in_fen_must_be_a_positive_whole_number(fine_fen):
    with pytest.raises(InvalidPayment) as caught:
        amount_due_fen(fine_fen, D("2025-09-16"), D("2025-10-10"))
    assert caught.value.field == "fine"
    assert caught.value.message == "罚款须为正整数（分）"


@pytest.mark.parametrize("fine", [-1, 0, 1.5, True, "30000"])
def test_fine_must_be_a_positive_whole_number(fine):
    with pytest.raises(InvalidPayment) as caught:
        amount_due(fine, D("2025-09-16"), D("2025-10-10"))
    assert caught.value.field == "fine"


def test_as_of_before_service_is_refused():
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-09-15"))
    assert caught.value.field == "as_of"


# -- edges a mutation run found untested (issue 13 point 5) -----------------------------------------------------


def test_one_working_day_is_the_next_one_and_none_is_refused():
    assert add_working_days(D("2025-11-14"), 1) == D("2025-11-17")  # Friday → Monday
    with pytest.raises(ValueError, match="^a period has at least one working day$"):
        add_working_days(D("2025-11-14"), 0)


@pytest.mark.parametrize(("start", "months", "end"), [
    ("2025-01-31", 12, "2026-01-31"),  # twelve months from January is the next January
    ("2025-12-15", 1, "2026-01-15"),
    ("2024-02-29", 12, "2025-02-28"),
    ("2025-01-15", 23, "2026-12-15"),
    ("2025-01-15", 24, "2027-01-15"),
])
def test_months_across_years(start, months, end):
    assert add_months(D(start), months) == D(end)


def test_a_pause_may_start_on_the_day_of_service():
    result = amount_due(30000, D("2025-09-16"), D("2025-10-15"), [Pause(D("2025-09-16"), D("2025-10-12"))])
    assert result.days_overdue == 3  # 10-13, 10-14, 10-15 after the pause


def test_a_pause_before_service_is_named_in_both_languages():
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-10-15"), [Pause(D("2025-09-15"), D("2025-09-20"))])
    error = caught.value
    assert (error.field, error.code) == ("paused", "invalid_pause")
    assert error.message == "暂停期间 2025-09-15 早于送达日期 2025-09-16"
    assert error.message_en == str(error) == "a pause starting 2025-09-15 is before served_on"


def test_a_bad_payment_is_an_invalid_value():
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-10-15"), payments=[Payment(D("2025-10-01"), 0)])
    error = caught.value
    assert (error.field, error.code) == ("payments", "invalid_value")
    assert error.message == "缴款金额须为正数，缴款日期不得早于送达日期"
    assert error.message_en == "a payment must be positive and not before served_on"


def test_a_payment_on_the_day_of_service_counts():
    paid = [Payment(D("2025-09-16"), 3_000_000)]
    result = amount_due(30000, D("2025-09-16"), D("2025-12-01"), payments=paid)
    assert (result.surcharge_fen, result.paid_fen, result.outstanding_fen) == (0, 3_000_000, 0)


def test_overlapping_pauses_fine_and_as_of_errors_are_named_in_both_languages():
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-10-15"),
                   [Pause(D("2025-10-10"), D("2025-10-12")), Pause(D("2025-10-12"), D("2025-10-20"))])
    assert (caught.value.code, caught.value.message, caught.value.message_en) == (
        "overlapping_pauses", "暂停期间重叠：2025-10-12 已在前一期间内",
        "pauses overlap: 2025-10-12 falls within the previous pause")
    with pytest.raises(InvalidPayment) as caught:
        amount_due(0, D("2025-09-16"), D("2025-10-15"))
    assert (caught.value.code, caught.value.message, caught.value.message_en) == (
        "invalid_value", "罚款须为正整数（元）", "fine must be a whole number of yuan, at least 1")
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-09-15"))
    assert (caught.value.code, caught.value.message, caught.value.message_en) == (
        "as_of_before_service", "计算日期 2025-09-15 早于送达日期 2025-09-16", "as_of must not be before served_on")


def test_a_year_not_covered_is_said_in_both_languages():
    error = CalendarNotCovered(2027)
    assert error.message == "2027年的法定节假日安排尚未收录（请升级 chinese-calendar），无法计算该年的期限"
    assert str(error) == error.message_en == (
        "the public holidays of 2027 are not known to the installed chinese-calendar; "
        "no deadline in that year can be computed (upgrade chinese-calendar)")


def test_the_amount_due_as_the_api_writes_it():
    result = amount_due(30000, D("2025-09-16"), D("2025-10-10"))
    assert result.to_dict() == {"due_on": "2025-10-09", "days_overdue": 1, "surcharge_fen": 90_000,
                                "total_fen": 3_090_000}
    assert (result.paid_fen, result.outstanding_fen) == (0, 3_090_000)


def test_a_one_day_pause_is_accepted_a_reversed_one_refused():
    one_day = [Pause(D("2025-10-12"), D("2025-10-12"))]
    assert amount_due(30000, D("2025-09-16"), D("2025-10-15"), one_day).days_overdue == 5  # 10-10…10-15 but 10-12
    with pytest.raises(InvalidPayment) as caught:
        amount_due(30000, D("2025-09-16"), D("2025-10-15"), [Pause(D("2025-10-12"), D("2025-10-11"))])
    error = caught.value
    assert (error.field, error.code) == ("paused", "invalid_pause")
    assert error.message == "暂停期间的结束日期 2025-10-11 早于开始日期 2025-10-12"
    assert error.message_en == "a pause ends (2025-10-11) before it starts (2025-10-12)"


def test_a_payment_on_the_first_late_day_lowers_the_surcharge_from_the_next_day():
    paid = [Payment(D("2025-10-10"), 1_000_000)]  # the first day of surcharge still accrues on the whole fine
    assert amount_due(30000, D("2025-09-16"), D("2025-10-11"), payments=paid).surcharge_fen == 90_000 + 60_000


def test_late_payments_are_taken_in_date_order_whatever_order_they_come_in():
    paid = [Payment(D("2025-10-20"), 1_000_000), Payment(D("2025-10-12"), 1_000_000)]
    result = amount_due(30000, D("2025-09-16"), D("2025-10-25"), payments=paid)
    # 10-10…10-12 on 30000 yuan, 10-13…10-20 on 20000, 10-21…10-25 on 10000: 3% a day
    assert result.surcharge_fen == (3 * 3_000_000 + 8 * 2_000_000 + 5 * 1_000_000) * 3 // 100 == 900_000
    assert (result.paid_fen, result.total_fen, result.outstanding_fen) == (2_000_000, 3_900_000, 1_900_000)


def test_the_fine_paid_then_its_surcharge_paid_later_leaves_nothing_owed():
    paid = [Payment(D("2025-10-11"), 3_000_000), Payment(D("2025-12-01"), 180_000)]
    result = amount_due(30000, D("2025-09-16"), D("2025-12-01"), payments=paid)
    assert result.surcharge_fen == 180_000  # 10-10 and 10-11 on the whole fine; nothing once it was paid
    assert (result.paid_fen, result.total_fen, result.outstanding_fen) == (3_180_000, 3_180_000, 0)

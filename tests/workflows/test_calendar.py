"""The working-day calendar against the State Council's published holiday schedules for 2025 and 2026."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import calendar as cal

D = dt.date


# National Day and Mid-Autumn 2025 (国办发明电〔2024〕12号): 10-01..10-08 off; Sunday 09-28 and Saturday
# 10-11 are make-up working days.
@pytest.mark.parametrize("day", [D(2025, 10, d) for d in range(1, 9)])
def test_national_day_2025_is_off(day):
    assert not cal.is_working_day(day)


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_national_day_2025_make_up_days_are_working_days(day):
    assert day.weekday() >= 5
    assert cal.is_working_day(day)


def test_ordinary_week():
    assert [cal.is_working_day(D(2025, 11, d)) for d in range(3, 10)] == [True] * 5 + [False] * 2


# Spring Festival 2026 (国办发明电〔2025〕7号): 02-15..02-23 off; Saturdays 02-14 and 02-28 worked.
def test_spring_festival_2026():
    assert not any(cal.is_working_day(D(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(D(2026, 2, 14)) and cal.is_working_day(D(2026, 2, 28))
    assert cal.is_working_day(D(2026, 2, 24))


@pytest.mark.parametrize("year", [2025, 2026])
def test_agrees_with_chinese_calendar_every_day(year):
    days = [D(year, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    assert [cal.is_working_day(d) for d in days] == [chinese_calendar.is_workday(d) for d in days]


def test_submission_day_does_not_count():
    # Submitted Monday 2025-11-03: the first working day of the period is Tuesday.
    assert cal.add_working_days(D(2025, 11, 3), 1) == D(2025, 11, 4)
    # Submitted on a Saturday: the first counted day is Monday.
    assert cal.add_working_days(D(2025, 11, 8), 1) == D(2025, 11, 10)
    assert cal.add_working_days(D(2025, 11, 3), 0) == D(2025, 11, 3)


def test_fifteen_working_days_across_national_day_2025():
    # Submitted Thursday 09-25. Counted: 09-26, 09-28 (make-up Sunday), 09-29, 09-30 = 4; 10-01..08 off;
    # 10-09, 10-10, 10-11 (make-up Saturday) = 7; 10-13..17 = 12; 10-20, 21, 22 = 15.
    assert cal.add_working_days(D(2025, 9, 25), 15) == D(2025, 10, 22)


def test_deadline_across_spring_festival_2026():
    # Submitted Wednesday 02-11: 02-12, 02-13, 02-14 (make-up Saturday) = 3; 02-15..23 off;
    # 02-24..27 = 7; 02-28 (make-up Saturday) = 8; 03-02..06 = 13; 03-09, 03-10 = 15.
    assert cal.add_working_days(D(2026, 2, 11), 15) == D(2026, 3, 10)


def test_counting_backwards():
    assert cal.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.add_working_days(D(2025, 10, 13), -2) == D(2025, 10, 10)


def test_working_days_between():
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert cal.working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
    assert cal.working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == -3
    assert cal.working_days_between(D(2025, 10, 11), D(2025, 10, 11)) == 0


def test_next_working_day():
    assert cal.next_working_day(D(2025, 10, 3)) == D(2025, 10, 9)
    assert cal.next_working_day(D(2025, 10, 9)) == D(2025, 10, 9)


def test_a_datetime_counts_as_its_date():
    assert cal.is_working_day(dt.datetime(2025, 10, 11, 9, 30))


def test_unknown_year_falls_back_to_monday_to_friday():
    """chinese-calendar raises NotImplementedError past its data; the calendar then counts Mon-Fri."""
    year = 2099
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(year, 1, 1))
    assert not cal.has_holiday_data(year)
    assert cal.has_holiday_data(2026)
    # 2099-01-01 is a Thursday: New Year's Day would be a holiday, but without data it is a working day.
    assert D(year, 1, 1).weekday() == 3 and cal.is_working_day(D(year, 1, 1))
    assert not cal.is_working_day(D(year, 1, 3))  # Saturday
    assert cal.add_working_days(D(year, 1, 2), 1) == D(year, 1, 5)


@pytest.mark.skipif(cal.has_holiday_data(2027), reason="chinese-calendar now knows 2027")
def test_counting_crosses_from_known_into_unknown_years():
    # 2026-12-31 is a Thursday; without 2027 data New Year's Day 2027 (a Friday) counts as a working day.
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=-40, max_value=40),
)
def test_add_and_between_are_inverse(start, n):
    end = cal.add_working_days(start, n)
    assert cal.working_days_between(start, end) == n
    if n:
        assert cal.is_working_day(end)

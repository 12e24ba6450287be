"""China's working-day calendar, the one clock behind every deadline in the system.

Public holidays and the make-up working days (调休) come from chinese-calendar, which the State Council's
yearly notice feeds one year at a time. For a year the installed package does not know yet, every
Monday to Friday counts as a working day: a deadline then errs by the holidays of that year, so
`has_holiday_data` lets the application warn, and upgrading chinese-calendar each December fixes it.

Counting rule (the one Chinese administrative procedure uses for periods): the day on which the period
starts — the day of submission — does not count; counting starts with the next working day. So
`add_working_days(friday, 1)` is the following Monday, and `working_days_between(a, b)` counts the working
days after `a` up to and including `b`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

__all__ = [
    "add_working_days",
    "has_holiday_data",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]


@lru_cache(maxsize=4096)
def has_holiday_data(year: int) -> bool:
    """Whether the installed chinese-calendar knows the holidays of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def is_working_day(day: dt.date) -> bool:
    """A day on which the bureaus work: holidays off, make-up Saturdays and Sundays on."""
    if isinstance(day, dt.datetime):  # a datetime would slip past the cache key as a different value
        day = day.date()
    if not has_holiday_data(day.year):
        return day.weekday() < 5
    return chinese_calendar.is_workday(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (before it when n is negative); `start` itself never counts."""
    if n == 0:
        return start
    step = dt.timedelta(days=1 if n > 0 else -1)
    day, remaining = start, abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days from `a` to `b`, leaving out `a` and counting `b`; negative when `b` is before `a`.

    The inverse of `add_working_days`: `working_days_between(a, add_working_days(a, n)) == n`.
    """
    sign = 1 if b >= a else -1
    return sign * sum(
        1
        for offset in range(1, abs((b - a).days) + 1)
        if is_working_day(a + sign * dt.timedelta(days=offset))
    )


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself if the bureaus work then, otherwise the first working day after it.

    A period counted in calendar days whose last day falls on a rest day ends on the next working day.
    """
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day

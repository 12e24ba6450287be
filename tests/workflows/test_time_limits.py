"""Deadlines and reminders of a time limit (workflows/time_limits.py): the day a limit ends, counted as
Chinese administrative procedure counts, and the day the clerk is reminded, which is never after it."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows import calendar as cal
from workflows.definition_schema import TimeLimit
from workflows.time_limits import (
    BEIJING_LABEL,
    MissingParameter,
    TimeStatus,
    beijing_time,
    clock_for,
    deadline,
    format_beijing,
    resolve,
)

D = dt.date


# November 2025 is an ordinary month: Saturdays 1, 8, 15, 22, 29 and Sundays 2, 9, 16, 23, 30 off.
@pytest.mark.parametrize(("started", "days", "ends"), [
    (D(2025, 11, 3), 13, D(2025, 11, 17)),  # last day Sunday 11-16: Monday, one day later, not Tuesday
    (D(2025, 11, 3), 12, D(2025, 11, 17)),  # last day Saturday 11-15: Monday, two days later
    (D(2025, 11, 3), 11, D(2025, 11, 14)),  # last day Friday: stays
    (D(2025, 11, 3), 14, D(2025, 11, 17)),  # last day Monday: stays
    (D(2025, 11, 7), 2, D(2025, 11, 10)),   # Friday + 2 = Sunday: Monday
])
def test_a_calendar_day_limit_ending_on_a_rest_day_ends_on_the_next_working_day(started, days, ends):
    assert deadline(started, TimeLimit(days=days)) == ends


@pytest.mark.parametrize(("day", "working"), [
    (D(2025, 11, 16), D(2025, 11, 17)),  # Sunday → Monday
    (D(2025, 11, 15), D(2025, 11, 17)),  # Saturday → Monday
    (D(2025, 11, 17), D(2025, 11, 17)),  # a working day is its own
    (D(2025, 10, 1), D(2025, 10, 9)),  # National Day 2025: 10-01..10-08 off
])
def test_next_working_day_is_the_first_one_on_or_after(day, working):
    assert cal.next_working_day(day) == working


def test_a_working_day_limit_counts_from_the_day_after_and_skips_the_weekend():
    assert deadline(D(2025, 11, 14), TimeLimit(working_days=1)) == D(2025, 11, 17)  # Friday → Monday
    assert deadline(D(2025, 11, 3), TimeLimit(working_days=5)) == D(2025, 11, 10)


@pytest.mark.parametrize("limit", [
    TimeLimit(working_days=15, remind_before=3),
    TimeLimit(days=30, remind_before=5),
    TimeLimit(working_days=5, remind_before=0),
    TimeLimit(days=7, remind_before=0),
])
@pytest.mark.parametrize("started", [D(2025, 11, 3), D(2025, 9, 26), D(2026, 2, 13)])
def test_the_reminder_is_never_after_the_deadline(started, limit):
    clock = clock_for(started, limit)
    assert clock.started == started
    assert clock.remind_on <= clock.deadline
    assert clock.status(clock.remind_on - dt.timedelta(days=1)) is TimeStatus.OK
    assert clock.status(clock.deadline) is TimeStatus.NEAR
    assert clock.status(clock.deadline + dt.timedelta(days=1)) is TimeStatus.OVERDUE


def test_the_reminder_of_a_working_day_limit_is_that_many_working_days_before():
    clock = clock_for(D(2025, 11, 3), TimeLimit(working_days=15, remind_before=3))
    assert clock.deadline == D(2025, 11, 24)  # Monday
    assert clock.remind_on == D(2025, 11, 19)  # Wednesday: 3 working days before (20, 21, 24 left)
    assert clock.status(D(2025, 11, 18)) is TimeStatus.OK
    assert clock.status(D(2025, 11, 19)) is TimeStatus.NEAR
    assert clock.status(D(2025, 11, 24)) is TimeStatus.NEAR
    assert clock.status(D(2025, 11, 25)) is TimeStatus.OVERDUE
    assert clock.working_days_waited(D(2025, 11, 24)) == 15


def test_the_reminder_of_a_calendar_day_limit_is_that_many_days_before():
    clock = clock_for(D(2025, 11, 3), TimeLimit(days=14, remind_before=5))
    assert clock.deadline == D(2025, 11, 17)
    assert clock.remind_on == D(2025, 11, 12)
    assert clock.status(D(2025, 11, 11)) is TimeStatus.OK
    assert clock.status(D(2025, 11, 12)) is TimeStatus.NEAR


def test_a_moment_starts_the_clock_on_its_beijing_date():
    # 2025-11-02 16:30 UTC is 00:30 on Monday 11-03 in Beijing
    clock = clock_for(dt.datetime(2025, 11, 2, 16, 30), TimeLimit(working_days=1))
    assert clock.started == D(2025, 11, 3)
    assert clock.deadline == D(2025, 11, 4)


def test_the_status_values_are_the_words_the_templates_compare():
    # app/cases/templates/cases/*.html: {% if row.status == 'overdue' %} … {% elif row.status == 'near' %}
    assert [s.value for s in TimeStatus] == ["ok", "near", "overdue"]


# ---- Beijing time for people: the one function every page, workbook, export and audit line uses --------
@pytest.mark.parametrize(("value", "options", "text"), [
    (dt.datetime(2026, 11, 30, 17, 30), {}, "2026-12-01 01:30"),  # a stored moment is UTC: the next day in Beijing
    (dt.datetime(2026, 11, 30, 17, 30, 5), {"seconds": True}, "2026-12-01 01:30:05"),
    (dt.datetime(2026, 11, 30, 17, 30), {"label": True}, "2026-12-01 01:30（北京时间）"),
    (dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), {}, "2026-12-01 01:30"),
    (dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), {}, "2026-12-01 01:00"),
    ("2026-11-30T17:30:00", {}, "2026-12-01 01:30"),  # as audit details keep moments
    ("2026-11-30T17:30:00+00:00", {"label": True}, "2026-12-01 01:30（北京时间）"),
    ("不是时间", {}, "不是时间"),  # text that is no moment is shown as it is
    (dt.date(2026, 11, 30), {}, "2026-11-30"),  # a plain date has no zone to convert
    (dt.date(2026, 11, 30), {"label": True}, "2026-11-30"),
    (None, {}, ""),
    ("", {"label": True}, ""),
])
def test_format_beijing(value, options, text):
    assert format_beijing(value, **options) == text


def test_beijing_time_reads_a_naive_moment_as_utc():
    moment = beijing_time(dt.datetime(2026, 11, 30, 16, 30))
    assert (moment.date(), moment.hour, moment.utcoffset()) == (D(2026, 12, 1), 0, dt.timedelta(hours=8))
    assert BEIJING_LABEL == "北京时间"


# ---- a limit the pack gives (from_pack) --------------------------------------------------------------------
def test_a_pack_gives_a_limit_in_calendar_days_with_its_own_reminder():
    limit = resolve(TimeLimit(from_pack="complaints.verify", remind_before=2),
                    {"complaints": {"verify": {"days": 30, "remind_before": 5}}})
    assert (limit.days, limit.working_days, limit.remind_before) == (30, None, 5)
    assert deadline(D(2025, 11, 3), limit) == D(2025, 12, 3)


def test_a_pack_without_its_own_reminder_keeps_the_definitions():
    limit = resolve(TimeLimit(from_pack="filing.time_limit", remind_before=2), {"filing": {"time_limit": {"working_days": 15}}})
    assert (limit.working_days, limit.remind_before) == (15, 2)


@pytest.mark.parametrize("pack", [{"filing": {}}, type("Pack", (), {"filing": type("Filing", (), {})})])
def test_a_value_the_pack_lacks_is_named(pack):
    with pytest.raises(MissingParameter, match=r"^jurisdiction pack has no 'filing.time_limit' \(missing 'time_limit'\)$"):
        resolve(TimeLimit(from_pack="filing.time_limit"), pack)


def test_an_unresolved_limit_has_no_deadline():
    with pytest.raises(ValueError, match="^resolve a from_pack time limit before computing its deadline$"):
        deadline(D(2025, 11, 3), TimeLimit(from_pack="filing.time_limit"))


def test_a_clock_cannot_be_changed_once_made():
    import dataclasses

    clock = clock_for(D(2025, 11, 3), TimeLimit(days=14))
    with pytest.raises(dataclasses.FrozenInstanceError):
        clock.deadline = D(2030, 1, 1)

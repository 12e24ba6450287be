"""Deadlines of workflow states: when a time limit ends, when to remind, and where a record stands.

Kept apart from the engine so the queue pages and the daily reminder job can use it without firing
anything. Dates are China's calendar dates: an aware datetime is read in UTC+8 (China keeps no summer
time), so a filing submitted at 23:30 Beijing time counts from that day, not from the UTC one.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from workflows import calendar as china_calendar
from workflows.definition_schema import TimeLimit

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


class WorkingCalendar(Protocol):
    def add_working_days(self, start: dt.date, n: int) -> dt.date: ...
    def next_working_day(self, day: dt.date) -> dt.date: ...
    def working_days_between(self, a: dt.date, b: dt.date) -> int: ...


class MissingParameter(LookupError):
    """A definition asks the jurisdiction pack for a value the pack does not have."""


class TimeStatus(enum.StrEnum):
    OK = "ok"
    NEAR = "near"  # inside the reminder window, deadline not yet passed
    OVERDUE = "overdue"


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar date in China of a date or datetime.

    A naive datetime is UTC: that is how the application stores every timestamp (app/models/base.py), so
    a request submitted at 00:30 Beijing time (16:30 UTC the day before) counts from the Beijing day."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(CHINA_TZ).date()
    return value


def beijing_time(value: dt.datetime) -> dt.datetime:
    """A stored moment as Beijing wall-clock time (aware, UTC+8). A naive datetime is UTC (utcnow)."""
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA_TZ)


BEIJING_LABEL = "北京时间"


def format_beijing(value: dt.datetime | dt.date | str | None, *, seconds: bool = False, label: bool = False) -> str:
    """The one way a moment is written for people (pages, workbooks, exports, the audit log): Beijing time,
    "2026-12-01 01:30", with "（北京时间）" after it when ``label``. An ISO text (as audit details keep
    them) is read first; a plain date is written as it is; None is empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return value.isoformat()
    text = beijing_time(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text}（{BEIJING_LABEL}）" if label else text


def china_today() -> dt.date:
    """Today where the bureau is: a server on UTC would otherwise date this morning's work yesterday."""
    return dt.datetime.now(CHINA_TZ).date()


def _lookup(source: Any, dotted: str) -> Any:
    value = source
    for part in dotted.split("."):
        if isinstance(value, Mapping):
            if part not in value:
                raise MissingParameter(f"jurisdiction pack has no {dotted!r} (missing {part!r})")
            value = value[part]
        elif hasattr(value, part):
            value = getattr(value, part)
        else:
            raise MissingParameter(f"jurisdiction pack has no {dotted!r} (missing {part!r})")
    return value


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)


def resolve(limit: TimeLimit, pack: Any = None) -> TimeLimit | None:
    """A limit with its amount filled in: `from_pack` values read from the pack (None: the pack sets none).

    The pack gives the amount (`working_days` or `days`) and may give `remind_before`; the definition keeps
    what happens on expiry.
    """
    if limit.from_pack is None:
        return limit
    value = _lookup(pack, limit.from_pack)
    if value is None:
        return None
    remind = _get(value, "remind_before")
    return TimeLimit(
        working_days=_get(value, "working_days"),
        days=_get(value, "days"),
        remind_before=limit.remind_before if remind is None else remind,
        on_expiry=limit.on_expiry,
        escalate_to_role=limit.escalate_to_role,
        counted_from=limit.counted_from,
    )


def deadline(
    started: dt.date, limit: TimeLimit, calendar: WorkingCalendar | ModuleType = china_calendar
) -> dt.date:
    """The last day of the limit that starts on `started` (that day itself does not count).

    Working days skip holidays and count make-up days. Calendar days end on the next working day when the
    last one is a rest day, the rule Chinese administrative procedure applies to periods.
    """
    if limit.working_days is not None:
        return calendar.add_working_days(started, limit.working_days)
    if limit.days is not None:
        return calendar.next_working_day(started + dt.timedelta(days=limit.days))
    raise ValueError("resolve a from_pack time limit before computing its deadline")


@dataclass(frozen=True)
class Clock:
    """The time limit a record is running against in its current state."""

    started: dt.date
    deadline: dt.date
    remind_on: dt.date
    limit: TimeLimit

    def status(self, today: dt.date) -> TimeStatus:
        if today > self.deadline:
            return TimeStatus.OVERDUE
        if today >= self.remind_on:
            return TimeStatus.NEAR
        return TimeStatus.OK

    def working_days_waited(self, today: dt.date, calendar: Any = china_calendar) -> int:
        return calendar.working_days_between(self.started, today)


def clock_for(
    started: dt.date | dt.datetime, limit: TimeLimit, calendar: WorkingCalendar | ModuleType = china_calendar
) -> Clock:
    start = local_date(started)
    end = deadline(start, limit, calendar)
    if limit.working_days is not None:
        remind_on = calendar.add_working_days(end, -limit.remind_before)
    else:
        remind_on = end - dt.timedelta(days=limit.remind_before)
    return Clock(started=start, deadline=end, remind_on=remind_on, limit=limit)

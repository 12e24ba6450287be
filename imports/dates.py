"""Reading the dates people type into sheets: real Excel dates, serial numbers, and the three written forms
bureaus use (2025-03-01, 2025/3/1, 2025年3月1日)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30)
"""Day 0 of Excel's 1900 date system (the 1900 leap-year bug makes day 60 unreachable from 1 March 1900)."""
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31

_WRITTEN = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class DateError(ValueError):
    """The text is not a date; the message is the Chinese reason."""


def parse_date(value: object) -> dt.date:
    """Return the date a cell holds, or raise DateError. Times of day are dropped."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateError("格式不正确")
    if isinstance(value, int | float):
        if value != value or not 1 <= value <= MAX_EXCEL_SERIAL:
            raise DateError("格式不正确")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if not isinstance(value, str):
        raise DateError("格式不正确")
    text = unicodedata.normalize("NFKC", value).strip()
    found = _WRITTEN.match(text) or _COMPACT.match(text)
    if not found:
        raise DateError("格式不正确，应为 2025-03-01、2025/3/1 或 2025年3月1日")
    try:
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError as exc:
        raise DateError("不是有效日期") from exc

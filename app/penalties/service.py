"""How the calculator page writes a trace step's value (money and the clock live in reports/money.py and
workflows/time_limits.py)."""

from __future__ import annotations

import datetime as dt

from reports.money import yuan
from workflows.penalty import TraceStep
from workflows.penalty_pack import MEASURE_LABELS


def trace_value(step: TraceStep) -> str:
    """A trace step's value as the page shows it: amounts in yuan, dates in Chinese, measures by name."""
    value = step.value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int):
        return yuan(value) if step.step.startswith(("fine", "confiscation")) else str(value)
    if isinstance(value, list):
        return "、".join(MEASURE_LABELS.get(item, str(item)) for item in value) or "无"
    return str(value)

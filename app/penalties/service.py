"""What the calculator page and the API share beyond workflows.penalty: the bureau's clock and money
written the way a decision writes it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import cn2an

from workflows.penalty import TraceStep
from workflows.penalty_pack import MEASURE_LABELS

CHINA = ZoneInfo("Asia/Shanghai")


def china_today() -> dt.date:
    """Today where the bureau is: a server on UTC would otherwise refuse an act of this morning before 8."""
    return dt.datetime.now(CHINA).date()


def yuan(amount: int) -> str:
    """30000 → "30,000元"."""
    return f"{amount:,}元"


def yuan_capital(amount: int) -> str:
    """30000 → "叁万元整", as amounts are written on a decision so that they cannot be altered."""
    return f"{cn2an.an2cn(int(amount), 'up')}元整"


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

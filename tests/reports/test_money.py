"""Money text (reports/money.py): integer fen and yuan as people read them, sign and cents kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.money import (
    fen_to_yuan_capital,
    fen_to_yuan_figure,
    fen_to_yuan_short,
    fen_to_yuan_short_text,
    fen_to_yuan_text,
    yuan,
    yuan_capital,
)


@pytest.mark.parametrize(("fen", "text"), [
    (123405, "1,234.05元"),  # the leading zero of the cents stays
    (123450, "1,234.50元"),
    (123456, "1,234.56元"),
    (5, "0.05元"),
    (100, "1.00元"),
    (0, "0.00元"),
    (300000000, "3,000,000.00元"),
    (-123405, "-1,234.05元"),  # a refund or a correction keeps its minus sign
    (-5, "-0.05元"),
    (-100, "-1.00元"),
])
def test_fen_as_yuan_text(fen, text):
    assert fen_to_yuan_text(fen) == text


@pytest.mark.parametrize(("fen", "text"), [
    (3_000_000, "30,000元"),  # a whole amount without ".00", as a decision writes a fine
    (123_456, "1,234.56元"),
    (123_405, "1,234.05元"),  # the leading zero of the cents stays
    (123_450, "1,234.50元"),  # cents are written to the fen once there are any
    (5, "0.05元"),
    (0, "0元"),
    (None, "0元"),
    (-123_405, "-1,234.05元"),
    (-300, "-3元"),
])
def test_fen_as_short_yuan_text(fen, text):
    assert fen_to_yuan_short_text(fen) == text
    assert fen_to_yuan_short(fen) == text.removesuffix("元")


@pytest.mark.parametrize(("amount", "text"), [(30000, "30,000元"), (500, "500元"), (0, "0元"), (-2000, "-2,000元")])
def test_whole_yuan(amount, text):
    assert yuan(amount) == text


@pytest.mark.parametrize(("amount", "text"), [(30000, "叁万元整"), (5000, "伍仟元整"), (200000, "贰拾万元整")])
def test_capital_numerals(amount, text):
    assert yuan_capital(amount) == text
    assert fen_to_yuan_capital(amount * 100) == text


@pytest.mark.parametrize(("fen", "text"), [
    (123_456, "壹仟贰佰叁拾肆元伍角陆分"),  # no 整 after 分
    (123_405, "壹仟贰佰叁拾肆元零伍分"),
    (123_450, "壹仟贰佰叁拾肆元伍角整"),
    (100_005, "壹仟元零伍分"),
    (1_001_000, "壹万零壹拾元整"),
    (5, "伍分"),
    (50, "伍角整"),
    (0, "零元整"),
    (-123_405, "负壹仟贰佰叁拾肆元零伍分"),
])
def test_fen_in_capital_numerals(fen, text):
    assert fen_to_yuan_capital(fen) == text


@pytest.mark.parametrize(("fen", "figure"), [
    (123405, "1234.05"), (123450, "1234.50"), (300000, "3000"), (5, "0.05"), (0, "0"), (None, "0"),
    (-123405, "-1234.05"),
])
def test_fen_as_a_spreadsheet_figure_is_exact(fen, figure):
    assert fen_to_yuan_figure(fen) == Decimal(figure)
    assert str(fen_to_yuan_figure(fen)) == figure


def test_a_figure_is_exact_beyond_what_a_float_holds():
    fen = (2**53 + 1) * 100  # a float rounds 2**53 + 1 to 2**53
    assert fen_to_yuan_figure(fen) == Decimal(2**53 + 1)
    assert fen_to_yuan_text(fen) == f"{2**53 + 1:,}.00元"

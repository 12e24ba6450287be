"""Identifier checks shared by the web forms and the importers (workflows/identifiers.py): the unified social
credit code (GB 32100-2015) and the resident ID number (GB 11643-1999), each with its check character."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.identifiers import (
    IdentifierError,
    check_credit_code,
    check_resident_id,
    credit_code_division,
    credit_code_province,
    mask_resident_id,
)


@pytest.mark.parametrize(("written", "code"), [
    ("91210100MA0A00001A", "91210100MA0A00001A"),
    (" 91210100ma0a00001a\u3000", "91210100MA0A00001A"),  # spaces, full-width space and lower case
    ("Y1210100MA0XY1234W", "Y1210100MA0XY1234W"),  # a letter in the first two characters is allowed
])
def test_a_valid_credit_code_is_normalised(written, code):
    assert check_credit_code(written) == code


@pytest.mark.parametrize(("written", "reason"), [
    ("91210100MA0A00001", "统一社会信用代码应为18位"),
    ("91210100MA0A00001AB", "统一社会信用代码应为18位"),
    ("91210100MA0A0000IA", "统一社会信用代码含有不允许的字符"),  # I is not in GB 32100's alphabet
    ("9121A100MA0A00001A", "统一社会信用代码含有不允许的字符"),  # characters 3–8 are the division's digits
    ("91210100MA0A00001B", "统一社会信用代码校验位不正确"),
    ("", "统一社会信用代码应为18位"),
])
def test_a_bad_credit_code_is_refused_with_its_reason(written, reason):
    with pytest.raises(IdentifierError, match=f"^{reason}$"):
        check_credit_code(written)


def test_a_credit_code_names_its_division_and_province():
    assert credit_code_division("91210102MA0A00001A") == "210102"
    assert credit_code_province("91210102MA0A00001A") == "210000"


@pytest.mark.parametrize(("written", "number"), [
    ("210102198001010010", "210102198001010010"),
    ("11010519491231002x", "11010519491231002X"),
])
def test_a_valid_resident_id_is_normalised(written, number):
    assert check_resident_id(written, today=dt.date(2026, 1, 1)) == number


@pytest.mark.parametrize(("written", "reason"), [
    ("21010219800101001", "身份证号码应为18位"),
    ("2101021980010100X0", "身份证号码含有不允许的字符"),
    ("210102198013010013", "身份证号码中的出生日期不正确"),  # month 13
    ("210102198001010011", "身份证号码校验位不正确"),
])
def test_a_bad_resident_id_is_refused_with_its_reason(written, reason):
    with pytest.raises(IdentifierError, match=f"^{reason}$"):
        check_resident_id(written, today=dt.date(2026, 1, 1))


def test_a_birth_date_after_today_is_refused():
    with pytest.raises(IdentifierError, match="出生日期不正确"):
        check_resident_id("210102198001010010", today=dt.date(1979, 12, 31))


def test_an_id_number_is_masked_in_lists():
    assert mask_resident_id("210102198001010010") == "210102********0010"
    assert mask_resident_id("short") == "****"

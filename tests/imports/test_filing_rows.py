"""Filing roster validation: golden files (inputs with hand-written expected errors), field rules, the
error report, and the quick credit-code path agreeing with workflows.identifiers."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports.dates import DateError, parse_date
from imports.error_report import REASON_HEADER, ROW_NUMBER_HEADER, write_error_report_for_file
from imports.filing_rows import (
    FilingDisabled,
    FilingRowValidator,
    FilingRules,
    clean_text,
    fast_credit_code,
    validate_filing_sheet,
)
from imports.headers import HeaderMatcher
from imports.workbook import open_sheet
from workflows.identifiers import IdentifierError, check_credit_code

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
JURISDICTIONS = ROOT / "workflows" / "jurisdictions"
TODAY = dt.date(2025, 6, 30)
TAKEN = {"辽公技备〔2020〕210100-0099号": "91210100MA0ZZZZZZZ"}  # another firm's number in the database
LETTER_CODE = "Y1210100MA0XY1234W"


@pytest.fixture(scope="module")
def rules():
    return FilingRules.from_directory(JURISDICTIONS / "liaoning")


def validator(rules, existing=None):
    return FilingRowValidator.from_rules(rules, TODAY, TAKEN if existing is None else existing)


def run(rules, path, existing=None):
    return validate_filing_sheet(open_sheet(path), validator(rules, existing))


# ---- golden files -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["filings_messy.xlsx", "filings_bom.csv", "filings_gb18030.csv"])
def test_golden_errors(rules, name):
    expected = json.loads((FIXTURES / (name.rsplit(".", 1)[0] + ".errors.json")).read_text("utf-8"))
    result = run(rules, FIXTURES / name).result
    assert [e.as_dict() for e in result.errors] == expected
    assert result.refused_rows == {e["row"] for e in expected}


@pytest.mark.parametrize("name", ["filings_messy.xlsx", "filings_bom.csv", "filings_gb18030.csv"])
def test_golden_error_reports(rules, name, tmp_path):
    """The error report of each golden input is what its hand-written errors say: one line per refused
    row with its original row number, the row as the file had it, exactly the refused cells marked (pink,
    with the reason as a comment), and every reason of the row in the last column."""
    source = FIXTURES / name
    expected = json.loads((FIXTURES / (name.rsplit(".", 1)[0] + ".errors.json")).read_text("utf-8"))
    report = tmp_path / "report.xlsx"
    write_error_report_for_file(report, source, run(rules, source).result.errors)
    imported = run(rules, source)
    original = {number: values for number, values in HeaderMatcher().find(open_sheet(source).rows())[1]}
    sheet = openpyxl.load_workbook(report).active
    header = [c.value for c in sheet[1]]
    assert header == [ROW_NUMBER_HEADER, *[h if h != "" else None for h in imported.header.values], REASON_HEADER]
    lines = list(sheet.iter_rows(min_row=2))
    assert [line[0].value for line in lines] == sorted({e["row"] for e in expected})
    for line in lines:
        number = line[0].value
        wanted = [e for e in expected if e["row"] == number]
        marked = {header[c.column - 1].strip(): c.comment.text for c in line[1:-1] if c.comment is not None}
        assert marked == {e["column"]: e["reason"] for e in wanted}, number
        assert all(c.fill.fgColor.rgb.endswith("FFC7CE") for c in line[1:-1] if c.comment is not None)
        assert line[-1].value == "；".join(e["reason"] for e in wanted)
        shown = [c.value for c in line[1:-1]]
        as_written = [v if v != "" else None for v in original[number]][:len(shown)]
        assert shown[:len(as_written)] == as_written, number


def test_golden_messy_clean_rows(rules):
    imported = run(rules, FIXTURES / "filings_messy.xlsx")
    assert imported.header.row_number == 3
    assert imported.header.ignored == ["序号", "备注"]
    result = imported.result
    assert result.source_rows == [4, 5, 6]
    assert result.total_rows == 14
    first, second, third = result.rows
    assert first == {
        "name": "沈阳字母代码安防有限公司", "credit_code": LETTER_CODE, "legal_rep": "王伟",
        "registered_address": "沈阳市和平区1号", "premises_address": "沈阳市和平区1号", "city_code": "210100",
        "business_types": ["design", "installation"], "contact": "李娜", "phone": "024-23456789",
        "filing_number": "辽公技备〔2024〕210100-0001号", "filed_on": dt.date(2024, 3, 1),
    }
    assert second["name"] == "大连全角空格安防有限公司"  # full-width spaces trimmed
    assert second["legal_rep"] == "张敏"
    assert second["filing_number"] is None
    assert second["filed_on"] == dt.date(2025, 3, 1)
    assert third["business_types"] == ["design", "alarm_operation", "maintenance"]
    assert third["contact"] == "=SUM(A1)"  # the export's quote taken off
    assert third["filed_on"] == dt.date(2024, 3, 1)


def test_error_report_marks_refused_cells(rules, tmp_path):
    source = FIXTURES / "filings_messy.xlsx"
    result = run(rules, source).result
    report = tmp_path / "report.xlsx"
    written = write_error_report_for_file(report, source, result.errors)
    assert written == len(result.refused_rows)
    sheet = openpyxl.load_workbook(report).active
    header = [c.value for c in sheet[1]]
    assert header[0] == ROW_NUMBER_HEADER and header[-1] == REASON_HEADER
    assert header[2] == "企业名称"  # the file's own header, after 原行号 and 序号
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == sorted(result.refused_rows)
    check_row = rows[0]  # sheet row 7: the bad check character, column C of the original → D here
    assert check_row[3].comment.text == "统一社会信用代码校验位不正确"
    assert check_row[3].fill.fgColor.rgb.endswith("FFC7CE")
    assert check_row[1].comment is None
    assert check_row[-1].value == "统一社会信用代码校验位不正确"
    empty_name = next(r for r in rows if r[0].value == 14)
    assert empty_name[-1].value == "单位名称不能为空；法定代表人不能为空；业务类型不能为空"
    assert empty_name[2].comment.text == "单位名称不能为空"


# ---- field rules --------------------------------------------------------------------------------------
HEADER = ["单位名称", "统一社会信用代码", "法定代表人", "所在市", "业务类型", "备案编号", "备案日期"]


def validate(rules, *rows, existing=None):
    header = HeaderMatcher().map_row(1, HEADER)
    return validator(rules, existing).validate_rows(iter(enumerate(rows, start=2)), header)


def good(**changes):
    row = {"单位名称": "甲公司", "统一社会信用代码": LETTER_CODE, "法定代表人": "王伟", "所在市": "沈阳市",
           "业务类型": "设计", "备案编号": "", "备案日期": ""}
    row.update(changes)
    return [row[h] for h in HEADER]


def test_letter_prefixed_credit_code_accepted(rules):
    """python-stdnum refuses it (first eight not all digits); GB 32100 allows it."""
    from stdnum.cn import uscc

    assert not uscc.is_valid(LETTER_CODE)
    result = validate(rules, good())
    assert result.ok and result.rows[0]["credit_code"] == LETTER_CODE


def test_lower_case_and_spaced_code_normalised(rules):
    result = validate(rules, good(**{"统一社会信用代码": "y121 0100ma0xy1234w"}))
    assert result.rows[0]["credit_code"] == LETTER_CODE


@pytest.mark.parametrize("city", ["沈阳", "沈阳市", " 沈阳市 ", "沈阳　", "210100"])
def test_city_forms(rules, city):
    assert validate(rules, good(**{"所在市": city})).rows[0]["city_code"] == "210100"


@pytest.mark.parametrize(("text", "codes"), [
    ("设计、安装", ["design", "installation"]), ("设计，安装", ["design", "installation"]),
    ("设计,安装", ["design", "installation"]), ("设计/安装", ["design", "installation"]),
    ("设计 安装", ["design", "installation"]), ("设计　安装", ["design", "installation"]),
    ("设计／安装；维护", ["design", "installation", "maintenance"]), ("设计、设计", ["design"]),
    ("报警运营服务", ["alarm_operation"]),
])
def test_business_type_separators(rules, text, codes):
    assert validate(rules, good(**{"业务类型": text})).rows[0]["business_types"] == codes


@pytest.mark.parametrize("value", [dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 9, 30), 45717.0, "2025-03-01",
                                   "2025/3/1", "2025年3月1日", "2025-03-01 00:00:00", "２０２５年３月１日", "20250301"])
def test_date_forms(rules, value):
    assert validate(rules, good(**{"备案日期": value})).rows[0]["filed_on"] == dt.date(2025, 3, 1)


@pytest.mark.parametrize(("value", "reason"), [
    ("2025-07-01", "备案日期不能晚于今天"), ("2025-13-01", "备案日期不是有效日期"),
    ("三月一日", "备案日期格式不正确，应为 2025-03-01、2025/3/1 或 2025年3月1日"), (-3.0, "备案日期格式不正确"),
    (True, "备案日期格式不正确"),
])
def test_bad_dates(rules, value, reason):
    result = validate(rules, good(**{"备案日期": value}))
    assert [e.reason for e in result.errors] == [reason]


def test_parse_date_rejects_nan():
    with pytest.raises(DateError):
        parse_date(float("nan"))


def test_repeated_credit_code_names_first_row(rules):
    result = validate(rules, good(), good(**{"单位名称": "乙"}), good(**{"单位名称": "丙"}))
    assert [r["name"] for r in result.rows] == ["甲公司"]
    assert [(e.row, e.reason) for e in result.errors] == [
        (3, "统一社会信用代码与第 2 行重复（以第 2 行为准）"), (4, "统一社会信用代码与第 2 行重复（以第 2 行为准）")]


def test_filing_number_kept_and_checked(rules):
    legacy = "辽技防备字第0012号"
    other = "91210100MA0A00001A"
    result = validate(rules, good(**{"备案编号": f" {legacy} "}),
                      good(**{"统一社会信用代码": other, "备案编号": legacy}),
                      existing={})
    assert result.rows[0]["filing_number"] == legacy
    assert [e.reason for e in result.errors] == ["备案编号与第 2 行重复"]


def test_own_existing_number_allowed_on_reimport(rules):
    number = "辽公技备〔2024〕210100-0001号"
    assert validate(rules, good(**{"备案编号": number}), existing={number: LETTER_CODE}).ok
    assert not validate(rules, good(**{"备案编号": number}), existing={number: "OTHER"}).ok
    assert not validate(rules, good(**{"备案编号": number}), existing={number}).ok


def test_blank_rows_and_rows_of_only_ignored_columns_skipped(rules):
    header = HeaderMatcher().map_row(1, ["序号", *HEADER])
    rows = iter([(2, [1, *good()]), (3, [2, "", "", "", "", "", "", ""]), (4, ["", " ", "", "", "", "", "", ""])])
    result = validator(rules).validate_rows(rows, header)
    assert result.total_rows == 1 and result.ok


def test_short_csv_rows_padded(rules):
    result = validate(rules, ["甲公司", LETTER_CODE, "王伟", "沈阳市", "设计"])
    assert result.ok


def test_long_field_refused(rules):
    result = validate(rules, good(**{"单位名称": "长" * 201}))
    assert [e.reason for e in result.errors] == ["单位名称不能超过 200 个字符"]


def test_filing_disabled_in_shanxi():
    rules = FilingRules.from_directory(JURISDICTIONS / "shanxi")
    with pytest.raises(FilingDisabled, match="山西省"):
        FilingRowValidator.from_rules(rules, TODAY)


def test_rules_from_pack_plain_data():
    rules = FilingRules.from_pack({"cities": [{"code": "130302", "name": "海港区"}]},
                                  {"business_types": [{"code": "design", "name": "设计"}]})
    assert rules.cities == {"海港区": "130302"} and rules.business_types == {"设计": "design"}


@pytest.mark.parametrize(("value", "text"), [
    ("'=1+1", "=1+1"), ("'+86", "+86"), ("'-王", "-王"), ("'@x", "@x"), ("'abc", "'abc"), ("O'Brien", "O'Brien"),
    (13912345678.0, "13912345678"), (1.5, "1.5"), (None, ""), (" \u3000甲\u3000 ", "甲"),
])
def test_clean_text(value, text):
    assert clean_text(value) == text


# ---- the quick credit-code path agrees with workflows.identifiers -------------------------------------
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY" + "IOSVZa -\u3000"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=CODE_CHARS, min_size=16, max_size=20))
def test_fast_credit_code_never_accepts_what_the_form_refuses(text):
    fast = fast_credit_code(text)
    try:
        slow = check_credit_code(text)
    except IdentifierError:
        slow = None
    assert fast is None or fast == slow


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=2, max_size=2),
       st.text(alphabet=string.digits, min_size=6, max_size=6),
       st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9))
def test_fast_credit_code_accepts_every_valid_code(head, division, tail):
    from stdnum.cn import uscc

    body = head + division + tail
    code = body + uscc.calc_check_digit(body)
    assert fast_credit_code(code) == check_credit_code(code) == code


# ---- the quick path agrees with the full checks --------------------------------------------------------
@pytest.mark.parametrize("name", ["filings_messy.xlsx", "filings_bom.csv", "filings_gb18030.csv"])
def test_quick_path_accepts_exactly_what_the_full_checks_accept(rules, name, monkeypatch):
    """With the length bound below every text, no row takes the quick path: the full checks alone must
    give the same clean rows, the same errors and the same refused rows."""
    from imports import filing_rows

    def outcome():
        result = run(rules, FIXTURES / name).result
        return result.rows, result.source_rows, result.errors, result.refused_rows, result.total_rows

    quick = outcome()
    monkeypatch.setattr(filing_rows, "_SHORTEST_LIMIT", -1)
    assert outcome() == quick


def test_quick_path_on_repeats_and_taken_numbers(rules, monkeypatch):
    from imports import filing_rows

    header_row = [*HEADER, "联系电话"]

    def row(code=LETTER_CODE, **changes):
        values = dict(zip(header_row, [*good(), "024-12345678"], strict=True))
        values.update(changes, 统一社会信用代码=code)
        return [values[h] for h in header_row]

    def code_for(head: str) -> str:
        return head + filing_rows._check_value(head + "0")

    rows = [row(), row(单位名称="乙公司"),  # the same code twice
            row(code_for("91210100MA0AAAAAA"), 备案编号="辽公技备〔2020〕210100-0099号"),  # another firm's number
            row(code_for("91210100MA0BBBBBB"), 联系电话="０２４－１２３４５６７８"),  # full width: the full checks accept
            row(code_for("91210100MA0CCCCCC"), 所在市="沈阳", 备案编号="辽公技备〔2024〕210100-0001号"),
            row(code_for("91210100MA0DDDDDD"), 备案编号="辽公技备〔2024〕210100-0001号")]  # repeated number

    def outcome():
        header = HeaderMatcher().map_row(1, header_row)
        result = validator(rules).validate_rows(iter(enumerate(rows, start=2)), header)
        return result.rows, result.errors, result.refused_rows

    quick = outcome()
    assert len(quick[0]) == 3 and quick[2] == {3, 4, 7}
    monkeypatch.setattr(filing_rows, "_SHORTEST_LIMIT", -1)
    assert outcome() == quick


def test_check_character_by_base_34_matches_the_weighted_sum():
    from imports.filing_rows import _USCC_ALPHABET, _USCC_WEIGHTS, _check_value

    for head in ("91210100MA0XY1234", "Y1210100MA0XY1234", "0000000000000000", "YYYYYYYYYYYYYYYYY"[:2] + "0" * 15):
        head = head[:17].ljust(17, "0")
        weighted = sum(w * _USCC_ALPHABET.index(c) for w, c in zip(_USCC_WEIGHTS, head, strict=True))
        assert _check_value(head + "0") == _USCC_ALPHABET[-weighted % 31]

"""Exports: formula-injection guard, CSV with BOM, real Excel dates, and the roster round trip."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from imports.filing_rows import FilingRowValidator, FilingRules, validate_filing_sheet
from imports.workbook import open_sheet
from reports.export import ROSTER_HEADERS, export_file, neutralise, write_csv, write_roster, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
LIAONING = ROOT / "workflows" / "jurisdictions" / "liaoning"
TODAY = dt.date(2025, 6, 30)


@pytest.mark.parametrize(("text", "written"), [
    ("=1+1", "'=1+1"), ("+8613912345678", "'+8613912345678"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("甲公司", "甲公司"), ("a=b", "a=b"), ("", ""), ("'=already", "'=already"),
])
def test_neutralise(text, written):
    assert neutralise(text) == written


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_injection_guarded_in_xlsx_and_csv(tmp_path, text):
    write_xlsx(tmp_path / "o.xlsx", ["h"], [(text,)])
    cell = openpyxl.load_workbook(tmp_path / "o.xlsx").active["A2"]
    assert cell.data_type == "s" and cell.value.replace("_x000D_", "\r") == "'" + text  # openpyxl keeps the escape
    write_csv(tmp_path / "o.csv", ["h"], [(text,)])
    rows = list(csv.reader(io.StringIO((tmp_path / "o.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + text]


def test_numbers_are_not_quoted(tmp_path):
    write_xlsx(tmp_path / "o.xlsx", ["n"], [(-5,), (2.5,), (True,), (None,)])
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert [sheet.cell(r, 1).value for r in range(2, 6)] == [-5, 2.5, True, None]


def test_money_figures_are_numbers_in_xlsx_and_exact_in_csv(tmp_path):
    figures = [(Decimal("1234.05"),), (Decimal("3000"),), (Decimal("-0.05"),)]
    write_xlsx(tmp_path / "o.xlsx", ["元"], figures)
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert [sheet.cell(r, 1).value for r in range(2, 5)] == [1234.05, 3000, -0.05]
    assert all(sheet.cell(r, 1).data_type == "n" for r in range(2, 5))
    out = io.StringIO()
    write_csv(out, ["元"], figures)
    assert out.getvalue() == "\ufeff元\r\n1234.05\r\n3000\r\n-0.05\r\n"


def test_dates_are_real_excel_dates(tmp_path):
    write_xlsx(tmp_path / "o.xlsx", ["d", "t"], [(dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 9, 30))])
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").active
    assert sheet["A2"].is_date and sheet["A2"].value == dt.datetime(2025, 3, 1)
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].value == dt.datetime(2025, 3, 1, 17, 30)  # a stored moment (naive UTC) in Beijing time


def test_csv_has_bom_and_crlf(tmp_path):
    count = write_csv(tmp_path / "o.csv", ["单位名称", "备案日期"], [("甲", dt.date(2025, 3, 1))])
    data = (tmp_path / "o.csv").read_bytes()
    assert count == 1
    assert data.startswith(codecs.BOM_UTF8)
    assert data[3:] == "单位名称,备案日期\r\n甲,2025-03-01\r\n".encode()


def test_csv_writes_every_number_date_and_moment_as_its_value():
    out = io.StringIO()
    row = (0, 42, -7, 1234567, 2.5, -0.25, True, False, dt.date(2025, 3, 1), dt.date(1999, 12, 31),
           dt.datetime(2025, 3, 1, 1, 30), None, "甲")
    assert write_csv(out, [str(i) for i in range(len(row))], [row, row]) == 2
    lines = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline="")))
    written = ["0", "42", "-7", "1234567", "2.5", "-0.25", "True", "False", "2025-03-01", "1999-12-31",
               "2025-03-01 09:30", "", "甲"]  # a stored moment (naive UTC) in Beijing time; None empty
    assert lines[1:] == [written, written]


def test_csv_to_a_text_stream_gets_one_bom():
    out = io.StringIO()
    write_csv(out, ["a"], [("b",)])
    assert out.getvalue() == "\ufeffa\r\nb\r\n"


def test_export_file_by_extension(tmp_path):
    assert export_file(tmp_path / "a.XLSX", ["a"], iter([("x",)])) == 1
    assert export_file(tmp_path / "a.csv", ["a"], iter([("x",)])) == 1
    with pytest.raises(ValueError, match=".xlsx 或 .csv"):
        export_file(tmp_path / "a.txt", ["a"], [])


def test_xlsx_export_streams_a_generator(tmp_path):
    rows = ((f"公司{i}", i, dt.date(2025, 1, 1)) for i in range(5000))
    assert write_xlsx(tmp_path / "big.xlsx", ["a", "b", "c"], rows) == 5000
    assert sum(1 for _ in open_sheet(tmp_path / "big.xlsx").rows()) == 5001


# ---- round trip ---------------------------------------------------------------------------------------
RECORDS = [
    {"name": "=HYPERLINK(\"http://evil\",\"点我\")安防有限公司", "credit_code": "Y1210100MA0XY1234W",
     "legal_rep": "-王伟", "registered_address": "@沈阳市和平区1号", "premises_address": "沈阳市和平区1号",
     "city_code": "210100", "business_types": ["design", "installation"], "contact": "+李娜",
     "phone": "+86 24 2345 6789", "filing_number": "辽公技备〔2024〕210100-0001号", "filed_on": dt.date(2024, 3, 1)},
    {"name": "大连安防有限公司", "credit_code": "91210100MA0A00001A", "legal_rep": "张敏",
     "registered_address": "", "premises_address": "", "city_code": "211400", "business_types": ["alarm_operation"],
     "contact": "", "phone": "13912345678", "filing_number": None, "filed_on": None},
    {"name": "O'Brien 安防", "credit_code": "91210200MA0B000025", "legal_rep": "刘强",
     "registered_address": "'引号开头", "premises_address": "", "city_code": "210300",
     "business_types": ["maintenance", "design"], "contact": "", "phone": "", "filing_number": "辽技防备字第1号",
     "filed_on": dt.date(2010, 12, 31)},
]


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_roster_export_imports_back_unchanged(tmp_path, suffix):
    rules = FilingRules.from_directory(LIAONING)
    city_names = {code: name for name, code in rules.cities.items()}
    type_names = {code: name for name, code in rules.business_types.items()}
    path = tmp_path / f"roster.{suffix}"
    assert write_roster(path, RECORDS, city_names, type_names) == len(RECORDS)
    validator = FilingRowValidator.from_rules(rules, TODAY, {"辽公技备〔2024〕210100-0001号": RECORDS[0]["credit_code"]})
    imported = validate_filing_sheet(open_sheet(path), validator)
    assert imported.result.errors == []
    assert imported.result.rows == RECORDS
    assert [imported.header.written[c] for c in ("name", "filed_on")] == ["单位名称", "备案日期"]
    assert tuple(imported.header.values) == ROSTER_HEADERS

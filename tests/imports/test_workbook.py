"""Safe workbook reading: the hostile files the issue lists, each refused with its typed exception, and
the dangerous ones before calamine is given them. How fast is measured by benchmarks/bench_hostile.py.

Large files are built at test time in tmp_path from raw SpreadsheetML (tests/hostile_files.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import zipfile

import pytest
import python_calamine
import xlsxwriter

from imports import workbook
from imports.headers import HeaderMatcher, normalise_header
from imports.workbook import (
    CellTooLarge,
    EncryptedWorkbook,
    MissingColumns,
    NoSheet,
    NotAWorkbook,
    TooLarge,
    UnusableWorkbook,
    open_sheet,
)
from tests import hostile_files
from tests.hostile_files import MAIN, inline_row, raw_xlsx


def read_all(path, filename=None):
    return list(open_sheet(path, filename).rows())


# ---- files that are not workbooks ---------------------------------------------------------------------
@pytest.mark.parametrize(("content", "name", "error"), [
    (b"hello, this is text", "roster.xlsx", NotAWorkbook),
    (b"%PDF-1.7 ...", "roster.pdf", NotAWorkbook),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "roster.xlsx", EncryptedWorkbook),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "roster.xls", EncryptedWorkbook),
    (b"PK\x03\x04" + b"\x00" * 100, "roster.xlsx", NotAWorkbook),
    (b"", "roster.xlsx", NotAWorkbook),
])
def test_not_a_workbook_is_refused(tmp_path, content, name, error):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        open_sheet(path, name)
    assert isinstance(caught.value, UnusableWorkbook)
    assert caught.value.reason and "\n" not in caught.value.reason


def test_a_zip_that_is_not_xlsx_is_refused(tmp_path):
    path = tmp_path / "document.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(NotAWorkbook, match="不是 .xlsx"):
        open_sheet(path)


def test_encrypted_reason_is_chinese(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(EncryptedWorkbook, match="已加密或为旧版 .xls"):
        open_sheet(path)


# ---- zip bombs and sizes ------------------------------------------------------------------------------
@pytest.fixture
def calamine_must_not_open(monkeypatch):
    """The file must be refused by the checks that run before calamine is handed it."""
    def refuse(*args, **kwargs):
        raise AssertionError("calamine was given a file the checks should have refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)


def test_zip_bomb_refused_before_inflating(tmp_path, calamine_must_not_open):
    path = hostile_files.zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(TooLarge, match="解压后超过"):
        open_sheet(path)


def test_zip_that_lies_about_its_size_is_refused(tmp_path, calamine_must_not_open):
    """A part whose header declares 100 bytes but inflates to 1 MB fails its CRC instead of inflating."""
    with pytest.raises(NotAWorkbook):
        open_sheet(hostile_files.lying_zip(tmp_path / "liar.xlsx"))


def test_file_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    with pytest.raises(TooLarge, match="文件超过"):
        open_sheet(path)


def test_too_many_rows_refused_before_calamine(tmp_path, calamine_must_not_open):
    with pytest.raises(TooLarge, match="行"):
        open_sheet(hostile_files.too_many_rows(tmp_path / "rows.xlsx"))


@pytest.mark.parametrize(("cells", "match"), [
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', "列"),
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>1</v></c></row>', "行"),
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="190000"><c r="BL190000"><v>1</v></c></row>', "单元格"),
    (b'<row r="1">' + b"<c><v>1</v></c>" * 100 + b"</row>", "列"),
    (b"<row>" + b"<c><v>1</v></c>" * 100 + b"</row>", "列"),
])
def test_cells_far_apart_refused_before_calamine_allocates(tmp_path, cells, match, calamine_must_not_open):
    """calamine allocates the whole rectangle between the outermost cells; two cells must not cost GBs."""
    path = raw_xlsx(tmp_path / "far.xlsx", [("s", cells, "visible")])
    with pytest.raises(TooLarge, match=match):
        open_sheet(path)


def test_shared_string_amplification_refused(tmp_path, calamine_must_not_open):
    """One long shared string referenced by every cell would be copied into every cell by calamine."""
    with pytest.raises(TooLarge, match="文字总量"):
        open_sheet(hostile_files.shared_string_amplification(tmp_path / "amplify.xlsx"))


def test_a_million_formatted_empty_rows_are_not_read(tmp_path):
    path = hostile_files.formatted_empty_rows(tmp_path / "formatted.xlsx", inline_row(1, "单位名称", "统一社会信用代码"),
                                              inline_row(2, "甲公司", "X"))
    assert [n for n, _ in read_all(path)] == [1, 2]


def test_a_million_rows_of_empty_strings_refused(tmp_path, calamine_must_not_open):
    """Empty-string values do reach calamine's rectangle, so they count as rows."""
    with pytest.raises(TooLarge):
        open_sheet(hostile_files.empty_string_rows(tmp_path / "blank.xlsx"))


def test_reading_stops_after_a_long_run_of_empty_rows(tmp_path):
    gap = workbook.MAX_EMPTY_ROWS_IN_A_ROW + 5
    path = raw_xlsx(tmp_path / "gap.xlsx", [("s", [inline_row(1, "a"), inline_row(2, ""),
                                                   inline_row(gap, "")], "visible")])
    assert [n for n, _ in read_all(path)] == [1]


# ---- huge cells ---------------------------------------------------------------------------------------
def test_huge_shared_string_refused(tmp_path):
    path = raw_xlsx(tmp_path / "huge.xlsx", [("s", b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "visible")],
                    shared_strings=["字" * (workbook.MAX_CELL_CHARS + 1)])
    with pytest.raises(CellTooLarge):
        open_sheet(path)


def test_huge_inline_string_refused(tmp_path):
    path = raw_xlsx(tmp_path / "huge.xlsx", [("s", inline_row(1, "x" * (workbook.MAX_CELL_CHARS + 1)), "visible")])
    with pytest.raises(CellTooLarge, match="第 1 行"):
        read_all(path)


def test_huge_csv_cell_refused(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("单位名称\n" + "x" * (workbook.MAX_CELL_CHARS + 1) + "\n", encoding="utf-8")
    with pytest.raises(CellTooLarge):
        read_all(path)


def test_long_but_allowed_shared_string_is_read(tmp_path):
    text = "长" * workbook.MAX_CELL_CHARS
    path = raw_xlsx(tmp_path / "long.xlsx", [("s", b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "visible")],
                    shared_strings=[text])
    assert read_all(path) == [(1, [text])]


# ---- formulas and sheets ------------------------------------------------------------------------------
def test_formulas_are_never_evaluated(tmp_path):
    cells = (b'<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v>2</v></c>'
             b'<c r="C1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="D1" t="inlineStr"><is><t>x</t></is></c></row>')
    path = raw_xlsx(tmp_path / "formula.xlsx", [("s", cells, "visible")])
    assert read_all(path) == [(1, ["", 2.0, "ab", "x"])]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped(tmp_path, state):
    path = raw_xlsx(tmp_path / "hidden.xlsx", [("secret", inline_row(1, "secret"), state),
                                               ("data", inline_row(1, "data"), "visible")])
    sheet = open_sheet(path)
    assert sheet.sheet_name == "data"
    assert list(sheet.rows()) == [(1, ["data"])]


def test_hidden_sheet_written_by_excel_writer_is_skipped(tmp_path):
    path = tmp_path / "writer.xlsx"
    book = xlsxwriter.Workbook(path)
    hidden = book.add_worksheet("旧表")
    hidden.write(0, 0, "旧")
    shown = book.add_worksheet("名录")
    shown.write(0, 0, "新")
    shown.activate()
    hidden.hide()
    book.close()
    assert read_all(path) == [(1, ["新"])]


def test_only_hidden_sheets_is_no_sheet(tmp_path):
    path = raw_xlsx(tmp_path / "none.xlsx", [("a", inline_row(1, "a"), "hidden")])
    with pytest.raises(NoSheet):
        open_sheet(path)


def test_row_numbers_are_excel_row_numbers(tmp_path):
    path = raw_xlsx(tmp_path / "offset.xlsx", [("s", b'<row r="3"><c r="C3"><v>7</v></c></row>'
                                                     b'<row r="5"><c r="D5"><v>8</v></c></row>', "visible")])
    assert read_all(path) == [(3, ["", "", 7.0, ""]), (5, ["", "", "", 8.0])]


def test_prefixed_elements_are_checked_too(tmp_path):
    """Some .NET writers prefix every element (<x:c>); the size checks must still see the cells."""
    path = tmp_path / "prefixed.xlsx"
    raw_xlsx(path, [("s", b"", "visible")])
    xml = (f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1">'
           f'<x:v>1</x:v></x:c></x:row><x:row r="900000"><x:c r="A900000"><x:v>1</x:v></x:c></x:row>'
           "</x:sheetData></x:worksheet>")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(TooLarge, match="行"):
        open_sheet(path)


# ---- CSV ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "r.csv"
    path.write_bytes("单位名称,所在市\r\n沈阳安防,沈阳市\r\n".encode(encoding))
    assert read_all(path) == [(1, ["单位名称", "所在市"]), (2, ["沈阳安防", "沈阳市"])]


def test_csv_bom_is_not_part_of_the_first_header(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(codecs.BOM_UTF8 + "单位名称\r\n".encode())
    assert read_all(path)[0][1][0] == "单位名称"


def test_csv_name_given_separately(tmp_path):
    path = tmp_path / "upload-1234"
    path.write_text("a\n", encoding="utf-8")
    assert read_all(path, "名录.CSV") == [(1, ["a"])]
    with pytest.raises(NotAWorkbook):
        open_sheet(path, "名录.txt")


# ---- headers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "canonical"), [
    ("企业名称", "name"), (" 单位　名称 ", "name"), ("单位名称：", "name"), ("*单位名称", "name"),
    ("信用代码", "credit_code"), ("社会信用代码", "credit_code"), ("统一社会\n信用代码", "credit_code"),
    ("统一社会信用代码（18位）", "credit_code"), ("法人", "legal_rep"), ("电话", "phone"),
    ("ＦＵＬＬ", None), ("序号", None), ("所在市", "city"), ("所在城市", "city"), ("业务类型(多选)", "business_types"),
])
def test_header_matching(written, canonical):
    found = HeaderMatcher().match(written)
    assert (found[0] if found else None) == canonical


def test_normalise_header_full_width():
    assert normalise_header("（备注）联系电话　") == "联系电话"
    assert normalise_header(12) == ""


def test_header_found_below_title_rows():
    rows = iter([(1, ["2024年名录", "", ""]), (2, ["", "", ""]),
                 (3, ["序号", "企业名称", "信用代码", "法人", "所在市", "业务类型"]), (4, [1, "a", "b", "c", "d", "e"])])
    header, rest = HeaderMatcher().find(rows)
    assert header.row_number == 3
    assert header.index == {"name": 1, "credit_code": 2, "legal_rep": 3, "city": 4, "business_types": 5}
    assert header.written["name"] == "企业名称"
    assert header.ignored == ["序号"]
    assert [n for n, _ in rest] == [4]


def test_canonical_header_wins_over_synonym():
    header = HeaderMatcher().map_row(1, ["企业名称", "单位名称"])
    assert header.index["name"] == 1


def test_missing_required_columns_named():
    rows = iter([(1, ["单位名称", "统一社会信用代码", "所在市"])])
    with pytest.raises(MissingColumns) as caught:
        HeaderMatcher().find(rows)
    assert caught.value.missing == ["法定代表人", "业务类型"]
    assert caught.value.reason == "缺少必需的列：法定代表人、业务类型"


def test_no_header_row_at_all():
    with pytest.raises(MissingColumns, match="未找到表头行"):
        HeaderMatcher().find(iter([(1, ["a", "b"]), (2, [dt.date(2025, 1, 1), 3.0])]))

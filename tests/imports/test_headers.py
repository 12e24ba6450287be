"""Header rows of imported sheets (imports/headers.py): every synonym a bureau writes maps to its column,
and the header row is looked for in the first 20 non-empty rows, not further.

The synonyms are written out here as the bureaus write them, not read from the table under test: a word
misspelt in the table (手机 → 手几) then fails both its own case and the table's comparison."""

from __future__ import annotations

import pytest
import xlsxwriter

from imports.case_rows import CASE_SYNONYMS, find_case_header
from imports.headers import FILING_SYNONYMS, HEADER_SCAN_ROWS, HeaderMap, HeaderMatcher
from imports.workbook import MissingColumns, open_sheet
from reports.columns import CASE_COLUMNS, FILING_COLUMNS

WRITTEN_FILING = {
    "企业名称": "name", "公司名称": "name", "单位全称": "name", "从业单位名称": "name", "从业单位": "name", "企业全称": "name",
    "备案单位名称": "name", "名称": "name",
    "信用代码": "credit_code", "社会信用代码": "credit_code", "统一信用代码": "credit_code", "社会统一信用代码": "credit_code",
    "统一代码": "credit_code", "统一社会信用代码证号": "credit_code", "统一社会信用代码号": "credit_code",
    "法人": "legal_rep", "法人代表": "legal_rep", "法定代表人姓名": "legal_rep", "法定代表": "legal_rep", "法人姓名": "legal_rep",
    "注册地": "registered_address", "住所": "registered_address", "住所地": "registered_address",
    "注册住所": "registered_address", "登记地址": "registered_address",
    "经营场所": "premises_address", "经营地址": "premises_address", "经营场所地": "premises_address",
    "实际经营地址": "premises_address", "办公地址": "premises_address",
    "所在城市": "city", "所属城市": "city", "城市": "city", "城市名称": "city", "市": "city", "地市": "city", "地级市": "city",
    "所属市": "city", "所属地市": "city", "所在地市": "city", "所属地区": "city", "所在地区": "city", "地区": "city", "所在区县": "city",
    "区县": "city", "市州": "city", "所属市州": "city",
    "业务类别": "business_types", "备案业务类型": "business_types", "从业类别": "business_types", "经营类别": "business_types",
    "业务种类": "business_types", "业务": "business_types",
    "联系人姓名": "contact",
    "电话": "phone", "手机": "phone", "手机号": "phone", "手机号码": "phone", "电话号码": "phone", "联系方式": "phone",
    "联系人电话": "phone", "联系电话号码": "phone",
    "备案号": "filing_number", "备案证号": "filing_number", "备案证编号": "filing_number", "备案证书编号": "filing_number",
    "备案编码": "filing_number",
    "备案时间": "filed_on", "备案日": "filed_on", "备案登记日期": "filed_on",
}
WRITTEN_CASE = {
    "案号": "case_number", "案件编号号": "case_number", "决定书文号": "case_number", "处罚决定书文号": "case_number",
    "编号": "case_number",
    "当事人名称": "party_name", "当事人姓名或名称": "party_name", "被处罚人": "party_name", "被处罚单位": "party_name",
    "单位名称": "party_name",
    "当事人类别": "party_type", "类型": "party_type",
    "信用代码": "credit_code", "社会信用代码": "credit_code", "统一信用代码": "credit_code",
    "违法条款项": "provision", "处罚依据": "provision", "依据条款": "provision", "条款": "provision", "违反条款": "provision",
    "违法日期": "act_date", "违法时间": "act_date", "违法行为时间": "act_date", "发案日期": "act_date",
    "处罚决定日期": "decided_on", "决定时间": "decided_on", "处罚日期": "decided_on",
    "处罚结果": "outcome", "处理情况": "outcome", "结果": "outcome",
    "罚款金额": "fine", "罚款": "fine", "罚款数额": "fine",
    "已缴金额": "collected", "已缴罚款": "collected", "实缴金额": "collected", "已缴纳金额": "collected",
    "加处罚款": "surcharge", "加处罚款金额": "surcharge",
    "减轻": "mitigated", "是否减轻处罚": "mitigated", "依法减轻处罚": "mitigated", "减轻处罚情节": "mitigated",
    "减轻处罚（第三十二条）": "mitigated",
}


def test_the_filing_synonym_table_is_exactly_the_words_bureaus_write():
    assert {word: key for key, words in FILING_SYNONYMS.items() for word in words} == WRITTEN_FILING


def test_the_case_synonym_table_is_exactly_the_words_bureaus_write():
    assert {word: key for key, words in CASE_SYNONYMS.items() for word in words} == WRITTEN_CASE


def _header_row(columns, key, word):
    """The canonical headers of the required columns, with `key`'s column written as `word`."""
    row = [c.header for c in columns if c.required and c.key != key]
    return ["序号", *row, word]


@pytest.mark.parametrize(("word", "key"), sorted(WRITTEN_FILING.items()))
def test_a_roster_sheet_with_a_synonym_header_maps_that_column(word, key):
    values = _header_row(FILING_COLUMNS, key, word)
    header, rest = HeaderMatcher().find(iter([(1, ["2024年技防从业单位备案名录"]), (2, values), (3, ["甲"] * len(values))]))
    assert header.row_number == 2
    assert header.index[key] == len(values) - 1
    assert header.written[key] == word
    assert [number for number, _ in rest] == [3]


@pytest.mark.parametrize(("word", "key"), sorted(WRITTEN_CASE.items()))
def test_a_case_sheet_with_a_synonym_header_maps_that_column(word, key):
    values = _header_row(CASE_COLUMNS, key, word)
    header, _ = find_case_header(iter([(1, values)]))
    assert header.index[key] == len(values) - 1


@pytest.mark.parametrize("word", ["手机 ", "＊手机", "手机：", "手机（必填）", "联系\n方式", "住所地", "法人代表", "　法人代表　"])
def test_synonyms_written_with_decoration_still_match(word):
    assert HeaderMatcher().match(word)[0] in {"phone", "registered_address", "legal_rep"}


# ---- how far down the header may be -------------------------------------------------------------------
def _sheet(tmp_path, title_rows: int, empty_rows: int = 0, headers=None):
    """An .xlsx with `title_rows` non-empty title lines, then `empty_rows` empty ones, then the header row."""
    path = tmp_path / "roster.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r in range(title_rows):
        sheet.write_string(r, 0, f"说明第{r + 1}行")
    headers = headers or [c.header for c in FILING_COLUMNS]
    at = title_rows + empty_rows
    sheet.write_row(at, 0, headers)
    sheet.write_row(at + 1, 0, ["甲公司"] + [""] * (len(headers) - 1))
    book.close()
    return open_sheet(path)


def test_twenty_rows_are_scanned():
    assert HEADER_SCAN_ROWS == 20


def test_a_header_on_row_20_is_found(tmp_path):
    header, rest = HeaderMatcher().find(_sheet(tmp_path, title_rows=19).rows())
    assert header.row_number == 20
    assert [number for number, _ in rest] == [21]


def test_a_header_on_row_21_is_not_found(tmp_path):
    with pytest.raises(MissingColumns) as caught:
        HeaderMatcher().find(_sheet(tmp_path, title_rows=20).rows())
    assert caught.value.reason.startswith("前 20 行中未找到表头行")


def test_empty_rows_above_the_header_do_not_count(tmp_path):
    header, _ = HeaderMatcher().find(_sheet(tmp_path, title_rows=19, empty_rows=5).rows())
    assert header.row_number == 25


def test_a_case_sheet_has_the_same_limit(tmp_path):
    case_headers = [c.header for c in CASE_COLUMNS]
    header, _ = find_case_header(_sheet(tmp_path, title_rows=19, headers=case_headers).rows())
    assert header.row_number == 20
    with pytest.raises(MissingColumns) as caught:
        find_case_header(_sheet(tmp_path, title_rows=20, headers=case_headers).rows())
    assert caught.value.reason.startswith("前 20 行中未找到表头行（应含“案件编号”")


# ---- how an error names a column ----------------------------------------------------------------------------
def test_an_error_names_a_column_as_the_file_wrote_it_else_by_its_canonical_header():
    header = HeaderMatcher().map_row(3, ["企业名称", "信用代码", "法人", "所在市", "业务类型", "备注"])
    assert header.header_for("name") == "企业名称"  # as written
    assert header.header_for("phone") == "联系电话"  # a column the file lacks: the template's header
    assert header.header_for("fine", CASE_COLUMNS) == "罚款金额（元）"
    assert header.header_for("no_such_key") == "no_such_key"
    assert header.ignored == ["备注"] and header.values[0] == "企业名称"


def test_a_header_map_starts_with_nothing_ignored():
    header = HeaderMap(row_number=1, index={}, written={})
    assert (header.ignored, header.values) == ([], [])
    assert HeaderMatcher().map_row(1, []).ignored == []


def test_a_header_repeated_below_is_data_the_first_one_is_the_header():
    """Printed sheets repeat the header on each page: the first row that matches most columns wins."""
    headers = [c.header for c in FILING_COLUMNS]
    header, rest = HeaderMatcher().find(iter([(1, ["名录"]), (2, headers), (3, headers), (4, ["甲"])]))
    assert header.row_number == 2
    assert [number for number, _ in rest] == [3, 4]

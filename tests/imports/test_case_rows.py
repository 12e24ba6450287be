"""Historical penalty cases: a bureau's messy ledger (title rows, synonyms, bad rows) against the errors
written by hand in tests/fixtures/make_fixtures.py, the clean rows in fen, and its error report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from imports.case_rows import CaseRowValidator, find_case_header, validate_case_sheet
from imports.error_report import REASON_HEADER, ROW_NUMBER_HEADER, write_error_report
from imports.workbook import open_sheet
from workflows.penalty_pack import load_penalty_pack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = dt.date(2025, 6, 30)
SOURCE = FIXTURES / "cases_messy.xlsx"


@pytest.fixture(scope="module")
def imported():
    pack = load_penalty_pack("liaoning")
    validator = CaseRowValidator(pack, TODAY)
    return validate_case_sheet(open_sheet(SOURCE), validator)


def test_golden_case_errors(imported):
    expected = json.loads((FIXTURES / "cases_messy.errors.json").read_text("utf-8"))
    assert [e.as_dict() for e in imported.result.errors] == expected
    assert imported.result.refused_rows == {e["row"] for e in expected}


def test_golden_case_header_and_clean_rows(imported):
    assert imported.header.row_number == 3
    assert imported.header.ignored == ["序号", "备注"]
    result = imported.result
    assert result.source_rows == [4, 5, 21] and result.total_rows == 20
    fined, not_penalised, mitigated = result.rows
    assert fined == {
        "case_number": "沈公技罚〔2024〕1号", "party_name": "沈阳甲安防有限公司", "party_type": "unit",
        "credit_code": "91210100MA0A00001" + fined["credit_code"][17:], "provision_code": "liaoning-35",
        "act_date": dt.date(2024, 1, 5), "decided_on": dt.date(2024, 2, 1), "outcome": "fined",
        "fine_decided_fen": 3000000, "fine_collected_fen": 3000000, "surcharge_fen": 0,
        "state": "closed",  # "30,000.00" yuan fined and 30000 paid: closed
        "mitigated": False,
    }
    assert not_penalised["party_type"] == "individual" and not_penalised["provision_code"] == "liaoning-32"
    assert not_penalised["act_date"] == dt.date(2024, 3, 1) and not_penalised["decided_on"] == dt.date(2024, 3, 20)
    assert not_penalised["outcome"] == "no_penalty" and not_penalised["fine_decided_fen"] == 0
    # 辽宁 32 "处5000元罚款": 2000元 is lawful as a 减轻 decision (行政处罚法 art. 32), recorded in the row.
    assert mitigated["provision_code"] == "liaoning-32" and mitigated["fine_decided_fen"] == 200000
    assert mitigated["mitigated"] is True and mitigated["state"] == "closed"


def test_golden_case_error_report(imported, tmp_path):
    expected = json.loads((FIXTURES / "cases_messy.errors.json").read_text("utf-8"))
    header, rows = find_case_header(open_sheet(SOURCE).rows())
    report = tmp_path / "report.xlsx"
    write_error_report(report, header.values, rows, imported.result.errors)
    sheet = openpyxl.load_workbook(report).active
    titles = [c.value for c in sheet[1]]
    assert titles[0] == ROW_NUMBER_HEADER and titles[-1] == REASON_HEADER and titles[2] == "案号"
    lines = list(sheet.iter_rows(min_row=2))
    assert [line[0].value for line in lines] == sorted({e["row"] for e in expected})
    for line in lines:
        wanted = [e for e in expected if e["row"] == line[0].value]
        marked = {titles[c.column - 1]: c.comment.text for c in line[1:-1] if c.comment is not None}
        assert marked == {e["column"]: e["reason"] for e in wanted}
        assert line[-1].value == "；".join(e["reason"] for e in wanted)


def test_a_refused_fine_is_named_in_exact_yuan(tmp_path):
    """The refusal quotes the ledger's amount as written in yuan, cents and their leading zero kept."""
    from reports.columns import CASE_COLUMNS
    from reports.export import write_xlsx

    row = {"案件编号": "沈公技罚〔2024〕9号", "当事人": "沈阳乙安防有限公司", "当事人类型": "单位",
           "统一社会信用代码": "", "违法条款": "第三十二条", "违法行为日期": dt.date(2024, 1, 5),
           "决定日期": dt.date(2024, 2, 1), "处理结果": "罚款", "罚款金额（元）": "1,234.05", "已缴金额（元）": 0,
           "加处罚款（元）": 0, "减轻处罚": ""}
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, [c.header for c in CASE_COLUMNS], [[row[c.header] for c in CASE_COLUMNS]])
    result = validate_case_sheet(open_sheet(path), CaseRowValidator(load_penalty_pack("liaoning"), TODAY)).result
    assert [e.reason for e in result.errors if e.column == "罚款金额（元）"][0].startswith(
        "罚款金额1234.05元低于《辽宁省公共安全技术防范条例》第三十二条对单位规定的罚款（5000元）")

"""`flask import cases`: historical penalty cases validated like filings, money to fen, upsert by number."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, PenaltyCase
from imports.case_rows import parse_yuan
from reports.columns import CASE_COLUMNS
from reports.export import write_xlsx
from tests.app.transfer_support import code

HEADERS = [c.header for c in CASE_COLUMNS]


def case(n, **over):
    row = {"案件编号": f"沈公技罚〔2024〕{n}号", "当事人": f"沈阳第{n}安防公司", "当事人类型": "单位",
           "统一社会信用代码": code(n), "违法条款": "第三十五条", "违法行为日期": dt.date(2024, 1, 5),
           "决定日期": dt.date(2024, 2, 1), "处理结果": "罚款", "罚款金额（元）": 30000, "已缴金额（元）": 30000,
           "加处罚款（元）": 0, "减轻处罚": ""}  # 辽宁 35: 对单位处3万元罚款
    row.update(over)
    return [row[h] for h in HEADERS]


def _cases():
    return {c.case_number: c for c in db.session.scalars(select(PenaltyCase))}


def test_cases_import_with_money_in_fen_and_states(runner, tmp_path, factory):
    firm = factory.firm(credit_code=code(1))
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [
        # 3万元 and a multiple of the illegal gains (辽宁 35), which the ledger does not break down
        case(1, **{"罚款金额（元）": "30,000.50元", "已缴金额（元）": 1000, "加处罚款（元）": 90.15}),
        case(2, 处理结果="不予处罚", **{"罚款金额（元）": None, "已缴金额（元）": None, "加处罚款（元）": None}),
        case(3, 违法条款="liaoning-32", 当事人类型="个人", 统一社会信用代码="",
             **{"罚款金额（元）": 5000, "已缴金额（元）": 5000}),
    ])
    result = runner.invoke(args=["import", "cases", str(path)])
    assert result.exit_code == 0, result.output
    cases = _cases()
    first = cases["沈公技罚〔2024〕1号"]
    assert (first.fine_decided_fen, first.fine_collected_fen, first.surcharge_fen) == (3000050, 100000, 9015)
    assert first.state == "decided" and first.firm_id == firm.id and first.provision_code == "liaoning-35"
    assert first.jurisdiction == "liaoning"
    assert cases["沈公技罚〔2024〕2号"].outcome == "no_penalty"
    third = cases["沈公技罚〔2024〕3号"]
    assert third.party_type == "individual" and third.state == "closed" and third.provision_code == "liaoning-32"
    again = runner.invoke(args=["import", "cases", str(path)])
    assert again.exit_code == 0 and "未变 3" in again.output
    assert [e.detail["written"] for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "import_cases"))] == [3, 0]


@pytest.mark.today("2026-11-30")  # a decision dated after today is refused
def test_bad_case_rows_are_refused_with_reasons(runner, tmp_path):
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [
        case(1, **{"加处罚款（元）": 40000}),
        case(2, 违法条款="第九十九条"),
        case(3, 处理结果="没收"),
        case(4, 决定日期=dt.date(2026, 12, 3)),
        case(1),
        # 辽宁 35 provides no 警告, and its fine on a unit is 3万元: 5000元 is no 减轻 recorded
        case(5, 处理结果="警告", **{"罚款金额（元）": None, "已缴金额（元）": None}),
        case(6, **{"罚款金额（元）": 5000, "已缴金额（元）": 5000}),
    ])
    report = tmp_path / "report.xlsx"
    result = runner.invoke(args=["import", "cases", str(path), "--report", str(report)])
    assert result.exit_code == 1
    err = result.stderr
    assert "第 2 行 加处罚款（元）：加处罚款不能超过罚款金额" in err
    assert "第 3 行 违法条款：违法条款“第九十九条”不是本地区条例的罚则条款" in err
    assert "第 4 行 处理结果：处理结果应为罚款、警告" in err
    assert "第 5 行 决定日期：决定日期不能晚于今天" in err
    assert "第 6 行 案件编号：案件编号与第 2 行重复" in err
    assert "第 7 行 处理结果：处理结果不能为警告：《辽宁省公共安全技术防范条例》第三十五条没有规定警告" in err
    assert "第 8 行 罚款金额（元）：罚款金额5000元低于《辽宁省公共安全技术防范条例》第三十五条对单位规定的罚款（30000元）" in err
    assert _cases() == {}
    assert load_workbook(report).active.max_row == 8


def test_a_file_without_case_columns_exits_2(runner, tmp_path):
    path = tmp_path / "x.xlsx"
    write_xlsx(path, ["序号", "备注"], [[1, "x"]])
    result = runner.invoke(args=["import", "cases", str(path)])
    assert result.exit_code == 2 and "案件编号" in result.stderr


def test_parse_yuan():
    assert parse_yuan(5000) == 500000 and parse_yuan("￥1,234.5元") == 123450 and parse_yuan("") == 0
    for bad in ("-1", "1.234", "abc"):
        try:
            parse_yuan(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_a_case_recorded_by_someone_else_meanwhile_is_updated_not_doubled(runner, tmp_path, monkeypatch):
    from app.transfer import case_import as transfer_cases

    real, calls = transfer_cases._write, []

    def racing(connection, inserts, updates):
        calls.append(1)
        if len(calls) == 1:  # another session records case 2 between the plan and the write
            with db.engine.begin() as other:
                other.execute(PenaltyCase.__table__.insert().values(
                    case_number="沈公技罚〔2024〕2号", party_name="并发登记", party_type="unit", jurisdiction="liaoning",
                    provision_code="liaoning-35", outcome="pending", state="opened", fine_decided_fen=0,
                    fine_collected_fen=0, surcharge_fen=0))
        return real(connection, inserts, updates)

    monkeypatch.setattr(transfer_cases, "_write", racing)
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [case(1), case(2)])
    result = runner.invoke(args=["import", "cases", str(path)])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2 and "新增 1，更新 1" in result.output
    cases = _cases()
    assert len(cases) == 2 and cases["沈公技罚〔2024〕2号"].party_name == "沈阳第2安防公司"


def test_a_mitigated_case_is_recorded_and_its_export_imports_back_unchanged(runner, tmp_path, factory):
    """行政处罚法 art. 32: "当事人有下列情形之一，应当从轻或者减轻行政处罚" — a fine below the article's minimum
    stands only with 减轻 recorded, so the case keeps the flag and the staff export carries it: a ledger
    exported and imported again is unchanged, not refused as below the minimum."""
    factory.firm(credit_code=code(7))
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [case(7, 减轻处罚="是", **{"罚款金额（元）": 20000, "已缴金额（元）": 20000})])
    result = runner.invoke(args=["import", "cases", str(path)])
    assert result.exit_code == 0, result.output
    assert _cases()["沈公技罚〔2024〕7号"].mitigated is True

    exported = tmp_path / "out.xlsx"
    assert runner.invoke(args=["export", "cases", str(exported)]).exit_code == 0
    book = load_workbook(exported, read_only=True)
    rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    header_row = next(r for r in rows if "减轻处罚" in r)
    data = rows[rows.index(header_row) + 1]
    assert data[header_row.index("减轻处罚")] == "是"

    again = runner.invoke(args=["import", "cases", str(exported)])
    assert again.exit_code == 0, again.output
    assert "未变 1" in again.output


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_case_export_writes_money_as_exact_yuan_and_imports_back_unchanged(runner, tmp_path, factory, suffix):
    factory.firm(credit_code=code(8))
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [case(8, **{"罚款金额（元）": "30,000.50元", "已缴金额（元）": 1000,
                                         "加处罚款（元）": "90.05"})])
    assert runner.invoke(args=["import", "cases", str(path)]).exit_code == 0
    exported = tmp_path / f"out.{suffix}"
    assert runner.invoke(args=["export", "cases", str(exported)]).exit_code == 0
    if suffix == "csv":
        import csv

        rows = list(csv.reader(exported.read_text(encoding="utf-8-sig").splitlines()))
        money = ["30000.50", "1000", "90.05"]  # the cents' leading zero kept; whole yuan without decimals
    else:
        book = load_workbook(exported, read_only=True)
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        money = [30000.5, 1000, 90.05]  # numbers, so the column sums in Excel
    header = rows[0]
    assert [rows[1][header.index(h)] for h in ("罚款金额（元）", "已缴金额（元）", "加处罚款（元）")] == money
    again = runner.invoke(args=["import", "cases", str(exported)])
    assert again.exit_code == 0, again.output
    assert "未变 1" in again.output
    stored = _cases()["沈公技罚〔2024〕8号"]
    assert (stored.fine_decided_fen, stored.fine_collected_fen, stored.surcharge_fen) == (3000050, 100000, 9005)

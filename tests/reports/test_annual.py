"""The annual statistics workbook against seeded data: sheets, figures, totals and native charts."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Complaint, FirmBusinessType, PenaltyCase, WarningNotice
from reports.annual import SHEETS


def _firm(factory, n, *, city="210100", types=("design",), filed=dt.date(2024, 3, 5), status="in_force",
          division=None):
    return factory.firm(f"单位{n}", city_code=city, division=division, filing_number=f"N{n}", filed_on=filed,
                        filing_status=status, filing_authority_code=city,
                        business_types=[FirmBusinessType(type_code=t) for t in types])


@pytest.fixture
def seeded(factory):
    a = _firm(factory, 1, types=("design", "installation"))
    _firm(factory, 2, city="210200", filed=dt.date(2024, 7, 1))
    _firm(factory, 3, filed=dt.date(2023, 5, 1), division="110105")  # out of province, filed the year before
    _firm(factory, 4, filed=dt.date(2025, 1, 2))  # next year: not on the 2024 roster
    _firm(factory, 5, status="cancelled")
    db.session.add_all([
        Complaint(received_on=dt.date(2024, 2, 1), firm_id=a.id, outcome="substantiated", state="substantiated"),
        Complaint(received_on=dt.date(2024, 6, 1), outcome="pending"),
        Complaint(received_on=dt.date(2023, 6, 1), outcome="refused", state="dismissed"),
        WarningNotice(firm_id=a.id, issued_on=dt.date(2024, 3, 1), lifted_on=dt.date(2024, 9, 1)),
        WarningNotice(firm_id=a.id, issued_on=dt.date(2024, 10, 1)),
        PenaltyCase(case_number="C1", party_name="单位1", jurisdiction="liaoning", provision_code="liaoning-35",
                    decided_on=dt.date(2024, 4, 1), outcome="fined", fine_decided_fen=500000,
                    fine_collected_fen=200000, surcharge_fen=15000, state="decided"),
        PenaltyCase(case_number="C2", party_name="张三", party_type="individual", jurisdiction="liaoning",
                    provision_code="liaoning-32", act_date=dt.date(2024, 11, 1), outcome="pending"),
        PenaltyCase(case_number="C3", party_name="单位2", jurisdiction="liaoning", provision_code="liaoning-35",
                    decided_on=dt.date(2023, 4, 1), outcome="fined", fine_decided_fen=100000),
    ])
    db.session.commit()


def _values(sheet):
    return {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}


def test_annual_workbook_sheets_figures_and_charts(runner, tmp_path, seeded):
    path = tmp_path / "annual.xlsx"
    result = runner.invoke(args=["report", "annual", "--year", "2024", str(path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    cover = _values(book["封面"])
    assert cover["统计年度"][0] == "2024年" and cover["辖区"][0] == "辽宁省"
    assert cover["年末在册备案单位"][0] == 3  # 1, 2, 3 (4 is next year's, 5 cancelled)
    assert cover["本年新备案"][0] == 3  # 1, 2 and the cancelled 5 were filed in 2024
    assert cover["本年受理投诉"][0] == 2 and cover["本年发布警示"][0] == 2 and cover["年末警示中"][0] == 1
    assert cover["本年处罚案件"][0] == 2
    assert cover["决定罚款（元）"][0] == 5000 and cover["已收缴罚款（元）"][0] == 2000
    assert cover["未缴罚款（元）"][0] == 3150  # 5000 + 150 surcharge - 2000
    types = _values(book["业务类型×城市"])
    header = next(r for r in book["业务类型×城市"].iter_rows(values_only=True) if r[0] == "业务类型")
    design = dict(zip(header[1:], types["设计"], strict=True))
    assert design["沈阳市"] == 2 and design["大连市"] == 1 and design["合计"] == 3
    # Firm 1 counts under two business types, but once among the firms: the last row is the cover's figure.
    firms = dict(zip(header[1:], types["在册单位（家）"], strict=True))
    assert firms["合计"] == cover["年末在册备案单位"][0] == 3 and firms["沈阳市"] == 2 and firms["大连市"] == 1
    locality = _values(book["省内省外"])
    assert locality["年末在册"] == (2, 1, 3)
    monthly = _values(book["月度新备案"])
    assert monthly["3月"][0] == 2 and monthly["7月"][0] == 1 and monthly["合计"][0] == 3
    assert _values(book["投诉"])["查证属实"][0] == 1
    warnings = _values(book["警示"])
    assert warnings["3月"] == (1, 0) and warnings["9月"] == (0, 1)
    cases = _values(book["处罚案件"])
    assert cases["第三十五条"][1] == 1 and cases["第三十二条"][0] == 1  # 罚款 / 待决定 columns
    fines = _values(book["罚没款"])
    assert fines["第三十五条"] == (5000, 150, 2000, 3150)
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 8


def test_annual_report_needs_xlsx(runner, tmp_path):
    result = runner.invoke(args=["report", "annual", "--year", "2024", str(tmp_path / "a.csv")])
    assert result.exit_code == 2


def test_an_empty_year_still_makes_a_workbook(runner, tmp_path):
    path = tmp_path / "empty.xlsx"
    assert runner.invoke(args=["report", "annual", "--year", "2020", str(path)]).exit_code == 0
    assert _values(load_workbook(path)["封面"])["本年处罚案件"][0] == 0


def test_fine_totals_are_added_up_in_fen_not_in_floating_yuan(runner, tmp_path, factory):
    """0.10 + 0.20 yuan is 0.30 yuan: the totals are summed in integer fen and only then shown as yuan
    (summed as floats they would read 0.30000000000000004 in the cell)."""
    db.session.add_all([
        PenaltyCase(case_number=f"F{n}", party_name=f"单位{n}", jurisdiction="liaoning", provision_code=code,
                    decided_on=dt.date(2024, 5, n), outcome="fined", fine_decided_fen=fen, state="decided")
        for n, (code, fen) in enumerate([("liaoning-35", 10), ("liaoning-32", 20)], start=1)
    ])
    db.session.commit()
    path = tmp_path / "annual.xlsx"
    assert runner.invoke(args=["report", "annual", "--year", "2024", str(path)]).exit_code == 0
    book = load_workbook(path)
    assert _values(book["罚没款"])["合计"][0] == 0.3
    assert _values(book["封面"])["决定罚款（元）"][0] == 0.3

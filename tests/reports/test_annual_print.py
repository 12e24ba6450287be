"""The annual workbook prints as a report and its count charts step in whole numbers (issue 14, point 11);
its 生成时间 is Beijing time (point 9). Read back with openpyxl and from the charts' XML."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import FirmBusinessType, PenaltyCase
from reports.annual import FIRMS_ROW, SHEETS


@pytest.fixture
def workbook(runner, tmp_path, factory):
    # Three firms of Shenyang and one of Dalian; one firm with two business types.
    for n, (city, types) in enumerate([("210100", ("design", "installation")), ("210100", ("design",)),
                                       ("210100", ("design",)), ("210200", ("maintenance",))], start=1):
        factory.firm(f"单位{n}", city_code=city, filing_number=f"N{n}", filed_on=dt.date(2026, 3, n),
                     filing_status="in_force", filing_authority_code=city,
                     business_types=[FirmBusinessType(type_code=t) for t in types])
    db.session.add(PenaltyCase(case_number="C1", party_name="单位1", jurisdiction="liaoning",
                               provision_code="liaoning-35", decided_on=dt.date(2026, 4, 1), outcome="fined",
                               fine_decided_fen=123456, state="decided"))
    db.session.commit()
    path = tmp_path / "annual.xlsx"
    result = runner.invoke(args=["report", "annual", "--year", "2026", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.today("2026-12-01", at="01:30")
def test_every_sheet_prints_as_a_page_of_the_report(workbook):
    book = load_workbook(workbook)
    assert book.sheetnames == list(SHEETS)
    for name in SHEETS:
        sheet = book[name]
        setup = sheet.page_setup
        assert setup.paperSize == 9, name  # A4
        assert setup.orientation == ("portrait" if name == "封面" else "landscape"), name
        # Fit to one page wide (1 is the file format's default, so the attribute may be left out); short
        # tables also one page tall, so the chart prints with its table.
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth or 1) == 1, name
        assert (1 if setup.fitToHeight is None else setup.fitToHeight) == 1, name
        header, footer = sheet.oddHeader.center.text, sheet.oddFooter.center.text
        assert "辽宁省技防管理年度统计（2026年）" in header, name
        assert footer == "第 &P 页，共 &N 页", name
        if name != "封面":
            # the table's heading row repeats on every printed page
            heading = next(r for r in sheet.iter_rows() if r[1].value is not None and r[0].font.bold
                           and r[0].row > 1)
            assert sheet.print_title_rows.replace("$", "") == f"{heading[0].row}:{heading[0].row}", name
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    book.close()
    # Pinned at 17:30 UTC on 30 November: the report was made early on 1 December in Beijing.
    assert cover["生成时间"] == "2026-12-01 01:30（北京时间）"


def test_count_charts_step_in_whole_numbers_and_money_does_not(workbook):
    with zipfile.ZipFile(workbook) as archive:
        charts = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")}
    count_charts = [x for x in charts.values() if "各条款罚款" not in x and "<c:pieChart>" not in x]
    assert len(count_charts) == 6
    for xml in count_charts:
        unit = re.search(r'<c:majorUnit val="([^"]+)"/>', xml)
        assert unit and float(unit[1]).is_integer() and float(unit[1]) >= 1
        assert '<c:min val="0"/>' in xml and 'formatCode="0"' in xml
    fines = next(x for x in charts.values() if "各条款罚款" in x)
    assert "<c:majorUnit" not in fines  # money: Excel's own steps


def test_the_firm_count_row_agrees_with_the_cover(workbook):
    book = load_workbook(workbook)
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    rows = {r[0]: r[1:] for r in book["业务类型×城市"].iter_rows(values_only=True) if r[0]}
    header = next(r for r in book["业务类型×城市"].iter_rows(values_only=True) if r[0] == "业务类型")
    book.close()
    firms = dict(zip(header[1:], rows[FIRMS_ROW], strict=True))
    assert firms["合计"] == cover["年末在册备案单位"] == 4  # firm 1 has two business types: still one firm
    assert firms["沈阳市"] == 3 and firms["大连市"] == 1
    design = dict(zip(header[1:], rows["设计"], strict=True))
    assert design["沈阳市"] == 3


def test_an_empty_year_says_so_on_the_cover(runner, tmp_path):
    path = tmp_path / "empty.xlsx"
    assert runner.invoke(args=["report", "annual", "--year", "2020", str(path)]).exit_code == 0
    book = load_workbook(path)
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    book.close()
    assert cover["说明"].startswith("本年度没有统计数据")

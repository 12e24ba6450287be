"""The statistics dashboard: SVG charts with tables, year selector, the workbook download, roles."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.app.dashboard_support import TODAY, YEAR, seed_year
from tests.support import get_page, page_text, switch_language

pytestmark = pytest.mark.today(TODAY)


def test_dashboard_renders_svg_charts_and_tables(login_as, factory):
    seed_year(factory)
    client, _ = login_as("provincial_clerk")  # the case is linked to no firm: it counts for the province only
    page = get_page(client, "dashboard.index")
    charts = page.select("svg")
    assert len(charts) == 6
    assert all(chart.get("role") == "img" and page_text(chart.find("desc")) for chart in charts)
    assert any("1,234.56" in page_text(table) for table in page.select("table.stats"))
    assert page.find("a", href=f"/dashboard/annual-{YEAR}.xlsx")
    assert page.find("main").find_all(style=True) == []  # the CSP forbids inline styles
    assert page.find_all("script") == []


def test_the_main_figures_show_money_to_the_fen_and_counts_as_whole_numbers(login_as, factory):
    seed_year(factory)
    client, _ = login_as("provincial_clerk")
    facts = get_page(client, "dashboard.index").find(attrs={"aria-labelledby": "totals-heading"})
    shown = dict(zip(map(page_text, facts.find_all("dt")), map(page_text, facts.find_all("dd")), strict=True))
    assert shown["决定罚款（元）"] == "1,234.56" and shown["已收缴罚款（元）"] == "0.00"
    assert shown["本年处罚案件"] == "1"


def test_monthly_chart_descriptions_name_the_months(login_as, factory):
    """The axis draws the months as 1…12; a screen reader hears 1月 (Jan on English pages), never "1 0，2 0"."""
    seed_year(factory)
    client, _ = login_as("provincial_clerk")
    descriptions = [page_text(svg.find("desc")) for svg in get_page(client, "dashboard.index").select("svg")]
    monthly = [d for d in descriptions if "12月" in d]
    assert len(monthly) == 2, descriptions  # filings per month and warnings per month
    for text in monthly:
        assert "1月 " in text and "，2月 " in text and "，1 " not in text and not text.startswith("1 ")
    switch_language(client, {"lang": "en", "next": "/dashboard/"})
    english = [page_text(svg.find("desc")) for svg in get_page(client, "dashboard.index").select("svg")]
    assert sum("Jan " in d and ", Feb " in d and "Dec " in d for d in english) == 2, english


def test_year_selector_and_bad_years(login_as):
    client, _ = login_as("provincial_clerk")
    assert page_text(get_page(client, "dashboard.index", year=YEAR - 1).select_one("h1")).endswith(f"（{YEAR - 1}年）")
    assert client.get("/dashboard/?year=abc").status_code == 404
    assert client.get(f"/dashboard/?year={YEAR + 5}").status_code == 404


def test_workbook_download(login_as, factory):
    seed_year(factory)
    client, _ = login_as("admin")
    response = client.get(f"/dashboard/annual-{YEAR}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "封面"
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["本年处罚案件"] == 1 and cover["决定罚款（元）"] == 1234.56


def test_firms_may_not_see_the_dashboard(login_as):
    client, _ = login_as("firm")
    assert client.get("/dashboard/").status_code == 403
    assert client.get(f"/dashboard/annual-{YEAR}.xlsx").status_code == 403

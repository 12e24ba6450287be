"""Every moment a person sees is Beijing time and says so where it matters (issue 14, point 9).

The pinned moment 2026-11-30 17:30 UTC is 2026-12-01 01:30 in Beijing: a surface that shows the stored UTC
time shows the wrong day."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from app.extensions import db
from app.models import FilingRequest
from reports.export import write_csv, write_xlsx
from workflows.time_limits import format_beijing

MOMENT = dt.datetime(2026, 11, 30, 17, 30)  # naive UTC, as the app stores it
pytestmark = pytest.mark.today("2026-12-01", at="01:30")


def test_the_one_function():
    assert format_beijing(MOMENT) == "2026-12-01 01:30"
    assert format_beijing(MOMENT, label=True) == "2026-12-01 01:30（北京时间）"
    assert format_beijing(MOMENT.replace(tzinfo=dt.UTC), seconds=True) == "2026-12-01 01:30:00"
    assert format_beijing("2026-11-30T17:30:00") == "2026-12-01 01:30"  # as audit details keep moments
    assert format_beijing(dt.date(2026, 11, 30)) == "2026-11-30" and format_beijing(None) == ""


def test_page_shows_the_last_log_in_in_beijing_time(login_as, factory):
    clerk = factory.user("city_clerk", "li")
    clerk.last_login_at = MOMENT
    db.session.commit()
    client, _ = login_as("admin", username="root")
    page = lxml_html.fromstring(client.get(f"/admin/users/{clerk.id}").get_data(as_text=True))
    dts = [t.text_content().strip() for t in page.xpath("//dt")]
    dds = [d.text_content().strip() for d in page.xpath("//dd")]
    assert dict(zip(dts, dds, strict=False))["最近登录"] == "2026-12-01 01:30（北京时间）"


def test_audit_log_page_shows_beijing_time(login_as):
    client, _ = login_as("admin", username="root")  # its log-in is audited now, at 17:30 UTC
    page = lxml_html.fromstring(client.get("/admin/audit").get_data(as_text=True))
    times = [td.text_content().strip() for td in page.xpath("//table[@class='audit']//td[@class='when']")]
    assert times and all(t.startswith("2026-12-01 01:30") for t in times)


def test_annual_workbook_generated_at_and_months_in_beijing_time(login_as, factory):
    firm = factory.firm("变更单位", filing_number="N1", filed_on=dt.date(2026, 1, 2), filing_status="in_force")
    db.session.add(FilingRequest(firm=firm, kind="change", state="changed", authority_code="210100",
                                 decided_at=MOMENT))  # 1 December in Beijing
    db.session.commit()
    client, _ = login_as("provincial_clerk")
    response = client.get("/dashboard/annual-2026.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["生成时间"] == "2026-12-01 01:30（北京时间）"
    months = {r[0]: r[1] for r in book["变更与注销"].iter_rows(values_only=True) if r[0]}
    book.close()
    assert months["12月"] == 1 and months["11月"] == 0


def test_exports_write_stored_moments_in_beijing_time(tmp_path):
    path = tmp_path / "x.xlsx"
    write_xlsx(path, ["时间（北京时间）"], [(MOMENT,)])
    book = load_workbook(path)
    cell = book.active["A2"]
    assert cell.value == dt.datetime(2026, 12, 1, 1, 30) and cell.number_format == "yyyy-mm-dd hh:mm"
    book.close()
    out = io.StringIO()
    write_csv(out, ["时间（北京时间）"], [(MOMENT,)])
    assert list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))[1] == ["2026-12-01 01:30"]

"""The dashboard (issue 14, point 11): a city clerk sees their own city's figures, the provincial clerk the
province or one city; the key figures agree with the tables; count axes step in whole numbers; a year
without data says so; chart text is at least 12 px as drawn."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from openpyxl import load_workbook

from app.extensions import db
from app.models import Complaint, FirmBusinessType
from reports import charts
from tests.app.dashboard_support import TODAY, YEAR

pytestmark = pytest.mark.today(TODAY)
ROOT = Path(__file__).resolve().parents[3]


def _seed(factory):
    """Shenyang (210100): two firms, one with two business types, and a complaint; Dalian (210200): one."""
    a = factory.firm("沈阳甲", city_code="210100", filing_number="N1", filed_on=dt.date(YEAR, 2, 1),
                     filing_status="in_force", business_types=[FirmBusinessType(type_code="design"),
                                                               FirmBusinessType(type_code="installation")])
    factory.firm("沈阳乙", city_code="210100", filing_number="N2", filed_on=dt.date(YEAR, 3, 1),
                 filing_status="in_force", business_types=[FirmBusinessType(type_code="design")])
    d = factory.firm("大连丙", city_code="210200", filing_number="N3", filed_on=dt.date(YEAR, 4, 1),
                     filing_status="in_force", business_types=[FirmBusinessType(type_code="design")])
    db.session.add_all([Complaint(received_on=dt.date(YEAR, 5, 1), firm_id=a.id, outcome="pending"),
                        Complaint(received_on=dt.date(YEAR, 5, 2), firm_id=d.id, outcome="pending")])
    db.session.commit()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(response.get_data(as_text=True))


def _facts(page):
    dl = page.xpath("//section[@aria-labelledby='totals-heading']//dl")[0]
    return dict(zip([d.text_content().strip() for d in dl.xpath("./dt")],
                    [d.text_content().strip() for d in dl.xpath("./dd")], strict=True))


def _table(page, caption):
    table = page.xpath(f"//table[caption[contains(., '{caption}')]]")[0]
    header = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
    return {tr.xpath("./th")[0].text_content().strip(): dict(zip(header[1:], [td.text_content().strip()
                                                                              for td in tr.xpath("./td")], strict=False))
            for tr in table.xpath("./tbody/tr")}


def test_a_city_clerk_sees_their_own_city(login_as, factory):
    _seed(factory)
    client, _ = login_as("city_clerk", authority_code="210100")  # Shenyang's bureau
    page = _page(client, "/dashboard/")
    assert "沈阳市" in page.xpath("//h1")[0].text_content()
    facts = _facts(page)
    assert facts["年末在册备案单位"] == "2" and facts["本年受理投诉"] == "1"
    table = _table(page, "业务类型×所在市")
    assert "大连市" not in table["设计"] and table["设计"]["沈阳市"] == "2"
    # Asking for another city changes nothing for a city clerk; the city list is not offered.
    assert _facts(_page(client, "/dashboard/?city=210200"))["年末在册备案单位"] == "2"
    assert not page.xpath("//select[@id='city']")
    book = load_workbook(io.BytesIO(client.get(f"/dashboard/annual-{YEAR}.xlsx?city=210200").data))
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(values_only=True) if r[0]}
    book.close()
    assert cover["年末在册备案单位"] == 2 and "沈阳市" in cover["辖区"]


def test_the_provincial_clerk_sees_the_province_or_one_city(login_as, factory):
    _seed(factory)
    client, _ = login_as("provincial_clerk")
    assert _facts(_page(client, "/dashboard/"))["年末在册备案单位"] == "3"
    dalian = _page(client, "/dashboard/?city=210200")
    assert _facts(dalian)["年末在册备案单位"] == "1" and _facts(dalian)["本年受理投诉"] == "1"
    assert dalian.xpath("//select[@id='city']/option[@selected]")[0].get("value") == "210200"
    assert f"annual-{YEAR}.xlsx?city=210200" in dalian.xpath("//a[contains(@href, 'annual-')]/@href")[0]
    assert client.get("/dashboard/?city=999999").status_code == 404


def test_key_figures_agree_with_the_tables(login_as, factory):
    """年末在册 counts firms: the table's firm row gives the same total though one firm has two types."""
    _seed(factory)
    client, _ = login_as("provincial_clerk")
    page = _page(client, "/dashboard/")
    table = _table(page, "业务类型×所在市")
    assert table["在册单位（家）"]["合计"] == _facts(page)["年末在册备案单位"] == "3"
    assert table["设计"]["合计"] == "3" and table["安装"]["合计"] == "1"
    locality = _table(page, "省内与省外")
    assert locality["年末在册"]["合计"] == "3"
    cities_chart = page.xpath("//svg[title[contains(., '各市在册备案单位')]]")[0]
    assert "沈阳市 2" in cities_chart.xpath("./desc")[0].text_content()


def _value_ticks(svg) -> list[str]:
    """A chart's value-axis labels, top to bottom of the markup: its text elements anchored at their end."""
    root = etree.fromstring(str(svg))
    return [text.text for text in root.iter("{http://www.w3.org/2000/svg}text") if text.get("text-anchor") == "end"]


def test_count_axes_step_in_whole_numbers():
    for peak in (0, 1, 2, 3, 7, 11, 99, 1234):
        ticks = _value_ticks(charts.bar_chart("件数", ["甲", "乙"], {"件": [peak, 0]}))
        assert ticks and all(re.fullmatch(r"[\d,]+", t) for t in ticks), (peak, ticks)
        values = [int(t.replace(",", "")) for t in ticks]
        assert values[0] == 0 and values[-1] >= peak and len(set(values)) == len(values)
    assert "0.25" in _value_ticks(charts.bar_chart("罚款", ["甲"], {"元": [0.5]}, integer=False))


def test_a_year_without_data_says_so(login_as):
    client, _ = login_as("provincial_clerk")
    page = _page(client, f"/dashboard/?year={YEAR - 3}")
    assert f"{YEAR - 3}年没有统计数据" in page.xpath("//h2[@id='empty-heading']")[0].text_content()
    assert not page.xpath("//svg") and not page.xpath("//a[contains(@href, 'annual-')]")


def test_chart_text_is_drawn_at_12_px_or_more():
    """The stylesheet draws a chart no narrower than MIN_DRAWN px and its axis text at FONT units."""
    css = (ROOT / "app/static/style.css").read_text(encoding="utf-8")
    rule = re.search(r"\.chart \{[^}]*\}", css)[0]
    assert f"min-width:{charts.MIN_DRAWN}px" in rule and f"max-width:{charts.WIDTH}px" in rule
    assert re.search(r"svg\.chart \.axis \{[^}]*font-size:(\d+)px", css)[1] == str(charts.FONT)
    assert charts.FONT * charts.MIN_DRAWN / charts.WIDTH >= 12

"""A city clerk reads the statistics dashboard in Chromium (issue 14, point 11): their own city's figures,
and every chart's text drawn at 12 px or more, on a desktop and on a phone-sized screen."""

import datetime as dt

import pytest

from app.extensions import db
from app.models import FirmBusinessType
from tests.app.dashboard_support import TODAY
from tests.support import PASSWORD

# The size each chart text is drawn at: its font size times the SVG's scale on screen.
DRAWN_SIZES = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return parseFloat(getComputedStyle(t).fontSize) * scale;
})"""


@pytest.mark.today(TODAY)
def test_city_clerk_reads_their_citys_dashboard_with_legible_charts(page, factory):
    for n, city in enumerate(("210100", "210100", "210200"), start=1):
        factory.firm(f"图表单位{n}", city_code=city, filing_number=f"N{n}", filed_on=dt.date(2026, n, 2),
                     filing_status="in_force", business_types=[FirmBusinessType(type_code="design")])
    db.session.commit()
    clerk = factory.user("city_clerk", "chart_clerk", authority_code="210100")
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="统计").click()

    assert "沈阳市" in page.locator("h1").inner_text()
    facts = page.locator("dl.facts").first.inner_text()
    assert "年末在册备案单位\n2" in facts or "年末在册备案单位\t2" in facts, facts
    for width, height in ((1280, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        sizes = page.evaluate(DRAWN_SIZES)
        assert sizes and min(sizes) >= 12, (width, min(sizes))
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width} px"

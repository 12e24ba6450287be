"""English: the catalogue covers every source string, and pages read in English when it is chosen.

The catalogue is built from app/translations/glossary_en.yaml by scripts/translations.py; a new _() string
without a glossary line fails here until the glossary has it and the script has been run.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.app.filing_support import submitted_request
from tests.support import get_page, login, page_text, post_form, switch_language

ROOT = Path(__file__).resolve().parents[3]
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def translations():
    spec = importlib.util.spec_from_file_location("jifang_translations", ROOT / "scripts" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_source_string_has_an_english_line_in_the_glossary(translations):
    missing = translations.check()
    assert missing == [], (
        f"{len(missing)} strings have no line in app/translations/glossary_en.yaml (add them, then run "
        f".venv/bin/python scripts/translations.py): {missing[:20]}"
    )


def test_the_compiled_catalogue_matches_the_glossary(translations):
    built, _missing = translations.catalogue()
    with (ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        on_disk = read_po(fh)
    expected = {m.id: m.string for m in built if m.id}
    actual = {m.id: m.string for m in on_disk if m.id}
    stale = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert not stale, f"messages.po is stale; run .venv/bin/python scripts/translations.py: {stale[:20]}"
    with (ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    assert compiled == actual, "messages.mo is stale; run .venv/bin/python scripts/translations.py"


def _english(client, url: str) -> None:
    response = switch_language(client, {"lang": "en", "next": url})
    assert response.status_code == 302


def _page(client, endpoint: str, **values):
    return get_page(client, endpoint, **values)


def _h1(page) -> str:
    return page_text(page.find("h1"))


def _assert_nav_in_english(page) -> None:
    nav = page_text(page.find("nav"))
    assert "Home" in nav
    assert not HAN.search(nav), f"untranslated navigation: {nav}"
    assert page.find("html")["lang"] == "en"


def test_the_login_page_reads_in_english(client):
    _english(client, "/auth/login")
    page = _page(client, "auth.login")
    _assert_nav_in_english(page)
    assert _h1(page) == "Log in"
    text = page_text(page)
    assert "Username" in text and "Password" in text
    assert "用户名" not in text and "密码" not in text


def test_a_failed_login_is_told_in_english(client, factory):
    user = factory.user("firm")
    _english(client, "/auth/login")
    response = post_form(client, "/auth/login", {"username": user.username, "password": "wrong-password-1"})
    assert "Wrong username or password" in page_text(response)


def test_the_roster_reads_in_english(client):
    _english(client, "/roster")
    page = _page(client, "roster.index")
    _assert_nav_in_english(page)
    assert _h1(page) == "Roster of filed security-technology firms"
    text = page_text(page)
    assert "Filing number" in text and "Filing status" in text and "Search" in text


def test_the_review_queue_reads_in_english(app, factory):
    submitted_request(app, factory, city_code="210100")
    clerk = factory.user("city_clerk", authority_code="210100")
    client = app.test_client()
    login(client, clerk)
    _english(client, "/review/")
    page = _page(client, "review.queue")
    _assert_nav_in_english(page)
    assert _h1(page).startswith("Review filings")
    queue = page.select_one("table.queue")
    head = page_text(queue.find("thead"))
    assert "Entered this stage" in head and "Time limit" in head
    assert not HAN.search(head), head
    assert "In-province firm" in page_text(queue.find("tbody"))
    assert "City bureau clerk" in page_text(page)


def test_the_calculator_reads_in_english(login_as):
    client, _user = login_as("city_clerk", authority_code="210100")
    _english(client, "/penalties/calculator")
    page = _page(client, "penalties.calculator")
    _assert_nav_in_english(page)
    assert _h1(page) == "Penalty calculator"
    text = page_text(page)
    assert "Discretion tier" in text and "Date of the violation" in text and "Lenient" in text


def test_chinese_stays_the_default(client):
    page = _page(client, "auth.login")
    assert _h1(page) == "登录" and "用户名" in page_text(page)


@pytest.mark.today("2026-11-30")  # the dashboard shows this year (tests/app/dashboard_support.py)
def test_the_dashboard_reads_in_english(login_as, factory):
    """Key figures, chart titles and the tables' fixed labels in English; only names stay Chinese (the
    cities, the provisions' article numbers), and the workbook itself stays Chinese."""
    from tests.app.dashboard_support import YEAR as year
    from tests.app.dashboard_support import seed_year

    seed_year(factory)
    client, _user = login_as("provincial_clerk")
    _english(client, "/dashboard/")
    page = _page(client, "dashboard.index")
    facts = page_text(page.select_one("dl.facts"))
    assert "Filed firms on the roster at year end 1" in facts and "Fines decided (yuan) 1,234.56" in facts
    assert not HAN.search(facts), facts
    titles = " ".join(page_text(t) for svg in page.select("svg") for t in svg.find_all("title", id=True))
    assert f"New filings, changes and cancellations by month, {year}" in titles  # each chart's own title
    assert f"Fines by provision (yuan), {year}" in titles
    assert not HAN.search(titles), titles
    descriptions = " ".join(page_text(d) for d in page.select("svg desc"))
    assert "New filings: Jan 1, Feb 0" in descriptions  # "series: month count, month count, ..."
    assert "：" not in descriptions and "；" not in descriptions  # English punctuation for screen readers
    monthly = page_text(page.select_one("table.stats"))
    assert "New filings" in monthly and "Jan" in monthly and "Total" in monthly
    assert not HAN.search(monthly), monthly

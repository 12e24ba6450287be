"""English: the catalogue covers every source string, and pages read in English when it is chosen.

The catalogue is built from app/translations/glossary_en.yaml by scripts/translations.py; a new _() string
without a glossary line fails here until the glossary has it and the script has been run.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.app.filing_support import submitted_request
from tests.support import login, post_form

ROOT = Path(__file__).resolve().parents[2]
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
    response = post_form(client, "/language", {"lang": "en", "next": url}, token_from=url)
    assert response.status_code == 302


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def _h1(markup: str) -> str:
    return _text(markup.split("<h1>", 1)[1].split("</h1>", 1)[0]).strip()


def _nav(markup: str) -> str:
    return _text(re.search(r"<nav\b.*?</nav>", markup, re.S).group(0))


def _assert_nav_in_english(markup: str) -> None:
    nav = _nav(markup)
    assert "Home" in nav
    assert not HAN.search(nav), f"untranslated navigation: {nav}"
    assert 'lang="en"' in markup


def test_the_login_page_reads_in_english(client):
    _english(client, "/auth/login")
    markup = _page(client, "/auth/login")
    _assert_nav_in_english(markup)
    assert _h1(markup) == "Log in"
    text = _text(markup)
    assert "Username" in text and "Password" in text
    assert "用户名" not in text and "密码" not in text


def test_a_failed_login_is_told_in_english(client, factory):
    user = factory.user("firm")
    _english(client, "/auth/login")
    response = post_form(client, "/auth/login", {"username": user.username, "password": "wrong-password-1"})
    assert "Wrong username or password" in html.unescape(response.get_data(as_text=True))


def test_the_roster_reads_in_english(client):
    _english(client, "/roster")
    markup = _page(client, "/roster")
    _assert_nav_in_english(markup)
    assert _h1(markup) == "Roster of filed security-technology firms"
    text = _text(markup)
    assert "Filing number" in text and "Filing status" in text and "Search" in text


def test_the_review_queue_reads_in_english(app, factory):
    submitted_request(app, factory, city_code="210100")
    clerk = factory.user("city_clerk", authority_code="210100")
    client = app.test_client()
    login(client, clerk)
    _english(client, "/review/")
    markup = _page(client, "/review/")
    _assert_nav_in_english(markup)
    assert _h1(markup).startswith("Review filings")
    head = _text(markup.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert "Entered this stage" in head and "Time limit" in head
    assert not HAN.search(head), head
    assert "In-province firm" in _text(markup.split('<table class="queue">', 1)[1].split("</table>", 1)[0])
    assert "City bureau clerk" in _text(markup)


def test_the_calculator_reads_in_english(login_as):
    client, _user = login_as("city_clerk", authority_code="210100")
    _english(client, "/penalties/calculator")
    markup = _page(client, "/penalties/calculator")
    _assert_nav_in_english(markup)
    assert _h1(markup) == "Penalty calculator"
    text = _text(markup)
    assert "Discretion tier" in text and "Date of the violation" in text and "Lenient" in text


def test_chinese_stays_the_default(client):
    markup = _page(client, "/auth/login")
    assert _h1(markup) == "登录" and "用户名" in _text(markup)


@pytest.mark.today("2026-11-30")  # the dashboard shows this year (tests/app/dashboard_support.py)
def test_the_dashboard_reads_in_english(login_as, factory):
    """Key figures, chart titles and the tables' fixed labels in English; only names stay Chinese (the
    cities, the provisions' article numbers), and the workbook itself stays Chinese."""
    from tests.app.dashboard_support import YEAR as year
    from tests.app.dashboard_support import seed_year

    seed_year(factory)
    client, _user = login_as("provincial_clerk")
    _english(client, "/dashboard/")
    markup = _page(client, "/dashboard/")
    facts = _text(markup.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0])
    assert "Filed firms on the roster at year end 1" in facts and "Fines decided (yuan) 1,234.56" in facts
    assert not HAN.search(facts), facts
    titles = " ".join(re.findall(r'<title id="[^"]*-t">(.*?)</title>', markup))  # each chart's own title
    assert f"New filings, changes and cancellations by month, {year}" in titles
    assert f"Fines by provision (yuan), {year}" in titles
    assert not HAN.search(titles), titles
    descriptions = " ".join(re.findall(r'<desc id="[^"]*">(.*?)</desc>', markup))
    assert "New filings: 1 1, 2 0" in descriptions  # "series: month count, month count, ..."
    assert "：" not in descriptions and "；" not in descriptions  # English punctuation for screen readers
    monthly = markup.split('<table class="stats">', 1)[1].split("</table>", 1)[0]
    assert "New filings" in monthly and "Jan" in monthly and "Total" in monthly
    assert not HAN.search(_text(monthly)), _text(monthly)

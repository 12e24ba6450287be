"""The calculator page takes the decision date (行政处罚法 art. 37, issue 13 point 2): blank means today; a
date before the act is refused beside its field; the trace says which values applied when they changed."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from lxml import html as lxml_html

pytestmark = pytest.mark.today("2026-11-30")
URL = "/penalties/calculator"
FACTS = {"jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit", "act_date": "2024-06-01",
         "illegal_gains": "0", "tier": "normal"}


def _page(client, **params):
    response = client.get(f"{URL}?{urlencode({**FACTS, **params})}")
    return response, lxml_html.fromstring(response.data)


def test_the_decision_date_is_a_field_and_blank_means_today(login_as):
    client, _user = login_as("city_clerk")
    _response, page = _page(client)
    field = page.xpath("//input[@name='decided_on']")
    assert field and field[0].get("type") == "date"
    blank = _page(client, decided_on="")[1].xpath("//main")[0].text_content()
    today = _page(client, decided_on="2026-11-30")[1].xpath("//main")[0].text_content()
    assert "30000" in blank.replace(",", "") and blank == today


def test_a_decision_before_the_act_is_refused_beside_its_field(login_as):
    client, _user = login_as("city_clerk")
    _response, page = _page(client, decided_on="2024-05-31")
    errors = " ".join(e.text_content() for e in page.xpath("//*[contains(@class, 'error')]"))
    assert "决定日期 2024-05-31 早于行为日期 2024-06-01" in errors

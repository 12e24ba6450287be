"""Whole-roster downloads cost seconds each: a few per address per minute, a few at once per process; and
every CSV download states its character set once (issue 9, defect 10)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models.firm import FirmBusinessType
from app.roster import routes as roster_routes
from tests.support import page_text

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
NEIGHBOUR = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def filed_firm(factory):
    return factory.firm("沈阳盛安安防科技有限公司", filing_number="辽公技备〔2026〕210100-0001号",
                        filed_on=dt.date(2026, 3, 2), filing_authority_code="210100", filing_status="in_force",
                        business_types=[FirmBusinessType(type_code="design")])


def test_one_address_gets_three_downloads_a_minute_and_then_a_chinese_429(client, filed_firm):
    for url in ("/roster.csv", "/roster.xlsx", "/roster.csv?city=210100"):  # both formats count together
        assert client.get(url, environ_base=ATTACKER).status_code == 200, url
    refused = client.get("/roster.xlsx", environ_base=ATTACKER)
    assert refused.status_code == 429
    assert "名录下载过于频繁，请一分钟后再试" in page_text(refused)
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/roster.csv", environ_base=NEIGHBOUR).status_code == 200  # others are not blocked
    assert client.get("/roster", environ_base=ATTACKER).status_code == 200  # nor the search page itself


def test_downloads_beyond_the_export_slots_are_refused_at_once(client, filed_firm):
    """Exports being written hold every slot of the process (as when many addresses start one together):
    the next one is told to come back, instead of queueing a worker behind them."""
    held = [roster_routes._exports.acquire(blocking=False) for _ in range(roster_routes.EXPORTS_AT_ONCE)]
    try:
        assert all(held)
        busy = client.get("/roster.xlsx", environ_base=NEIGHBOUR)
        assert busy.status_code == 503 and "名录导出繁忙，请稍后再试" in page_text(busy)
    finally:
        for _ in held:
            roster_routes._exports.release()
    assert client.get("/roster.xlsx", environ_base=NEIGHBOUR).status_code == 200  # the slots came back


def test_csv_downloads_name_their_charset_once(client, login_as, filed_firm):
    public = client.get("/roster.csv")
    assert public.headers["Content-Type"] == "text/csv; charset=utf-8"
    clerk, _user = login_as("provincial_clerk")
    staff = clerk.get("/transfer/export/roster.csv")
    assert staff.status_code == 200 and staff.headers["Content-Type"] == "text/csv; charset=utf-8"

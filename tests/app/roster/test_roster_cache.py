"""The roster list's results are cached per data version (app/roster/cache.py): a cached page is the page an
uncached render gives, every recorded change shows on the very next request, and the chrome (the header
with the logged-in user, tokens) is never shared between visitors."""

from __future__ import annotations

import pytest
import time_machine

from app.roster import routes
from tests.app.complaint_support import FAST
from tests.app.complaints.test_warnings_listing import _filed_firm, _published
from tests.app.filing_support import decide, start, submit_new
from tests.app.filings.test_filing import _clerk, _filed, _firm_client
from tests.app.roster.test_roster import HOSTILE_NAME, entry, filed, names_in, page
from tests.app.transfer_support import roster_file, roster_row
from tests.conftest import beijing
from tests.support import page_text, post_form

pytestmark = pytest.mark.today("2026-11-30")


@pytest.fixture
def app_config():
    return dict(FAST)


@pytest.fixture
def computed(monkeypatch):
    """How many times a roster page was read from the database (not served from the cache)."""
    calls = []
    real = routes.roster_page

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "roster_page", counting)
    return calls


@pytest.fixture
def looked_up(monkeypatch):
    """How many times a roster entry (the QR code's page) was read from the database."""
    calls = []
    real = routes.find_entry

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(routes, "find_entry", counting)
    return calls


def verdict(soup) -> str:
    """What an entry page tells the person who scanned the QR code: its title, verdicts and facts."""
    return " | ".join([soup.title.get_text(), page_text(soup.select_one("main"))])


def results(soup) -> str:
    """The cached part of a roster page: its table and pager, as HTML."""
    return str(soup.select_one("div.table-scroll")) + str(soup.select_one("nav.pager"))


@pytest.fixture
def many(factory):
    return [filed(factory, f"沈阳第{n}安防科技有限公司", n) for n in range(1, 8)]


def test_a_page_from_the_cache_is_the_page_an_uncached_render_gives(app, client, many, computed):
    app.config["ROSTER_PAGE_SIZE"] = 3
    for params in ({}, {"name": "安防"}, {"after": many[2].filing_number}):
        first, again = page(client, **params), page(client, **params)
        app.config["ROSTER_CACHE_SIZE"] = 0
        uncached = page(client, **params)
        app.config["ROSTER_CACHE_SIZE"] = 256
        assert results(first) == results(again) == results(uncached)
        assert names_in(again) and page_text(again) == page_text(uncached)
    assert len(computed) == 6  # each search once with the cache on (the second from it), once without


def test_a_filing_approved_shows_on_the_next_request_of_a_cached_page(app, client, factory, computed):
    pack = app.extensions["jifang.pack"]
    firm_client, _user, firm = _firm_client(app, factory, division="210102")
    request_id = submit_new(firm_client, pack, city_code="210100")
    assert names_in(page(client)) == [] and names_in(page(client)) == []
    assert len(computed) == 1
    clerk, _ = _clerk(app, factory, "city_clerk", "210100")
    assert decide(clerk, request_id, "approve").status_code == 302
    assert names_in(page(client)) == ["测试安防工程有限公司"]


def test_a_cancellation_shows_on_the_next_request_of_a_cached_page(app, client, factory):
    firm_client, clerk, firm = _filed(app, factory)
    assert "有效" in page_text(page(client).select_one("table.roster tbody"))
    request_id = start(firm_client, "cancellation")
    assert post_form(firm_client, f"/filings/{request_id}/edit",
                     {"reason": "停止经营技防业务", "send": "1"}).status_code == 302
    assert decide(clerk, request_id, "approve").status_code == 302
    body = page_text(page(client).select_one("table.roster tbody"))
    assert "已注销" in body and "有效" not in body


def test_an_import_shows_on_the_next_request_of_a_cached_page(client, runner, tmp_path, many):
    for params in ({}, {"name": "安防"}):
        assert "沈阳第901安防科技有限公司" not in names_in(page(client, **params))
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(901)])
    assert runner.invoke(args=["import", "filings", path]).exit_code == 0
    for params in ({}, {"name": "安防"}):
        assert "沈阳第901安防科技有限公司" in names_in(page(client, **params))


def test_a_warning_published_shows_on_the_next_request_of_a_cached_page(client, db, factory, login_as):
    firm = _filed_firm(factory)
    assert page(client).select_one("a.warning-mark") is None
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        assert page(client).select_one("a.warning-mark") is None  # cached for that day, before publishing
    _complaint, notice, _drafter, _publisher = _published(client, db, factory, login_as, firm)
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        mark = page(client).select_one("a.warning-mark")
    assert mark is not None and mark["href"] == f"/warnings/{notice.id}"


def test_another_language_other_filters_and_another_page_are_other_entries(app, client, many, computed):
    app.config["ROSTER_PAGE_SIZE"] = 3
    page(client)
    page(client, name="第2")
    page(client, after=many[2].filing_number)
    assert len(computed) == 3
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = page(client)
    assert len(computed) == 4
    assert english.select_one("table.roster td[data-label]")["data-label"] == "Unified social credit code"
    assert names_in(page(client, name="第2")) == ["沈阳第2安防科技有限公司"]


def test_the_next_day_is_computed_again(client, many, computed):
    page(client)
    page(client)
    assert len(computed) == 1
    with time_machine.travel(beijing("2026-12-01", "00:01"), tick=False):
        assert names_in(page(client))
    assert len(computed) == 2


def test_a_hostile_name_stays_escaped_when_served_from_the_cache(client, factory, computed):
    firm = filed(factory, HOSTILE_NAME, 1)
    for _ in range(2):
        doc = page(client)
        assert doc.find("script") is None
        assert doc.select_one("table.roster tbody td a").get_text() == HOSTILE_NAME
    assert len(computed) == 1 and firm.name == HOSTILE_NAME


def test_a_logged_in_users_header_is_not_shown_to_the_next_anonymous_visitor(client, many, login_as, computed):
    clerk, user = login_as("city_clerk", username="clerk_wang", authority_code="210100")
    own = page(clerk)
    assert "clerk_wang" in page_text(own) and own.select_one('form[action*="logout"]') is not None
    anonymous = page(client)
    assert len(computed) == 1  # the results came from the cache
    assert "clerk_wang" not in page_text(anonymous) and anonymous.select_one('form[action*="logout"]') is None
    # The clerk's logout form keeps the clerk's own token; the anonymous page has no form that needs one.
    assert page(clerk).select_one('form[action*="logout"] input[name="csrf_token"]')["value"]
    assert anonymous.select('input[name="csrf_token"]') == []


@pytest.mark.parametrize("app_config", [{**FAST, "ROSTER_CACHE_SIZE": 0}])
def test_with_the_cache_disabled_every_request_is_computed_and_the_same(app, client, factory, computed, app_config):
    firm_client, clerk, firm = _filed(app, factory)
    first, again = page(client), page(client)
    assert results(first) == results(again) and names_in(again) == [firm.name]
    assert len(computed) == 2
    request_id = start(firm_client, "cancellation")
    assert post_form(firm_client, f"/filings/{request_id}/edit",
                     {"reason": "停止经营技防业务", "send": "1"}).status_code == 302
    assert decide(clerk, request_id, "approve").status_code == 302
    assert "已注销" in page_text(page(client).select_one("table.roster tbody"))


# ---- the public entry a certificate's QR code opens: its result part is cached the same way ----------------

def test_an_entry_from_the_cache_is_the_entry_an_uncached_render_gives(app, client, many, looked_up):
    first, again = entry(client, many[1]), entry(client, many[1].credit_code.lower())
    app.config["ROSTER_CACHE_SIZE"] = 0
    uncached = entry(client, many[1])
    app.config["ROSTER_CACHE_SIZE"] = 256
    assert verdict(first) == verdict(again) == verdict(uncached)
    assert "沈阳第2安防科技有限公司" in verdict(again) and "真实有效" in verdict(again)
    assert str(first.select_one("main")) == str(uncached.select_one("main"))
    assert len(looked_up) == 2  # once with the cache on (the lower-case code is the same entry), once without


def test_a_cancellation_shows_on_the_next_request_of_a_cached_entry(app, client, factory, looked_up):
    firm_client, clerk, firm = _filed(app, factory)
    assert "真实有效" in verdict(entry(client, firm)) and "真实有效" in verdict(entry(client, firm))
    assert len(looked_up) == 1
    request_id = start(firm_client, "cancellation")
    assert post_form(firm_client, f"/filings/{request_id}/edit",
                     {"reason": "停止经营技防业务", "send": "1"}).status_code == 302
    assert decide(clerk, request_id, "approve").status_code == 302
    shown = verdict(entry(client, firm))
    assert "已注销，不再有效" in shown and "真实有效" not in shown


def test_an_entry_not_found_is_found_once_the_firm_is_filed(app, client, factory):
    firm_client, _user, firm = _firm_client(app, factory, division="210102")
    request_id = submit_new(firm_client, app.extensions["jifang.pack"], city_code="210100")
    code = firm.credit_code
    assert client.get(f"/roster/{code}").status_code == 404 and client.get(f"/roster/{code}").status_code == 404
    clerk, _ = _clerk(app, factory, "city_clerk", "210100")
    assert decide(clerk, request_id, "approve").status_code == 302
    assert "真实有效" in verdict(entry(client, code))


def test_a_warning_published_shows_on_the_next_request_of_a_cached_entry(client, db, factory, login_as):
    firm = _filed_firm(factory)
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        assert entry(client, firm).select_one("p.warning-mark") is None  # cached for that day, before publishing
    _complaint, notice, _drafter, _publisher = _published(client, db, factory, login_as, firm)
    with time_machine.travel(beijing("2026-12-08"), tick=False):
        mark = entry(client, firm).select_one("p.warning-mark a")
    assert mark is not None and mark["href"] == f"/warnings/{notice.id}"


def test_an_entry_in_english_is_another_entry(client, many, looked_up):
    entry(client, many[0])
    with client.session_transaction() as session:
        session["lang"] = "en"
    english = entry(client, many[0])
    assert len(looked_up) == 2
    assert "genuine" in verdict(english).lower() and "真实有效" not in verdict(english)


def test_a_hostile_name_stays_escaped_in_a_cached_entry(client, factory, looked_up):
    firm = filed(factory, HOSTILE_NAME, 1)
    for _ in range(2):
        doc = entry(client, firm)
        assert doc.find("script") is None
        assert HOSTILE_NAME in doc.title.get_text() and HOSTILE_NAME in page_text(doc.select_one("dl.facts"))
    assert len(looked_up) == 1


def test_a_logged_in_users_header_is_not_shown_on_the_next_anonymous_entry(client, many, login_as, looked_up):
    clerk, _user = login_as("city_clerk", username="clerk_wang", authority_code="210100")
    own = entry(clerk, many[0])
    assert "clerk_wang" in page_text(own) and own.select_one('form[action*="logout"]') is not None
    anonymous = entry(client, many[0])
    assert len(looked_up) == 1
    assert "clerk_wang" not in page_text(anonymous) and anonymous.select_one('form[action*="logout"]') is None


def test_reading_the_data_version_leaves_the_pooled_connections_as_they_were(app, factory):
    """The version is read through the pool's driver connection, on PostgreSQL in autocommit: the connection
    goes back with autocommit off, so the next request's writes are still one transaction that can roll back."""
    from sqlalchemy import func, select

    from app import audit
    from app.extensions import db
    from app.models import Firm
    from app.roster.cache import data_version

    firm = filed(factory, "版本读取单位", 1)
    with app.app_context():
        audit.record("roster.reindex", firm)
        db.session.commit()
        head = data_version(db.session)
        assert head is not None and data_version(db.session) == head
        raw = db.engine.raw_connection()
        try:
            assert not getattr(raw.driver_connection, "autocommit", False)
        finally:
            raw.close()
        before = db.session.scalar(select(func.count()).select_from(Firm))
        data_version(db.session)  # read again with no session open, the write below comes next
        db.session.add(Firm(name="回滚单位", credit_code=factory.credit_code(None), legal_rep="王五",
                            city_code=factory.pack.cities[0].code, is_local=True))
        db.session.flush()  # written in this session's transaction …
        db.session.rollback()  # … and undone with it
        assert db.session.scalar(select(func.count()).select_from(Firm)) == before


def test_on_postgresql_the_head_has_a_reader_of_its_own_that_recovers_from_a_dropped_connection(app, factory):
    """PostgreSQL: the head is read through a bind of its own (autocommit, not pre-pinged: one round trip a
    page). A connection the server dropped is discarded and the head read through the application's pool;
    the next read has a live connection again. SQLite has no such reader."""
    from sqlalchemy import text

    from app import audit
    from app.extensions import db
    from app.roster.cache import HEAD_BIND, data_version

    firm = filed(factory, "读取器单位", 1)
    with app.app_context():
        reader = db.engines.get(HEAD_BIND)
        if db.engine.dialect.name != "postgresql":
            assert reader is None
            return
        assert reader is not None and not reader.pool._pre_ping
        audit.record("roster.reindex", firm)
        db.session.commit()
        head = data_version(db.session)
        assert head is not None and reader.pool.checkedin() >= 1  # read through the reader
        pooled = reader.raw_connection()
        backend = pooled.driver_connection.info.backend_pid
        pooled.close()
        with db.engine.connect() as other:  # the server ends it while it waits in the pool (as a restart does)
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        assert data_version(db.session) == head  # the dead one fails, the application's pool answers
        assert data_version(db.session) == head  # and the reader has a live connection again
        live = reader.raw_connection()
        try:
            assert not live.driver_connection.closed and live.driver_connection.info.backend_pid != backend
        finally:
            live.close()

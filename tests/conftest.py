"""Fixtures in the manner of flaskr: app, client, runner, plus users per role and a logged-in client.

The database is SQLite in a fresh file per test unless JIFANG_TEST_DATABASE_URL names another; CI sets
it to PostgreSQL for the second run. An unreachable database fails the run; it never skips.

No test reads the real clock. A test that depends on "today" says which day with
`@pytest.mark.today("2026-11-30")` (Beijing time, 10:00 unless `at="HH:MM"` is given; the clock ticks from
there). `JIFANG_TEST_TODAY=2026-10-01` runs every other test on that date too, which proves the suite passes
on a weekend or a public holiday (`JIFANG_TEST_TODAY=2026-11-28`, a Saturday; `=2026-10-01`, National Day).
A test may still travel further inside its body with `time_machine.travel(...)`: the innermost one wins.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import create_engine, make_url, text

from app import create_app
from app.extensions import db as _db
from tests.support import Factory, IsolatedClient, login

TEST_DATABASE_URL = os.environ.get("JIFANG_TEST_DATABASE_URL")
TEST_TODAY = os.environ.get("JIFANG_TEST_TODAY")
BEIJING = ZoneInfo("Asia/Shanghai")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", 'today(day, at="10:00"): run the test with the clock pinned to this Beijing date and time'
    )
    _install_fifth_pack()


def _install_fifth_pack() -> None:
    """A generated fifth jurisdiction (tests/fifth_pack.py) joins the packs the loader finds, before any
    test is collected: every test parametrised from the loader runs on it too (issue 13)."""
    import atexit
    import shutil
    import tempfile

    from tests.fifth_pack import CODE, generate
    from workflows.rules import ROOTS_VAR

    named = [Path(p) for p in os.environ.get(ROOTS_VAR, "").split(os.pathsep) if p]
    if any((folder / CODE).is_dir() for folder in named):
        return  # a pytest-xdist worker: the controlling process generated it and passed its folder down
    root = Path(tempfile.mkdtemp(prefix="jifang-packs-"))
    generate(root)
    os.environ[ROOTS_VAR] = os.pathsep.join(filter(None, [os.environ.get(ROOTS_VAR), str(root)]))
    atexit.register(shutil.rmtree, root, ignore_errors=True)


def pytest_report_header(config):
    today = f"jifang test clock: {TEST_TODAY} (JIFANG_TEST_TODAY)" if TEST_TODAY else "jifang test clock: real"
    return [f"jifang test database: {TEST_DATABASE_URL or 'SQLite (fresh file per test)'}", today]


def beijing(day: str | dt.date, at: str = "10:00") -> dt.datetime:
    """A moment in Beijing time: beijing("2026-11-30") is that Monday at 10:00 CST."""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(day, dt.time.fromisoformat(at), tzinfo=BEIJING)


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Travel to the test's `today` marker, else to JIFANG_TEST_TODAY, else leave the clock alone.

    Autouse, so it starts before the app, the live server thread and the browser page are made: all of
    them (and the code under test) see the same date. The clock ticks, so durations still pass."""
    marker = request.node.get_closest_marker("today")
    if marker is not None:
        when = beijing(*marker.args, **marker.kwargs)
    elif TEST_TODAY:
        when = beijing(TEST_TODAY)
    else:
        yield None
        return
    with time_machine.travel(when, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def _server_database():
    """With a server database: a schema of this test run's own inside it (so parallel runs never touch
    each other's tables), created once and dropped at the end; tables are emptied after each test."""
    if not TEST_DATABASE_URL:
        yield None
        return
    engine = create_engine(TEST_DATABASE_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"test database {TEST_DATABASE_URL} is unreachable: {exc}", returncode=3)
    schema = f"jifang_test_{os.getpid()}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


def make_app(tmp_path: Path, database_url: str | None, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "PASSWORD_HASH": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "JIFANG_JURISDICTION": "liaoning",
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.fixture
def app_config():
    """Override per test module: e.g. {"JIFANG_JURISDICTION": "qinhuangdao"}."""
    return {}


@pytest.fixture
def app(tmp_path, _server_database, app_config):
    app = make_app(tmp_path, _server_database, **app_config)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        if _server_database:
            tables = ", ".join(f'"{t.name}"' for t in reversed(_db.metadata.sorted_tables))
            with _db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for engine in _db.engines.values():  # the roster's head reader too, on PostgreSQL
            engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    return Factory(app)


@pytest.fixture
def login_as(app, factory):
    """login_as("city_clerk") -> (client, user): a fresh client logged in with a new account of that role."""

    def _login(role: str, **kwargs):
        user = factory.user(role, **kwargs)
        client = app.test_client()
        login(client, user)
        return client, user

    return _login

"""Production serving (issue 15, point 1): /healthz for a load balancer, one log line per request with its
id, errors logged with their traceback but never shown, and proxy headers believed only when configured."""

from __future__ import annotations

import io
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app import serving
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def log_lines(caplog):
    """The log as the server writes it (app/serving.py's format), one string per line."""
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = serving.log_handler(stream)
    logging.getLogger().addHandler(handler)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        logging.getLogger().removeHandler(handler)


def test_healthz_answers_ok_when_the_database_answers(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_without_the_reason_when_the_database_is_down(tmp_path, log_lines):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite'}")
    with app.app_context():
        answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "sqlite" not in answer.get_data(as_text=True).lower()
    assert any("health check" in line and "WARNING" in line for line in log_lines())


def test_each_request_is_logged_once_with_its_id_level_status_and_duration(client, log_lines):
    answer = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert answer.headers["X-Request-ID"] == "lb-7f3a.42"
    lines = [line for line in log_lines() if "jifang.request" in line]
    assert len(lines) == 1
    assert re.search(r" INFO jifang\.request \[lb-7f3a\.42\] \S+ GET /healthz 200 \d+\.\dms$", lines[0])


def test_a_request_id_that_could_forge_log_lines_is_replaced(client, log_lines):
    answer = client.get("/healthz", headers={"X-Request-ID": "x] 500 GET /admin\tforged"})
    new_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", new_id)
    assert not any("forged" in line for line in log_lines())
    assert client.get("/healthz").headers["X-Request-ID"] != new_id  # a new id per request


def test_an_error_is_logged_with_its_traceback_and_never_shown(tmp_path, _server_database, log_lines):
    from app.extensions import db

    app = make_app(tmp_path, _server_database)

    def explode():
        raise RuntimeError("secret internals at /srv/jifang/app.py")

    explode.allowed_roles = ("public",)
    app.add_url_rule("/explode", "explode", explode)
    with app.app_context():
        answer = app.test_client().get("/explode")
        for engine in db.engines.values():  # the roster's head reader too (PostgreSQL)
            engine.dispose()
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "secret internals" not in body and "Traceback" not in body and "RuntimeError" not in body
    request_id = answer.headers["X-Request-ID"]
    log = "\n".join(log_lines())
    assert f"ERROR app [{request_id}] unhandled error" in log
    assert "Traceback (most recent call last)" in log and "RuntimeError: secret internals" in log
    assert re.search(rf"ERROR jifang\.request \[{request_id}\] \S+ GET /explode 500 ", log)


@pytest.fixture
def login_limit_app(app, tmp_path, _server_database):
    """A second app on the test's database whose log-in form allows 2 posts per minute per address."""
    from app.extensions import db, limiter

    made = []

    def make(**config):
        other = make_app(tmp_path, _server_database, LOGIN_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False,
                         **config)
        made.append(other)
        limiter.reset()
        return other

    yield make
    for other in made:
        with other.app_context():
            for engine in db.engines.values():  # the roster's head reader too (PostgreSQL)
                engine.dispose()


def _throttled_after_three(client, address):
    headers = {"X-Forwarded-For": address}
    codes = [client.post("/auth/login", data={"username": "nobody", "password": "x"}, headers=headers).status_code
             for _ in range(3)]
    return codes[-1] == 429


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_throttle(login_limit_app):
    other = login_limit_app()
    client = other.test_client()
    assert _throttled_after_three(client, "203.0.113.1")
    assert client.post("/auth/login", data={"username": "nobody", "password": "x"},
                       headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 429


def test_behind_one_trusted_proxy_each_client_address_is_throttled_on_its_own(login_limit_app, log_lines):
    other = login_limit_app(TRUSTED_PROXIES="1")
    client = other.test_client()
    assert _throttled_after_three(client, "203.0.113.1")
    assert client.post("/auth/login", data={"username": "nobody", "password": "x"},
                       headers={"X-Forwarded-For": "203.0.113.2"}).status_code != 429
    assert any(" 203.0.113.2 POST /auth/login " in line for line in log_lines())


def test_a_malformed_trusted_proxies_setting_refuses_to_start(tmp_path):
    from app.config import UnsafeConfiguration

    with pytest.raises(UnsafeConfiguration, match="JIFANG_TRUSTED_PROXIES"):
        make_app(tmp_path, None, TRUSTED_PROXIES="two")


def test_gunicorn_loads_the_app_factory(tmp_path):
    """The command ./run demo and the README use: gunicorn imports 'app:create_app()' and checks the config."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    done = subprocess.run([gunicorn, "--check-config", "app:create_app()"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}",
                               "JIFANG_UPLOAD_FOLDER": str(tmp_path), "JIFANG_PUBLIC_URL": "http://127.0.0.1:5000"})
    assert done.returncode == 0, done.stderr

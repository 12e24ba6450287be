"""Roles on every route, refusals per role, security headers, CSRF, sessions."""

from pathlib import Path

import pytest

from app.security import declared_roles
from tests.support import page_text, parse, post_form

ROLES = ("firm", "city_clerk", "provincial_clerk", "admin")


def test_every_route_declares_its_roles(app):
    missing = [
        rule.endpoint for rule in app.url_map.iter_rules() if declared_roles(app, rule.endpoint) is None
    ]
    assert missing == [], f"routes without a role declaration: {missing}"


def _build(app, rule) -> str:
    """A URL for the rule with placeholder values: the role check answers before any lookup happens."""
    from werkzeug.routing import FloatConverter, IntegerConverter

    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if isinstance(converter, IntegerConverter | FloatConverter) else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _guarded_routes(app, method: str):
    """(url, roles) for every non-public route answering `method`, parameters filled with placeholders."""
    for rule in app.url_map.iter_rules():
        roles = declared_roles(app, rule.endpoint)
        if "public" in roles or method not in rule.methods:
            continue
        yield _build(app, rule), set(roles)


def _guarded_get_routes(app):
    return _guarded_routes(app, "GET")


def test_anonymous_is_sent_to_login_for_every_guarded_page(app, client):
    routes = list(_guarded_get_routes(app))
    assert routes, "expected some guarded pages"
    for path, _roles in routes:
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 302, path
            assert "/auth/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_where_it_does_not_belong(app, login_as, role):
    client, _user = login_as(role)
    checked = 0
    for path, roles in _guarded_get_routes(app):
        response = client.get(path)
        if role in roles:
            assert response.status_code != 403, f"{role} refused on its own page {path}"
        else:
            assert response.status_code == 403, f"{role} admitted to {path}"
            checked += 1
    # every role is refused somewhere (the admin-only and clerk-only pages exist)
    assert checked > 0 or role == "admin"


@pytest.mark.parametrize("role", (None, *ROLES))
def test_every_post_route_refuses_the_wrong_role_before_anything_else(app, login_as, role):
    """POSTs without a CSRF token: a stranger is sent to log in, a wrong role gets 403 (never 400)."""
    if role is None:
        client = app.test_client()
    else:
        client, _user = login_as(role)
    for path, roles in _guarded_routes(app, "POST"):
        response = client.post(path)
        if role is None:
            assert response.status_code in (302, 401), path
        elif role not in roles:
            assert response.status_code == 403, f"{role} admitted to POST {path}"
        else:
            assert response.status_code != 403, f"{role} refused on its own POST {path}"


def test_undeclared_route_is_refused(app):
    @app.route("/undeclared-test-route")
    def undeclared():
        return "secret"

    assert app.test_client().get("/undeclared-test-route").status_code == 403


def test_security_headers_on_every_response(client):
    for path in ("/", "/auth/login", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script_or_style(client):
    page = parse(client.get("/auth/login"))
    assert not [script for script in page.find_all("script") if not script.get("src") or script.get_text().strip()]
    assert not page.select("[style]") and not page.find_all("style")
    assert not [(tag.name, name) for tag in page.find_all(True) for name in tag.attrs if name.startswith("on")]


def test_form_post_without_csrf_token_is_refused(client, factory):
    user = factory.user("admin")
    response = client.post("/auth/login", data={"username": user.username, "password": "test-pass-123"})
    assert response.status_code == 400
    assert "CSRF" in page_text(response)


def test_logout_needs_a_post_with_token(app, login_as):
    client, _user = login_as("firm")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no token
    response = post_form(client, "/auth/logout", {}, token_from="/")
    assert response.status_code == 302
    assert client.get("/auth/login").status_code == 200


def test_sessions_expire(app, login_as):
    client, _user = login_as("admin")
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600
    with client.session_transaction() as sess:
        assert sess.permanent
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
    assert cookie.http_only


def test_login_next_never_leaves_the_site(client, factory):
    user = factory.user("admin")
    response = post_form(
        client, "/auth/login?next=//evil.example/x", {"username": user.username, "password": "test-pass-123"}
    )
    assert response.headers["Location"] == "/"


def test_hooks_with_nothing_to_do_are_not_run_and_the_others_still_are(app, monkeypatch):
    """app/extensions.py skips three extensions' per-request hooks when they have nothing to do: the limiter's
    check for an unthrottled view, Flask-WTF's check for a safe method, Flask-Login's remember-cookie hook
    without a mark. A skipped hook is never called; the limiter's and Flask-WTF's still run where they have
    work (the remember-cookie hook's work, a "remember me" log-in, this app does not offer)."""
    from flask_login import LoginManager
    from flask_wtf import csrf as wtf_csrf

    from app.extensions import db, limiter

    calls = []
    real_limit = type(limiter)._check_request_limit
    monkeypatch.setattr(type(limiter), "_check_request_limit",
                        lambda self, *a, **k: calls.append("limit") or real_limit(self, *a, **k))
    real_protect = wtf_csrf.CSRFProtect.protect
    monkeypatch.setattr(wtf_csrf.CSRFProtect, "protect",
                        lambda self, *a, **k: calls.append("csrf") or real_protect(self, *a, **k))
    real_remember = LoginManager._update_remember_cookie
    monkeypatch.setattr(LoginManager, "_update_remember_cookie",
                        lambda self, response: calls.append("remember") or real_remember(self, response))
    # Hooks were installed when the app was built: a fresh app picks up the counting versions.
    from tests.conftest import make_app

    fresh = make_app(Path(app.instance_path), app.config["SQLALCHEMY_DATABASE_URI"])
    client = fresh.test_client(use_cookies=False)
    assert client.get("/roster").status_code == 200  # unthrottled, a GET, nothing to remember
    assert client.post("/api/v1/penalties/calculate", json={"jurisdiction": "liaoning", "violation": "liaoning-35",
                                                           "party": "unit", "act_date": "2024-06-01"}).status_code == 200
    assert calls == ["csrf"]  # the POST is checked (and found exempt); nothing else ran
    calls.clear()
    assert client.get("/auth/login").status_code == 200  # throttled view
    assert calls and set(calls) == {"limit"}  # its check (the view's own limit asks it once more)
    calls.clear()
    assert client.post("/auth/login", data={}).status_code == 400  # an unsafe method without a token
    assert "csrf" in calls
    with fresh.app_context():
        for engine in db.engines.values():
            engine.dispose()

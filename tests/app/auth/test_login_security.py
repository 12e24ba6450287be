"""Attacks on log-in and sessions (issue 9, defects 5, 6 and 7): each reproduces the attack and sees it refused."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from app.models import AuditEntry, User
from app.security import safe_next
from tests.support import PASSWORD, csrf_token, login, page_text, parse, post_form, switch_language

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 30, 10, tzinfo=BEIJING)


def _attempt(client, username, password, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return post_form(client, url, {"username": username, "password": password})


def _audit_count(db, action) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def _logged_in(client) -> bool:
    return client.get("/admin/account").status_code == 200


# --- defect 5: open redirect -------------------------------------------------------------------------


def test_login_next_with_a_tab_does_not_leave_the_site(client, factory):
    """The reported attack: the tab was dropped by the browser, turning /<TAB>/evil into //evil."""
    user = factory.user("admin")
    response = _attempt(client, user.username, PASSWORD, "/%09/evil.example/phish")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target",
    ["/%0d%0aSet-Cookie:%20x=1", "/%0a/evil.example", "/%7f/evil.example", "/%5c/evil.example",
     "%2f%2fevil.example", "https://evil.example/", "/%2f/evil.example", "javascript:alert(1)"],
)
def test_login_next_refuses_every_way_off_the_site(client, factory, target):
    user = factory.user("admin")
    response = _attempt(client, user.username, PASSWORD, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_next_follows_a_path_of_the_site(client, factory):
    user = factory.user("admin")
    response = _attempt(client, user.username, PASSWORD, "/admin/users")
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/\t/evil.example", "/\n", "\\\\evil.example"])
def test_language_switch_with_control_characters_answers_a_redirect_home(client, target):
    response = switch_language(client, {"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_safe_next_accepts_only_same_site_paths():
    assert safe_next("/roster/?q=a") == "/roster/?q=a"
    for bad in ("/\t/evil", "//evil", "/\\evil", "http://evil/", "/x\r\n", "evil", "", None, "/\x7f"):
        assert safe_next(bad) is None, repr(bad)


# --- defect 6: lockout, throttle, enumeration ---------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_even_against_the_right_one(client, db, factory):
    user = factory.user("city_clerk")
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        for _ in range(10):
            assert "用户名或密码不正确" in page_text(_attempt(client, user.username, "wrong-pass-1"))
        response = _attempt(client, user.username, PASSWORD)
        assert response.status_code == 200 and "用户名或密码不正确" in page_text(response)
        assert not _logged_in(client)
        clock.shift(dt.timedelta(minutes=14))
        assert _attempt(client, user.username, PASSWORD).status_code == 200
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        assert _attempt(client, user.username, PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None
    assert _audit_count(db, "login_failed") == 10
    assert _audit_count(db, "account_locked") == 1


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, factory):
    user = factory.user("firm")
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        for _ in range(9):
            _attempt(client, user.username, "wrong-pass-1")
        clock.shift(dt.timedelta(minutes=16))
        _attempt(client, user.username, "wrong-pass-1")
        assert _attempt(client, user.username, PASSWORD).status_code == 302


def test_concurrent_wrong_passwords_are_all_counted(app, db, factory):
    """Ten attempts at the same moment from ten browsers: each one counts, the account is locked once."""
    user = factory.user("city_clerk")
    username = user.username
    clients = [app.test_client() for _ in range(10)]
    tokens = [csrf_token(c, "/auth/login") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attack(client, token):
        with app.app_context():
            barrier.wait()
            response = client.post(
                "/auth/login", data={"username": username, "password": "wrong-pass-1", "csrf_token": token}
            )
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attack, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 10
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.failed_logins == 10 and stored.locked_until is not None
    assert _audit_count(db, "account_locked") == 1
    assert _attempt(app.test_client(), user.username, PASSWORD).status_code == 200  # locked


def test_log_in_posts_are_throttled_per_address_and_throttled_ones_write_nothing(client, db, factory):
    user = factory.user("firm")
    with time_machine.travel(MONDAY_10, tick=False):
        answers = [_attempt(client, user.username, "wrong-pass-1").status_code for _ in range(20)]
        assert answers == [200] * 20
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
        response = _attempt(client, user.username, "wrong-pass-1")
        assert response.status_code == 429
        assert "尝试过于频繁，请稍后再试" in page_text(response)
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    # audited: each failure of the known account until it locked, and the lock; not the locked attempts
    assert _audit_count(db, "login_failed") == 10 and _audit_count(db, "account_locked") == 1


def _answer_text(response) -> str:
    """The whole answer, parsed, but for what differs by design: the CSRF token and the username typed."""
    page = parse(response)
    for field in page.select('input[name="csrf_token"], input[name="username"]'):
        field.attrs.pop("value", None)
    return str(page)


def test_unknown_and_known_users_are_answered_alike_after_the_same_hash_check(client, factory, monkeypatch):
    from argon2 import PasswordHasher

    user = factory.user("city_clerk")
    checks: list[str] = []
    original = PasswordHasher.verify

    def counting_verify(self, stored, password):
        checks.append(stored)
        return original(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    known = _attempt(client, user.username, "wrong-pass-1")
    unknown = _attempt(client, "nobody-here", "wrong-pass-1")
    assert len(checks) == 2  # the unknown user's password is checked too (against a dummy hash)
    assert checks[1].startswith("$argon2id$")
    assert known.status_code == unknown.status_code == 200
    assert _answer_text(known) == _answer_text(unknown)


def test_inactive_account_reads_like_a_wrong_password(client, db, factory):
    user = factory.user("city_clerk")
    user.active = False
    db.session.commit()
    inactive = _attempt(client, user.username, PASSWORD)
    unknown = _attempt(client, "nobody-here", PASSWORD)
    assert _answer_text(inactive) == _answer_text(unknown)


# --- defect 7: sessions ------------------------------------------------------------------------------


def _copy_session(app, client):
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_no_longer_works(app, db, login_as):
    client, user = login_as("city_clerk")
    thief = _copy_session(app, client)
    assert _logged_in(thief)
    post_form(client, "/auth/logout", {}, token_from="/")
    response = thief.get("/admin/account")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert _audit_count(db, "logout") == 1


@pytest.mark.parametrize(
    ("role", "idle_ok", "idle_too_long"),
    [
        ("city_clerk", dt.timedelta(minutes=29), dt.timedelta(minutes=31)),
        ("admin", dt.timedelta(minutes=29), dt.timedelta(minutes=31)),
        ("firm", dt.timedelta(hours=1, minutes=59), dt.timedelta(hours=2, minutes=1)),
    ],
)
def test_idle_sessions_end(app, factory, role, idle_ok, idle_too_long):
    user = factory.user(role)
    client = app.test_client()
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        login(client, user)
        clock.shift(idle_ok)
        assert _logged_in(client)
        clock.shift(idle_too_long)
        response = client.get("/admin/account")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")
        assert "长时间未操作" in page_text(client.get(response.headers["Location"]))
        assert not _logged_in(client)


def test_a_busy_session_still_ends_twelve_hours_after_log_in(app, factory):
    user = factory.user("firm")
    client = app.test_client()
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        login(client, user)
        for _ in range(6):  # active every 1 h 50 min: never idle, 11 h in all
            clock.shift(dt.timedelta(hours=1, minutes=50))
            assert _logged_in(client)
        clock.shift(dt.timedelta(hours=1, minutes=1))  # 12 h 1 min after log-in
        response = client.get("/admin/account")
        assert response.status_code == 302
        assert "12小时" in page_text(client.get(response.headers["Location"]))


def test_staff_session_ends_after_twelve_hours_and_one_minute(app, factory):
    user = factory.user("provincial_clerk")
    client = app.test_client()
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        login(client, user)
        for _ in range(27):  # every 26 minutes: 11 h 42 min
            clock.shift(dt.timedelta(minutes=26))
            assert _logged_in(client)
        clock.shift(dt.timedelta(minutes=19))  # 12 h 1 min
        assert not _logged_in(client)


def test_session_cookie_lives_at_most_twelve_hours(app, login_as):
    client, _user = login_as("admin")
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)
    cookie = client.get_cookie("session")
    assert cookie.expires is not None and cookie.http_only


def test_an_ended_session_does_not_break_the_public_api(app, login_as):
    client, _user = login_as("firm")
    thief = _copy_session(app, client)
    post_form(client, "/auth/logout", {}, token_from="/")
    assert thief.get("/api/v1/openapi.json").status_code == 200
    assert not _logged_in(thief)

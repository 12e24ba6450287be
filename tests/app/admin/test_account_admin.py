"""Passwords, account administration and second factors (issue 9, defect 8)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from app.models import AuditEntry, User
from app.passwords import password_problem
from tests.support import PASSWORD, login, page_text, parse, post_form

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY_10 = dt.datetime(2026, 11, 30, 10, tzinfo=BEIJING)
NEW_PASSWORD = "lantern-otter-4417"


def _actions(db, user=None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if user is not None:
        query = query.where(AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id))
    return list(db.session.scalars(query))


def _one_time_password(response) -> str:
    shown = parse(response).find("code", id="one-time-password")
    assert shown, response.get_data(as_text=True)[:800]
    return page_text(shown)


def _log_in(client, username, password, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return post_form(client, url, {"username": username, "password": password})


def _change_password(client, current, new=NEW_PASSWORD, confirm=None):
    return post_form(
        client, "/auth/password", {"current": current, "password": new, "confirm": confirm or new}
    )


# --- password strength -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "inputs"),
    [("password123", ()), ("aaaaaaaaa1", ()), ("qwertyuiop1", ()), ("wangfang2026", ("wangfang2026",)),
     ("xx-wangfang-77", ("wangfang",))],
)
def test_weak_passwords_are_refused(password, inputs):
    assert password_problem(password, user_inputs=inputs) is not None


def test_a_long_unusual_password_is_accepted_and_the_old_call_still_works():
    assert password_problem(NEW_PASSWORD, user_inputs=("li", "李明")) is None
    assert password_problem("short") == "密码至少需要10个字符"


@pytest.mark.parametrize("password", ["password123", "aaaaaaaaa1", "xiaoming2026"])
def test_create_user_refuses_weak_admin_passwords(runner, db, password):
    result = runner.invoke(
        args=["create-user", "--username", "xiaoming2026", "--role", "admin", "--password", password]
    )
    assert result.exit_code == 2, result.output
    assert db.session.scalar(select(User.id)) is None


def test_with_totp_required_a_cli_made_admin_changes_its_password_then_enrols(app, runner, db):
    app.config["REQUIRE_TOTP"] = True
    result = runner.invoke(args=["create-user", "--username", "root", "--role", "admin", "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert _log_in(client, "root", NEW_PASSWORD).status_code == 302
    assert client.get("/admin/users").headers["Location"] == "/auth/password"


@pytest.mark.parametrize("password", ["password123", "aaaaaaaaa1", "sy_anfang2026"])
def test_firm_sign_up_refuses_weak_passwords(client, factory, password):
    data = {
        "firm_name": "沈阳安防科技有限公司", "credit_code": factory.credit_code("210102"),
        "username": "sy_anfang2026", "password": password, "confirm": password,
    }
    response = post_form(client, "/auth/register", data)
    assert response.status_code == 200
    text = page_text(response)
    assert "密码太容易被猜到" in text or "密码不能包含用户名或名称" in text


# --- change one's own password -----------------------------------------------------------------------


def test_everyone_changes_their_password_and_other_sessions_end(app, db, factory):
    user = factory.user("firm")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    assert "当前密码不正确" in page_text(_change_password(here, "not-my-pass-1"))
    assert "密码太容易被猜到" in page_text(_change_password(here, PASSWORD, "password123"))
    response = _change_password(here, PASSWORD)
    assert response.status_code == 302
    assert here.get("/admin/account").status_code == 200  # this session continues
    assert elsewhere.get("/admin/account").status_code == 302  # the other one ended
    fresh = app.test_client()
    assert _log_in(fresh, user.username, PASSWORD).status_code == 200
    assert _log_in(fresh, user.username, NEW_PASSWORD).status_code == 302
    assert "change_password" in _actions(db, user)


# --- account administration --------------------------------------------------------------------------


def _create_clerk(admin_client, username="li_ming", role="city_clerk", authority="210200"):
    return post_form(
        admin_client, "/admin/users/new",
        {"username": username, "display_name": "李明", "role": role, "authority_code": authority},
    )


def test_admin_creates_a_clerk_who_must_change_the_one_time_password_first(app, db, login_as):
    admin_client, admin = login_as("admin")
    response = _create_clerk(admin_client)
    assert response.status_code == 200
    password = _one_time_password(response)
    clerk = db.session.scalar(select(User).where(User.username == "li_ming"))
    assert clerk.role == "city_clerk" and clerk.authority_code == "210200" and clerk.must_change_password
    assert password not in str(db.session.scalars(select(AuditEntry.detail)).all())

    client = app.test_client()
    assert _log_in(client, "li_ming", password).headers["Location"] == "/"
    for path in ("/", "/review/", "/admin/account"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/auth/password", path
    assert "一次性密码" in page_text(client.get("/auth/password"))
    assert _change_password(client, password).status_code == 302
    assert client.get("/admin/account").status_code == 200
    db.session.refresh(clerk)
    assert not clerk.must_change_password
    assert _actions(db, clerk) == ["create_user", "login", "change_password"]


def test_a_clerk_is_bound_to_a_bureau_of_the_right_level(login_as, db):
    admin_client, _ = login_as("admin")
    text = page_text(_create_clerk(admin_client, role="provincial_clerk", authority="210200"))
    assert "省级工作人员须属于省级公安机关" in text
    text = page_text(_create_clerk(admin_client, role="city_clerk", authority=""))
    assert "工作人员须属于本辖区的一个公安机关" in text
    _create_clerk(admin_client, role="city_clerk", authority="110000")
    assert db.session.scalar(select(User).where(User.username == "li_ming")) is None


def test_admin_changes_role_and_bureau_and_the_clerk_is_logged_out(app, db, login_as, factory):
    admin_client, _ = login_as("admin")
    clerk = factory.user("city_clerk")
    clerk_client = app.test_client()
    login(clerk_client, clerk)
    response = post_form(
        admin_client, f"/admin/users/{clerk.id}/role", {"role": "city_clerk", "authority_code": "210300"},
        token_from=f"/admin/users/{clerk.id}",
    )
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert clerk.authority_code == "210300"
    assert clerk_client.get("/review/").status_code == 302
    assert "change_user_role" in _actions(db, clerk)


def test_deactivation_needs_confirmation_and_ends_the_sessions(app, db, login_as, factory):
    admin_client, _ = login_as("admin")
    clerk = factory.user("city_clerk")
    clerk_client = app.test_client()
    login(clerk_client, clerk)
    page = admin_client.get(f"/admin/users/{clerk.id}/deactivate")
    assert "停用账号" in page_text(page)
    db.session.refresh(clerk)
    assert clerk.active  # asking is not doing
    assert admin_client.post(f"/admin/users/{clerk.id}/deactivate").status_code == 400  # no CSRF token
    response = post_form(admin_client, f"/admin/users/{clerk.id}/deactivate", {})
    assert response.status_code == 302
    db.session.refresh(clerk)
    assert not clerk.active
    assert clerk_client.get("/review/").status_code == 302
    assert _log_in(app.test_client(), clerk.username, PASSWORD).status_code == 200
    post_form(admin_client, f"/admin/users/{clerk.id}/reactivate", {}, token_from=f"/admin/users/{clerk.id}")
    assert _log_in(app.test_client(), clerk.username, PASSWORD).status_code == 302
    assert _actions(db, clerk)[-3:] == ["admin_deactivate", "admin_reactivate", "login"]


def test_reset_gives_a_one_time_password_and_ends_the_old_one(app, db, login_as, factory):
    admin_client, _ = login_as("admin")
    clerk = factory.user("city_clerk")
    clerk_client = app.test_client()
    login(clerk_client, clerk)
    password = _one_time_password(post_form(admin_client, f"/admin/users/{clerk.id}/reset", {}))
    assert clerk_client.get("/review/").status_code == 302
    assert _log_in(app.test_client(), clerk.username, PASSWORD).status_code == 200
    fresh = app.test_client()
    _log_in(fresh, clerk.username, password)
    assert fresh.get("/review/").headers["Location"] == "/auth/password"
    assert "admin_reset" in _actions(db, clerk)


def test_an_admin_cannot_deactivate_or_demote_themselves(db, login_as):
    admin_client, admin = login_as("admin")
    response = post_form(admin_client, f"/admin/users/{admin.id}/deactivate", {}, token_from="/admin/users")
    assert response.status_code == 302
    response = post_form(
        admin_client, f"/admin/users/{admin.id}/role", {"role": "city_clerk", "authority_code": "210100"},
        token_from="/admin/users",
    )
    assert response.status_code == 302
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"
    assert "不能" in page_text(admin_client.get(response.headers["Location"]))


def test_only_admins_administer_accounts(login_as, factory):
    clerk_client, _ = login_as("provincial_clerk")
    other = factory.user("city_clerk")
    assert clerk_client.get("/admin/users/new").status_code == 403
    assert post_form(clerk_client, f"/admin/users/{other.id}/reset", {}, token_from="/").status_code == 403
    admin_client, _ = login_as("admin")
    assert admin_client.get("/admin/users/99999").status_code == 404
    assert admin_client.get(f"/admin/users/{other.id}/no-such-action").status_code == 404


# --- second factor -----------------------------------------------------------------------------------


def _enrol(client) -> str:
    page = parse(client.get("/auth/totp"))
    secret = page_text(page.find("code", id="totp-secret"))
    assert re.fullmatch(r"[A-Z2-7]+", secret)
    assert any(page_text(code).startswith("otpauth://totp/") for code in page.select("code.wrap"))
    assert page.select_one("img[src]")["src"].startswith("data:image/svg+xml;base64,")
    assert post_form(client, "/auth/totp", {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}).status_code == 200
    assert post_form(client, "/auth/totp", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


def test_a_clerk_enrols_and_then_logs_in_with_a_code(app, db, factory):
    clerk = factory.user("city_clerk")
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        client = app.test_client()
        login(client, clerk)
        secret = _enrol(client)
        db.session.refresh(clerk)
        assert clerk.totp_secret == secret
        clock.shift(dt.timedelta(seconds=30))  # the code used to enrol is spent: the next one logs in
        fresh = app.test_client()
        response = _log_in(fresh, clerk.username, PASSWORD, "/review/")
        assert response.headers["Location"] == "/auth/login/code"
        assert fresh.get("/review/").status_code == 302  # not logged in before the code
        assert "动态口令不正确" in page_text(post_form(fresh, "/auth/login/code", {"code": "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"}))
        response = post_form(fresh, "/auth/login/code", {"code": pyotp.TOTP(secret).now()})
        assert response.headers["Location"] == "/review/"
        assert fresh.get("/review/").status_code == 200
    assert _actions(db, clerk).count("totp_enrolled") == 1


def test_a_code_is_accepted_only_once(app, db, factory):
    """Replaying a code seen over a shoulder (or a captured request) within its 30 seconds is refused."""
    clerk = factory.user("provincial_clerk")
    clerk.totp_secret = pyotp.random_base32()
    db.session.commit()
    with time_machine.travel(MONDAY_10, tick=False) as clock:
        code = pyotp.TOTP(clerk.totp_secret).now()
        first, second = app.test_client(), app.test_client()
        _log_in(first, clerk.username, PASSWORD)
        assert post_form(first, "/auth/login/code", {"code": code}).status_code == 302
        _log_in(second, clerk.username, PASSWORD)
        clock.shift(dt.timedelta(seconds=20))
        response = post_form(second, "/auth/login/code", {"code": code})
        assert "动态口令不正确" in page_text(response)
        clock.shift(dt.timedelta(seconds=15))
        response = post_form(second, "/auth/login/code", {"code": pyotp.TOTP(clerk.totp_secret).now()})
        assert response.status_code == 302


def test_wrong_codes_count_toward_the_lock(app, db, factory):
    clerk = factory.user("admin")
    clerk.totp_secret = pyotp.random_base32()
    db.session.commit()
    wrong = "000000" if pyotp.TOTP(clerk.totp_secret).at(MONDAY_10) != "000000" else "111111"
    with time_machine.travel(MONDAY_10, tick=False):
        client = app.test_client()
        _log_in(client, clerk.username, PASSWORD)
        for _ in range(9):
            assert post_form(client, "/auth/login/code", {"code": wrong}).status_code == 200
        response = post_form(client, "/auth/login/code", {"code": wrong})
        assert response.headers["Location"] == "/auth/login"
        db.session.refresh(clerk)
        assert clerk.locked_until is not None
        assert _log_in(app.test_client(), clerk.username, PASSWORD).status_code == 200  # locked


def test_required_second_factor_refuses_staff_without_one(app, db, factory):
    app.config["REQUIRE_TOTP"] = True
    clerk = factory.user("city_clerk")
    firm = factory.user("firm")
    response = _log_in(app.test_client(), clerk.username, PASSWORD)
    assert response.status_code == 200 and "尚未设置" in page_text(response)
    assert _log_in(app.test_client(), firm.username, PASSWORD).status_code == 302  # firms: password only
    with time_machine.travel(MONDAY_10, tick=False):
        clerk.totp_secret = pyotp.random_base32()
        db.session.commit()
        client = app.test_client()
        assert _log_in(client, clerk.username, PASSWORD).headers["Location"] == "/auth/login/code"
        post_form(client, "/auth/login/code", {"code": pyotp.TOTP(clerk.totp_secret).now()})
        assert client.get("/review/").status_code == 200


def test_with_one_time_password_a_new_clerk_changes_it_then_must_enrol(app, db, login_as):
    admin_client, _ = login_as("admin")
    app.config["REQUIRE_TOTP"] = True  # the admin enrolled before: its session predates the setting
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    admin.totp_secret = pyotp.random_base32()
    db.session.commit()
    password = _one_time_password(_create_clerk(admin_client))
    with time_machine.travel(MONDAY_10, tick=False):
        client = app.test_client()
        assert _log_in(client, "li_ming", password).status_code == 302
        assert client.get("/review/").headers["Location"] == "/auth/password"
        assert _change_password(client, password).headers["Location"] == "/auth/totp"
        assert client.get("/review/").headers["Location"] == "/auth/totp"
        _enrol(client)
        assert client.get("/review/").status_code == 200


def test_admin_clears_a_second_factor(app, db, login_as, factory):
    admin_client, _ = login_as("admin")
    clerk = factory.user("city_clerk")
    clerk.totp_secret = pyotp.random_base32()
    db.session.commit()
    post_form(admin_client, f"/admin/users/{clerk.id}/clear_totp", {})
    db.session.refresh(clerk)
    assert clerk.totp_secret is None
    assert "admin_clear_totp" in _actions(db, clerk)

"""An admin creates a clerk in the browser; the clerk must change the one-time password first; with the
second factor required, a clerk without one is refused and one with it gets in (issue 9, defect 8)."""

from __future__ import annotations

import pyotp
import pytest

from tests.support import PASSWORD

NEW_PASSWORD = "harbour-quince-5821"


def _log_in(page, username: str, password: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def _log_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    assert "您已退出登录" in page.inner_text("main")


@pytest.mark.today("2026-11-30", at="10:00")
def test_admin_creates_a_clerk_who_changes_the_one_time_password(page, factory):
    factory.user("admin", "browser_admin")
    _log_in(page, "browser_admin", PASSWORD)
    page.get_by_role("link", name="账号", exact=True).click()
    page.get_by_role("link", name="新建工作人员账号").click()
    page.get_by_label("用户名").fill("dalian_clerk")
    page.get_by_label("姓名").fill("周大连")
    page.get_by_label("角色").select_option(label="市级公安机关工作人员")
    page.get_by_label("所属公安机关").select_option(label="大连市公安局")
    page.get_by_role("button", name="创建").click()
    assert page.get_by_role("heading", name="账号已创建").is_visible()
    one_time = page.locator("#one-time-password").inner_text()
    _log_out(page)

    _log_in(page, "dalian_clerk", one_time)
    assert page.get_by_role("heading", name="修改密码").is_visible()
    page.goto("/review/")  # nothing else opens before the password is changed
    assert page.get_by_role("heading", name="修改密码").is_visible()
    page.get_by_label("当前密码").fill(one_time)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    assert "密码已修改" in page.inner_text("main")
    assert "市级公安机关工作人员" in page.inner_text("header")
    _log_out(page)

    _log_in(page, "dalian_clerk", one_time)  # the one-time password is gone
    assert "用户名或密码不正确" in page.inner_text("main")


@pytest.mark.today("2026-11-30", at="10:00")
def test_with_the_second_factor_required_only_an_enrolled_clerk_gets_in(page, app, db, factory):
    app.config["REQUIRE_TOTP"] = True
    factory.user("city_clerk", "no_factor_clerk")
    enrolled = factory.user("city_clerk", "totp_clerk")
    secret = pyotp.random_base32()
    enrolled.totp_secret = secret
    db.session.commit()

    _log_in(page, "no_factor_clerk", PASSWORD)
    assert "尚未设置" in page.inner_text("main")
    page.goto("/review/")
    assert page.get_by_role("heading", name="登录").is_visible()

    _log_in(page, "totp_clerk", PASSWORD)
    assert page.get_by_role("heading", name="动态口令").is_visible()
    page.get_by_label("动态口令").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="验证").click()
    assert "市级公安机关工作人员" in page.inner_text("header")

"""A firm signs up, logs in and sees its home page; a wrong credit code is named on the form."""

from tests.support import PASSWORD


def test_firm_signs_up_and_logs_in(page, factory):
    code = factory.credit_code("210102")
    page.goto("/auth/register")
    page.get_by_label("单位名称").fill("浏览器安防有限公司")
    page.get_by_label("统一社会信用代码").fill(code[:-1] + ("0" if code[-1] != "0" else "1"))
    page.get_by_label("用户名").fill("browserfirm")
    page.get_by_label("密码", exact=True).fill("browser-pass-2026")
    page.get_by_label("确认密码").fill("browser-pass-2026")
    page.get_by_role("button", name="注册").click()
    assert page.locator(".error-summary").is_visible()
    assert "统一社会信用代码校验位不正确" in page.locator(".error-summary").inner_text()

    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label("密码", exact=True).fill("browser-pass-2026")
    page.get_by_label("确认密码").fill("browser-pass-2026")
    page.get_by_role("button", name="注册").click()
    assert "注册成功" in page.inner_text("main")

    page.get_by_label("用户名").fill("browserfirm")
    page.get_by_label("密码").fill("browser-pass-2026")
    page.get_by_role("button", name="登录").click()
    main = page.inner_text("main")
    assert code in main and "尚未备案" in main


def test_clerk_logs_in_and_out(page, factory):
    clerk = factory.user("city_clerk", "clerk_browser")
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "市级公安机关工作人员" in page.inner_text("header")
    page.get_by_role("button", name="退出").click()
    assert "您已退出登录" in page.inner_text("main")

"""Issue 14 point 14 walked with a keyboard and read as a screen reader would: Enter in a filing field saves
the draft (it pressed "添加人员" and added an empty row), a refused submission moves the focus to the error
summary and says "有错误" in the title, the calculator's result takes the focus, and at 320 px wide (a phone)
the filing and review pages do not scroll sideways. axe-core checks every page on the way (conftest)."""

from __future__ import annotations

import pytest

from tests.app.filing_support import resident_id
from tests.support import PASSWORD


def _keyboard_log_in(page, username: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("用户名").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _enter(page)


def _enter(page) -> None:
    """Press Enter where the focus is and wait for the page it posts to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, cls: e.className, id: e.id, text: e.innerText || ''}; }""")


def test_a_keyboard_filing_enter_saves_the_draft_and_errors_take_the_focus(page, factory):
    firm = factory.firm("键盘备案安防有限公司", division="210102")
    factory.user("firm", "keyboard_filer", firm=firm)
    _keyboard_log_in(page, "keyboard_filer")
    page.get_by_role("link", name="本单位备案").first.focus()
    _enter(page)
    page.get_by_role("button", name="申请备案").focus()
    _enter(page)
    assert page.url.endswith("/edit")

    page.get_by_label("法定代表人").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("赵六")
    _enter(page)  # implicit submission: the draft is saved, no person is added
    assert "草稿已保存" in page.locator(".flash").inner_text()
    assert page.get_by_label("法定代表人").input_value() == "赵六"
    assert page.get_by_label("第2名人员姓名").count() == 0

    page.get_by_label("第1名人员姓名").focus()
    page.keyboard.type("周管理")
    page.keyboard.press("Tab")
    page.keyboard.type(resident_id(7))
    _enter(page)
    assert page.get_by_label("第1名人员姓名").input_value() == "周管理"
    assert page.get_by_label("第2名人员姓名").count() == 0
    assert not page.title().startswith("有错误")

    # Submitting with gaps: the title says so first and the focus is on the list of errors.
    page.get_by_role("button", name="提交审核").focus()
    _enter(page)
    assert page.title().startswith("有错误：")
    focused = _focused(page)
    assert "error-summary" in focused["cls"], focused
    assert "注册地址" in focused["text"]
    # Each error links to its field; following one moves there.
    page.keyboard.press("Tab")
    assert _focused(page)["tag"] == "A"


def test_the_calculators_result_takes_the_focus(page, factory):
    factory.user("city_clerk", "keyboard_calc")
    _keyboard_log_in(page, "keyboard_calc")
    page.goto("/penalties/calculator")
    page.get_by_label("违法行为（罚则条款）").select_option("liaoning-35")
    page.get_by_label("违法行为发生日期").fill("2024-06-01")
    page.get_by_label("违法所得（元）").focus()
    page.keyboard.type("5000")
    _enter(page)
    focused = _focused(page)
    assert focused["id"] == "result" and "计算结果" in focused["text"], focused
    assert page.locator("#result").evaluate("e => e.getBoundingClientRect().top") < page.viewport_size["height"]


@pytest.mark.today("2026-11-30")
def test_filing_and_review_pages_fit_a_320_px_phone(page, app, factory):
    from tests.app.filing_support import submitted_request

    firm = factory.firm("窄屏安防科技有限公司", division="210102")
    request, firm_user = submitted_request(app, factory, firm=firm, city_code="210100")
    factory.user("city_clerk", "narrow_clerk", authority_code="210100")
    page.set_viewport_size({"width": 320, "height": 720})

    def overflow(path: str) -> int:
        page.goto(path)
        return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")

    _keyboard_log_in(page, firm_user.username)
    assert overflow("/filings/") == 0
    assert overflow(f"/filings/{request.id}") == 0
    page.get_by_role("button", name="退出").click()
    _keyboard_log_in(page, "narrow_clerk")
    assert overflow(f"/review/{request.id}") == 0
    assert overflow("/review/") == 0
    assert overflow("/register/") == 0


def test_the_staff_table_fits_a_phone(page, factory):
    firm = factory.firm("手机填表安防有限公司", division="210102")
    factory.user("firm", "phone_filer", firm=firm)
    page.set_viewport_size({"width": 320, "height": 720})
    _keyboard_log_in(page, "phone_filer")
    page.goto("/filings/")
    page.get_by_role("button", name="申请备案").click()
    page.wait_for_url("**/edit")
    assert page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    name = page.get_by_label("第1名人员姓名")
    box = name.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert box["width"] >= 200  # a row is a card: each input takes the card's width
    staff = page.locator("#staff")
    assert staff.evaluate("e => e.scrollWidth <= e.clientWidth + 1")

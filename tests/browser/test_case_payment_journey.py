"""A served penalty decision in a real browser: a partial payment, the surcharge as of today, the rest, closing;
and an application to the people's court refused before the reminder's ten working days (行政强制法 art. 54)."""

from __future__ import annotations

import pytest

from tests.app.cases.test_case_payments import served_case
from tests.support import PASSWORD


def _login(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def _pay(page, receipt, day, amount):
    form = page.locator("#record-payment")
    form.get_by_label("银行收据（缴款书）编号").fill(receipt)
    form.get_by_label("缴款日期").fill(day)
    form.get_by_label("金额（元）").fill(amount)
    form.get_by_role("button", name="登记缴款").click()


@pytest.mark.today("2026-12-17")
def test_a_partial_payment_shows_the_surcharge_then_the_rest_is_paid_and_the_case_closed(page, browser, live_server,
                                                                                       factory):
    case_id = served_case("2026-11-30")  # 30,000 yuan, due 2026-12-15
    factory.user("city_clerk", "pay_clerk", authority_code="210100")
    clerk = _login(browser, live_server, "pay_clerk")
    clerk.goto(f"/cases/{case_id}")
    assert clerk.locator("#money-due").inner_text().startswith("2026年12月15日")
    assert clerk.locator("#money-surcharge").inner_text().startswith("1,800.00")  # two days at 3% of 30,000

    _pay(clerk, "ZH-0001", "2026-12-16", "10000")
    assert "已登记缴款" in clerk.locator(".flash").first.inner_text()
    # 12-16 on the 30,000 still unpaid that morning, 12-17 on the 20,000 left.
    assert clerk.locator("#money-surcharge").inner_text().startswith("1,500.00")
    assert clerk.locator("#money-unpaid").inner_text().startswith("20,000.00")
    assert clerk.locator("#money-outstanding").inner_text().startswith("21,500.00")

    clerk.locator("#step-close").get_by_label("我已核对以上内容，确认办理（办理后不能撤回）").check()
    clerk.locator("#step-close").get_by_role("button", name="结案").click()
    assert "尚欠罚款20,000.00元、加处罚款1,500.00元" in clerk.locator("body").inner_text()

    clerk.goto(f"/cases/{case_id}")
    _pay(clerk, "ZH-0002", "2026-12-17", "21,500.00")
    assert "已缴清" in clerk.locator("#money-outstanding").inner_text()
    assert clerk.locator("#payments tbody tr").count() == 2
    clerk.locator("#step-close").get_by_label("我已核对以上内容，确认办理（办理后不能撤回）").check()
    clerk.locator("#step-close").get_by_role("button", name="结案").click()
    assert "已结案" in clerk.locator("#state").inner_text()


@pytest.mark.today("2026-07-08")
def test_the_court_application_is_refused_before_the_reminder_period_ends(page, browser, live_server, factory):
    case_id = served_case("2026-01-05", fine_yuan=10000)
    factory.user("city_clerk", "court_clerk", authority_code="210100")
    clerk = _login(browser, live_server, "court_clerk")
    clerk.goto(f"/cases/{case_id}")
    reminder = clerk.locator("#step-serve_reminder")
    reminder.get_by_label("催告书送达日期").fill("2026-07-01")
    reminder.get_by_label("送达方式").select_option(label="直接送达")
    reminder.get_by_role("button", name="送达催告书").click()
    assert "已催告" in clerk.locator("#state").inner_text()

    court = clerk.locator("#step-apply_to_court")
    court.get_by_label("申请日期").fill("2026-07-08")
    court.get_by_label("受理申请的人民法院").fill("沈阳市和平区人民法院")
    court.get_by_label("我已核对以上内容，确认办理（办理后不能撤回）").check()
    court.get_by_role("button", name="申请人民法院强制执行").click()
    refusal = clerk.locator("#refusal").inner_text()
    assert "2026-07-16起方可申请" in refusal and "第五十四条" in refusal
    assert "已催告" in clerk.locator("#state").inner_text()

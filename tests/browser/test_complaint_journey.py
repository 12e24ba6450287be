"""A citizen's complaint in a real browser, through to the warning on /warnings and the mark on the roster;
the tracking page shows each status on the way (Liaoning art. 28, issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.app.complaint_support import PDF
from tests.support import PASSWORD

pytestmark = pytest.mark.today("2026-11-30")


@pytest.fixture
def app_config():
    return {"COMPLAINT_MIN_FILL_SECONDS": 1}


def _actor(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def _track(page, reference):
    page.goto("/complaints/track")
    page.get_by_label("投诉编号").fill(reference)
    page.get_by_label("投诉时填写的联系电话").fill("13800138000")
    page.get_by_role("button", name="查询").click()
    return page.locator("#complaint-state").inner_text()


def _act(page, url, action, comment=""):
    page.goto(url)
    page.get_by_label("办理", exact=True).select_option(label=action)
    if comment:
        page.get_by_label("理由和依据").fill(comment)
    page.get_by_role("button", name="办理", exact=True).click()


def test_a_complaint_becomes_a_warning_on_the_public_list_and_the_roster(page, browser, live_server, factory):
    firm = factory.firm("浏览器被投诉安防有限公司", filing_number="辽公技备〔2026〕210100-0099号", filing_status="in_force",
                        filed_on=dt.date(2026, 1, 5), filing_authority_code="210100")
    factory.user("firm", "journey_firm", firm=firm)
    factory.user("city_clerk", "journey_clerk_a", authority_code="210100")
    factory.user("city_clerk", "journey_clerk_b", authority_code="210100")

    # the citizen: no account
    page.goto("/")
    page.get_by_role("link", name="我要投诉").click()
    page.get_by_label("按单位名称或统一社会信用代码查找").fill("浏览器被投诉")
    page.get_by_role("button", name="查找").click()
    page.get_by_label(re.compile("浏览器被投诉安防有限公司")).check()
    page.get_by_label("投诉事项（发生了什么）").fill("报警系统安装后频繁误报，多次报修无人上门")
    page.get_by_label("发生地点").fill("沈阳市和平区某小区")
    page.get_by_label("发生地所在城市").select_option(label="沈阳市")
    page.get_by_label(re.compile("我是该单位服务的用户")).check()
    page.get_by_label("投诉人姓名").fill("孙投诉")
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_label(re.compile("证据材料")).set_input_files({"name": "照片.pdf", "mimeType": "application/pdf",
                                                              "buffer": PDF})
    page.wait_for_timeout(1200)  # a person takes longer than the form's minimum fill time
    page.get_by_role("button", name="提交投诉").click()
    reference = page.locator("#complaint-reference").inner_text()
    assert reference.startswith("TS2026-")
    assert _track(page, reference) == "已收到，等待分派"

    clerk_a = _actor(browser, live_server, "journey_clerk_a")
    clerk_a.get_by_role("link", name="投诉与警告").click()
    clerk_a.get_by_role("link", name=reference).click()
    complaint_url = clerk_a.url
    _act(clerk_a, complaint_url, "分派核查")
    assert _track(page, reference) == "已分派工作人员"
    clerk_a.get_by_label(re.compile("告知被投诉单位的投诉摘要")).fill("用户反映贵单位安装的报警系统频繁误报且报修无人处理。")
    clerk_a.get_by_role("button", name="保存摘要").click()
    _act(clerk_a, complaint_url, "开始核查")
    assert _track(page, reference) == "正在核查"

    firm_page = _actor(browser, live_server, "journey_firm")
    firm_page.goto("/complaints/firm")
    assert "孙投诉" not in firm_page.inner_text("main")
    firm_page.get_by_role("link", name=re.compile("正在核查")).click()
    firm_page.get_by_label("陈述、申辩").fill("我单位已安排回访")
    firm_page.get_by_role("button", name="提交").click()

    clerk_a.goto(complaint_url)
    clerk_a.get_by_label("办理", exact=True).select_option(label="查证属实")
    clerk_a.get_by_label("经核实，投诉人是该单位服务的用户").check()
    clerk_a.get_by_label("理由和依据").fill("经现场核查，误报属实")
    clerk_a.get_by_role("button", name="办理", exact=True).click()
    assert _track(page, reference) == "查证属实"

    clerk_a.goto("/complaints/warnings")
    clerk_a.get_by_role("link", name="浏览器被投诉安防有限公司").click()
    notice_url = clerk_a.url
    _act(clerk_a, notice_url, "告知单位")

    firm_page.goto("/complaints/firm")
    firm_page.get_by_role("link", name=re.compile("因服务受到用户投诉")).click()
    assert "行政复议" in firm_page.locator("#rights").inner_text()
    firm_page.get_by_label("陈述、申辩").fill("对列入警示名单无异议，正在整改")
    firm_page.get_by_role("button", name="提交").click()

    clerk_a.goto(notice_url)  # the drafter is not offered publication (a forged post is refused: app tests)
    assert "发布警示公告" not in clerk_a.get_by_label("办理", exact=True).inner_text()
    clerk_b = _actor(browser, live_server, "journey_clerk_b")
    _act(clerk_b, notice_url, "发布警示公告")
    assert "已发布警示公告" in clerk_b.locator("#state").inner_text()

    page.goto("/warnings")
    row = page.locator("tr", has_text="浏览器被投诉安防有限公司")
    assert firm.credit_code in row.inner_text() and "警示中" in row.inner_text()
    assert "孙投诉" not in page.inner_text("main") and "13800138000" not in page.inner_text("main")
    page.goto("/roster")
    page.locator("tr", has_text="浏览器被投诉安防有限公司").get_by_role("link", name="已列入警示名单").click()
    assert "列入警示名单" in page.locator("#notice-text").inner_text()

"""A penalty case in a real browser: a clerk opens it and investigates, proposes the fine and notifies the
party (who waives the hearing), the legal reviewer passes it, the bureau head decides, the clerk serves it."""

from __future__ import annotations

import pytest

from tests.app.case_support import PDF
from tests.support import PASSWORD

CONFIRM = "我已核对以上内容，确认办理（办理后不能撤回）"


def _login(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


@pytest.mark.today("2026-11-30")
def test_open_investigate_propose_notify_review_decide_serve(page, browser, live_server, factory, tmp_path):
    for role, name in (("city_clerk", "case_clerk"), ("legal_reviewer", "case_legal"), ("bureau_head", "case_head")):
        factory.user(role, name, authority_code="210100")
    evidence = tmp_path / "现场照片.pdf"
    evidence.write_bytes(PDF)

    clerk = _login(browser, live_server, "case_clerk")
    clerk.goto("/cases/")
    clerk.get_by_role("link", name="立案", exact=True).click()
    form = clerk.locator("#open-form")
    form.get_by_label("当事人名称或姓名").fill("沈阳某某物业管理有限公司")
    form.get_by_label("证件类型").select_option("credit_code")
    form.get_by_label("证件号码").fill("91210102MA0T00001G")
    form.get_by_label("住所或地址").fill("沈阳市和平区某路1号")
    form.get_by_label("违反的条款").select_option("liaoning-35#")
    form.get_by_label("违法行为日期").fill("2026-10-20")
    form.get_by_label("发现日期").fill("2026-10-28")
    form.get_by_label("违法事实").fill("当事人擅自复制并向他人提供小区监控录像资料。")
    form.get_by_label("证据材料（PDF、JPEG或PNG，每个不超过5 MB）").set_input_files(str(evidence))
    form.get_by_role("button", name="立案").click()
    assert "已立案：沈公（技）罚决字〔2026〕0001号" in clerk.locator(".flash").first.inner_text()
    assert "已立案" in clerk.locator("#state").inner_text()
    assert "现场照片.pdf" in clerk.locator("#evidence-list").inner_text()
    case_url = clerk.url

    clerk.locator("#step-investigate").get_by_role("button", name="开始调查取证").click()
    assert "调查取证中" in clerk.locator("#state").inner_text()
    propose = clerk.locator("#propose")
    propose.get_by_label("拟罚款数额（元）").fill("20000")
    propose.get_by_role("button", name="拟定处罚意见").click()
    assert "减轻处罚" in clerk.locator("#amount-error").inner_text()  # below the article's 30,000 yuan
    propose = clerk.locator("#propose")
    propose.get_by_label("拟罚款数额（元）").fill("30000")
    propose.get_by_role("button", name="拟定处罚意见").click()
    assert "罚款30,000元" in clerk.locator("#proposal").inner_text()
    assert "告知听证权利" in clerk.locator("#proposal").inner_text()

    notify = clerk.locator("#step-notify")
    notify.get_by_label("告知日期").fill("2026-11-30")
    notify.get_by_role("button", name="告知拟处罚内容及陈述、申辩（听证）权利").click()
    assert "2026年12月7日" in clerk.locator("body").inner_text()  # hearing may be requested until
    submit = clerk.locator("#step-submit_review")
    submit.get_by_label("当事人陈述、申辩的内容（未陈述申辩的写明）").fill("当事人书面放弃陈述、申辩和听证")
    submit.get_by_role("button", name="提交法制审核").click()
    assert "2026-12-07" in clerk.locator("#step-submit_review").inner_text()  # the window is still open
    submit = clerk.locator("#step-submit_review")
    submit.get_by_label("当事人陈述、申辩的内容（未陈述申辩的写明）").fill("当事人书面放弃陈述、申辩和听证")
    submit.get_by_label("当事人明确放弃听证").check()
    submit.get_by_role("button", name="提交法制审核").click()
    assert "法制审核中" in clerk.locator("#state").inner_text()

    legal = _login(browser, live_server, "case_legal")
    legal.goto(case_url)
    review = legal.locator("#step-pass_review")
    review.get_by_label("意见").fill("事实清楚，证据确凿，适用依据正确，程序合法")
    review.get_by_role("button", name="法制审核通过").click()
    assert "待负责人决定" in legal.locator("#state").inner_text()

    head = _login(browser, live_server, "case_head")
    head.goto("/")
    head.get_by_role("link", name="进入案件办理").click()
    head.locator("#waiting").get_by_role("link", name="沈公（技）罚决字〔2026〕0001号").click()
    decide = head.locator("#step-decide")
    assert "罚款30,000元" in decide.inner_text()
    decide.get_by_label("意见").fill("同意，罚款三万元")
    decide.get_by_role("button", name="作出行政处罚决定").click()
    assert head.locator("#decide-confirm-error").is_visible()  # asked to confirm first
    decide = head.locator("#step-decide")
    decide.get_by_label("意见").fill("同意，罚款三万元")
    decide.get_by_label(CONFIRM).check()
    decide.get_by_role("button", name="作出行政处罚决定").click()
    assert "已作出处罚决定" in head.locator("#state").inner_text()

    clerk.goto(case_url)
    serve = clerk.locator("#step-serve")
    serve.get_by_label("送达日期").fill("2026-11-30")
    serve.get_by_label("送达方式").select_option(label="直接送达")
    serve.get_by_label(CONFIRM).check()
    serve.get_by_role("button", name="送达处罚决定书").click()
    assert "已送达" in clerk.locator("#state").inner_text()
    assert "2026年11月30日，直接送达" in clerk.locator("#service").inner_text()
    timeline = clerk.locator("#timeline").inner_text()
    assert "北京时间" in timeline and "case_head" in timeline

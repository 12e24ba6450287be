"""Issue 14 point 7 in a browser: a city clerk finds an imported firm that has no filing number (visible
nowhere but the export before), filters the register, opens a filed firm's history and follows its filing
to the review page; another bureau's firm answers 404."""

from __future__ import annotations

from tests.support import PASSWORD


def test_a_clerk_searches_the_register_and_reads_a_firms_history(page, app, factory):
    from app.filings import service as filings
    from tests.app.filing_support import submitted_request

    imported = factory.firm("名册导入未备案安防有限公司", city_code="210100")
    filed = factory.firm("名册已备案监控工程有限公司", division="210102", city_code="210100")
    request, _ = submitted_request(app, factory, firm=filed, city_code="210100")
    clerk = factory.user("city_clerk", "register_walker", authority_code="210100")
    filings.decide(request, "approve", clerk, None)
    dalian = factory.firm("名册大连安防有限公司", city_code="210200")

    page.goto("/auth/login")
    page.get_by_label("用户名").fill("register_walker")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="单位名册").first.click()

    page.get_by_label("单位名称或统一社会信用代码").fill("导入未备案")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("table.register tbody tr")
    assert rows.count() == 1 and "未备案" in rows.first.inner_text()
    page.get_by_role("link", name=imported.name).click()
    assert "没有已提交的备案申请" in page.locator("table.history-filings").inner_text()
    page.get_by_role("link", name="← 单位名册").click()

    page.get_by_label("备案状态").select_option(label="已备案")
    page.get_by_role("button", name="查询").click()
    names = page.locator("table.register tbody td:first-child a").all_inner_texts()
    assert names == [filed.name]
    assert dalian.name not in page.inner_text("main")
    page.get_by_role("link", name=filed.name).click()
    assert filed.credit_code in page.locator("dd.credit-code").inner_text()
    history = page.locator("table.history-filings")
    assert filed.filing_number and filed.filing_number in history.inner_text()
    history.locator("a").first.click()
    assert page.url.endswith(f"/review/{request.id}")
    assert filed.name in page.inner_text("main")

    response = page.goto(f"/register/{dalian.id}")
    assert response is not None and response.status == 404

"""A clerk logs in and calculates a Liaoning art. 35 penalty in a real browser, without JavaScript of
the page's own: the GET form, the figures and the trace."""

from tests.support import PASSWORD


def test_clerk_calculates_a_liaoning_35_penalty(page, factory):
    clerk = factory.user("city_clerk", "calc_clerk")
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="处罚计算").click()

    assert page.get_by_label("辖区及法规").input_value() == "liaoning"
    page.get_by_label("违法行为（罚则条款）").select_option("liaoning-35")
    page.get_by_label("单位").check()
    page.get_by_label("违法行为发生日期").fill("2024-06-01")
    page.get_by_label("违法所得（元）").fill("5000")
    page.get_by_role("button", name="计算").click()

    result = page.locator("#result")
    assert "《辽宁省公共安全技术防范条例》第三十五条" in result.locator(".citation").inner_text()
    recommended = result.locator("td.recommended").all_inner_texts()
    assert recommended == ["30,000元", "15,000元"]
    assert "肆万伍仟元整" in result.locator("tr.fine-total").inner_text()
    steps = result.locator("ol.trace > li").all_inner_texts()
    assert len(steps) >= 6
    assert "对单位处30000元罚款" in " ".join(steps)
    assert "处违法所得3倍罚款" in " ".join(steps)
    assert "应当告知当事人有要求听证的权利" in result.inner_text()

    # an impossible date is named beside the field, and the answer goes away
    page.get_by_label("违法行为发生日期").fill("2014-12-31")
    page.get_by_role("button", name="计算").click()
    assert "早于《辽宁省公共安全技术防范条例》现行文本的施行日期" in page.locator(".has-error .error").inner_text()
    assert page.locator("#result").count() == 0

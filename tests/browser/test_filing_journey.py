"""A firm fills in and submits its filing in a real browser, a clerk approves it, the firm sees its number."""

from __future__ import annotations

import re

from tests.app.filing_support import PDF, resident_id
from tests.support import PASSWORD


def _log_in(page, username: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_firm_files_clerk_approves_firm_sees_its_number(page, browser, live_server, factory):
    firm = factory.firm("浏览器备案安防有限公司", division="210102")
    firm_user = factory.user("firm", "browser_filer", firm=firm)
    clerk = factory.user("city_clerk", "browser_clerk", authority_code="210100")
    assert firm_user and clerk

    _log_in(page, "browser_filer")
    page.get_by_role("link", name="本单位备案").first.click()
    page.get_by_role("button", name="申请备案").click()
    assert firm.credit_code in page.inner_text("main")

    page.get_by_label("法定代表人").fill("王五")
    page.get_by_label("注册地址").fill("沈阳市和平区浏览器路1号")
    page.get_by_label("经营场所地址").fill("沈阳市和平区浏览器路1号3楼")
    page.get_by_label("经营场所所在城市").select_option(label="沈阳市")
    page.get_by_label("联系人").fill("李四")
    page.get_by_label("联系电话").fill("024-88886666")
    page.get_by_label("设计").check()
    page.get_by_label("安装").check()
    page.get_by_label("第1名人员姓名").fill("周管理")
    page.get_by_label("第1名人员身份证号码").fill(resident_id(7)[:-1] + "0")  # a wrong check digit first
    page.get_by_label("第1名人员人员类别").select_option(label="管理人员")
    page.get_by_label("第1名人员培训证书编号").fill("JF-001")
    page.get_by_label("技术设备和场所").fill("视频监控调试台2套，办公场所150平方米")
    page.get_by_label("管理制度说明").fill("安全管理制度、岗位责任制度")
    page.get_by_role("button", name="添加人员").click()

    if resident_id(7)[-1] != "0":
        summary = page.locator(".error-summary").inner_text()
        assert "第1名人员身份证号码：身份证号码校验位不正确" in summary
    page.get_by_label("第1名人员身份证号码").fill(resident_id(7))
    page.get_by_role("button", name="添加人员").click()
    page.get_by_label("第2名人员姓名").fill("吴技术")
    page.get_by_label("第2名人员身份证号码").fill(resident_id(8))
    page.get_by_label("第2名人员人员类别").select_option(label="技术人员")
    page.get_by_label("第2名人员培训证书编号").fill("JF-002")  # Liaoning art. 16(2): trained staff
    page.get_by_label("营业执照").set_input_files({"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_label("安全管理和岗位责任制度").set_input_files(
        {"name": "制度.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="提交审核").click()
    assert "已提交审核" in page.inner_text("main")
    assert "审核中" in page.inner_text("main")
    # The firm has a receipt number to quote and the date by which the bureau should answer.
    assert re.search(r"210100-\d{8}-\d{6}", page.locator(".receipt-number").inner_text())
    assert "公安机关服务承诺" in page.locator(".answer-by").inner_text()

    clerk_context = browser.new_context(base_url=live_server, locale="zh-CN")
    clerk_page = clerk_context.new_page()
    clerk_page.set_default_timeout(10_000)
    _log_in(clerk_page, "browser_clerk")
    clerk_page.get_by_role("link", name="备案审核").first.click()
    clerk_page.get_by_role("link", name="浏览器备案安防有限公司").click()
    masked = resident_id(7)[:6] + "********" + resident_id(7)[-4:]
    assert masked in clerk_page.inner_text("main") and resident_id(7) not in clerk_page.inner_text("main")
    clerk_page.get_by_role("link", name="显示完整身份证号码").click()  # on asking, and audited
    assert resident_id(7) in clerk_page.inner_text("main")  # the clerk sees the full ID number
    # The filing comes first, the decision after it.
    main = clerk_page.inner_text("main")
    assert main.index("管理、技术人员") < main.index("审核决定")
    clerk_page.get_by_label("退回补正").check()
    clerk_page.get_by_label("审核意见").fill("请补充经营场所照片说明")
    clerk_page.get_by_role("button", name="提交决定").click()
    assert "已办理" in clerk_page.inner_text("main")
    # A returned request waits for the firm: listed so, not among the closed ones.
    awaiting = clerk_page.locator("table.awaiting")
    assert "浏览器备案安防有限公司" in awaiting.inner_text()
    main = clerk_page.locator("main").inner_text()
    assert "最近办结" not in main or "浏览器备案安防有限公司" not in main.split("最近办结", 1)[1]

    page.goto("/filings/")
    page.get_by_role("link", name="补正并重新提交").first.click()
    page.get_by_label("技术设备和场所").fill("视频监控调试台2套，办公场所150平方米（照片见附件）")
    page.get_by_label("补正说明（给审核人员）").fill("已补充场所说明")
    page.get_by_role("button", name="提交审核").click()
    assert "审核中" in page.inner_text("main")

    clerk_page.get_by_role("link", name="备案审核").first.click()
    clerk_page.locator("table.queue").get_by_role("link", name="浏览器备案安防有限公司").click()
    clerk_page.get_by_label("审核通过").check()
    clerk_page.get_by_label("审核意见").fill("材料齐全")
    clerk_page.get_by_role("button", name="提交决定").click()
    # Asked once more before the firm is filed and published.
    assert "确认审核决定" in clerk_page.inner_text("main")
    assert "系统即分配备案编号" in clerk_page.inner_text("main")
    clerk_page.get_by_role("button", name="确认通过").click()
    assert "已办理" in clerk_page.inner_text("main")
    clerk_context.close()

    page.goto("/filings/")
    number = re.search(r"辽公技备〔\d{4}〕210100-0001号", page.inner_text("main"))
    assert number, page.inner_text("main")
    assert page.get_by_role("link", name="下载备案证明（PDF）").is_visible()


def test_a_change_review_shows_before_and_after_and_the_replaced_material(page, browser, live_server, app, factory):
    """Issue 14 point 5: the clerk sees what a change changes, field by field, and the replaced licence."""
    from app.filings import service as filings
    from tests.app.filing_support import submitted_request

    firm = factory.firm("变更浏览器安防有限公司", division="210102")
    request, firm_user = submitted_request(app, factory, firm=firm, city_code="210100")
    clerk = factory.user("city_clerk", "browser_change_clerk", authority_code="210100")
    filings.decide(request, "approve", clerk, None)

    _log_in(page, firm_user.username)
    page.goto("/filings/")
    page.get_by_role("button", name="申请备案变更").click()
    page.get_by_label("法定代表人").fill("赵六")
    page.get_by_label("营业执照").set_input_files({"name": "换发营业执照.pdf", "mimeType": "application/pdf",
                                                 "buffer": PDF + b"%new"})
    page.get_by_label("变更事项说明").fill("法定代表人变更，营业执照换发")
    page.get_by_role("button", name="提交审核").click()
    assert "审核中" in page.inner_text("main")

    clerk_context = browser.new_context(base_url=live_server, locale="zh-CN")
    clerk_page = clerk_context.new_page()
    clerk_page.set_default_timeout(10_000)
    _log_in(clerk_page, "browser_change_clerk")
    clerk_page.get_by_role("link", name="备案审核").first.click()
    clerk_page.locator("table.queue").get_by_role("link", name="测试安防工程有限公司").click()
    changes = clerk_page.locator("#changes")
    assert "与现行备案相比的变更" in changes.inner_text()
    row = changes.locator("tr", has_text="法定代表人").inner_text()
    assert "王五" in row and "赵六" in row
    assert "换发营业执照.pdf" in changes.inner_text()
    earlier = changes.locator("a.earlier").first.get_attribute("href")
    assert clerk_page.request.get(earlier).status == 200  # the replaced licence is still there
    main = clerk_page.inner_text("main")
    assert main.index("与现行备案相比的变更") < main.index("审核决定")
    clerk_context.close()

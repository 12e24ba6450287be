"""A firm signs up, logs in and sees its home page; a wrong credit code is named on the form."""

from playwright.sync_api import expect

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
    assert "账号待核实" in main  # a firm not yet in the register: pending until its first filing is approved


def test_clerk_logs_in_and_out(page, factory):
    clerk = factory.user("city_clerk", "clerk_browser")
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert "市级公安机关工作人员" in page.inner_text("header")
    page.get_by_role("button", name="退出").click()
    assert "您已退出登录" in page.inner_text("main")


def test_a_bureau_hands_a_firm_a_claim_code_and_the_firm_claims_its_filing(page, factory, db):
    """A firm on the roster without an account: its bureau prints a claim code, the firm redeems it."""
    import re

    from app.models import User

    firm = factory.firm("名录安防有限公司", filing_number="辽公技防备字〔2025〕第7号", filing_status="in_force",
                        filing_authority_code="210100")
    clerk = factory.user("city_clerk", "claim_clerk", authority_code="210100")
    owner = factory.user("firm", "claim_owner", firm=None)
    owner.firm_id, owner.firm_binding = None, "pending"
    db.session.commit()

    def log_in(username):
        page.goto("/auth/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()

    log_in(clerk.username)
    page.goto("/accounts/")
    page.get_by_label("统一社会信用代码").fill(firm.credit_code)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="签发认领码").click()
    notice = page.inner_text("article.notice")
    assert "名录安防有限公司" in notice and firm.credit_code in notice and "北京时间" in notice
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", notice).group(0)
    page.emulate_media(media="print")
    # The printed notice is the notice alone (waited for: the print styles apply after the media switch).
    expect(page.locator("header.top")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="退出").click()

    log_in(owner.username)
    assert "绑定单位" in page.inner_text("main")
    page.goto("/accounts/bind")
    page.get_by_label("认领码").fill(code)
    page.get_by_role("button", name="认领", exact=True).click()
    assert "认领成功" in page.inner_text("main")
    assert "辽公技防备字〔2025〕第7号" in page.inner_text("main")
    db.session.expire_all()  # the live server wrote it in another session
    assert db.session.get(User, owner.id).firm_id == firm.id

"""The branches of a penalty case in a real browser, beside the main path (test_case_journey.py) and the money
after service (test_case_payment_journey.py): legal review sends the case back; the party asks for a hearing and
the clerk schedules it; the head decides not to penalise, or transfers the case to the judicial organs; a second
fine for one act is refused (行政处罚法 art. 29); and a head who investigated the case is not offered the decision.

The steps before a branch are posted through the test client (tests/app/case_support.py); only the branch's own
steps are clicked. The clock is pinned on Monday 2026-11-30 (Beijing).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.extensions import db
from app.models import PenaltyCase, User
from tests.app.case_support import Staff, open_case, propose, step, to_review
from tests.support import PASSWORD

pytestmark = pytest.mark.today("2026-11-30", at="10:00")
CONFIRM = "我已核对以上内容，确认办理（办理后不能撤回）"
PLACE = "沈阳市公安局第三会议室"


@pytest.fixture
def staff(app, factory):
    return Staff(app, factory)


def _login(browser, live_server, username):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    context.clock.install(time=dt.datetime.now(dt.UTC))  # the pinned day, as the live server sees it
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/auth/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def _case(case_id) -> PenaltyCase:
    db.session.expire_all()
    return db.session.get(PenaltyCase, case_id)


def _state(page) -> str:
    return page.locator("#state").inner_text()


def test_legal_review_sends_the_case_back_and_the_clerk_sees_why(page, browser, live_server, staff):
    case_id = open_case(staff.client("clerk"))
    to_review(staff, case_id)  # investigated, 30,000 yuan proposed, notified, hearing waived, submitted
    number = _case(case_id).case_number

    legal = _login(browser, live_server, staff.reviewer.username)
    legal.goto(f"/cases/{case_id}")
    assert "法制审核中" in _state(legal)
    back = legal.locator("#step-send_back")
    back.get_by_role("button", name="法制审核退回补充调查").click()
    assert "意见" in legal.locator("#step-send_back .error").inner_text()  # a reason is required
    assert "法制审核中" in _state(legal)
    back = legal.locator("#step-send_back")
    back.get_by_label("意见").fill("证据不足，补充调查监控录像的去向")
    back.get_by_role("button", name="法制审核退回补充调查").click()
    assert f"已办理：{number}（调查取证中）" in legal.locator(".flash").first.inner_text()

    clerk = _login(browser, live_server, staff.clerk.username)
    clerk.goto("/cases/")
    clerk.get_by_role("link", name=number).first.click()
    assert "调查取证中" in _state(clerk)
    assert "证据不足，补充调查监控录像的去向" in clerk.locator("dl.facts").inner_text()  # 法制审核意见
    assert clerk.locator("#propose").get_by_role("button", name="拟定处罚意见").is_visible()  # propose again
    last = clerk.locator("#timeline li").last.inner_text()
    assert staff.reviewer.username in last and "调查取证中" in last and "补充调查监控录像的去向" in last


def test_the_party_asks_for_a_hearing_and_the_clerk_schedules_it(page, browser, live_server, staff):
    clerk_client = staff.client("clerk")
    case_id = open_case(clerk_client)
    step(clerk_client, case_id, "investigate")
    propose(clerk_client, case_id, 30000)  # over the 10,000 yuan threshold for a unit: hearing offered
    step(clerk_client, case_id, "notify", day="2026-11-30")

    clerk = _login(browser, live_server, staff.clerk.username)
    clerk.goto(f"/cases/{case_id}")
    assert "告知听证权利" in clerk.locator("#proposal").inner_text()
    assert "2026年12月7日" in clerk.locator("dl.facts").inner_text()  # the request may be made until
    request = clerk.locator("#step-request_hearing")
    request.get_by_label("当事人申请听证的日期").fill("2026-11-30")
    request.get_by_role("button", name="当事人申请听证").click()
    assert "听证程序中" in _state(clerk)
    assert "尚未安排听证的时间和地点" in clerk.locator("#hearing").inner_text()
    assert "听证通知书" in clerk.locator("#document-hearing_notice").inner_text()

    schedule = clerk.locator("#schedule-hearing")
    schedule.get_by_label("听证日期").fill("2026-12-09")  # only six working days after today's notice
    schedule.get_by_label("听证开始时间（北京时间）").fill("09:30")
    schedule.get_by_label("听证地点").fill(PLACE)
    schedule.get_by_label("听证主持人").select_option(label=staff.clerk2.username)
    schedule.get_by_label("是否公开举行").select_option(label="公开举行")
    schedule.get_by_role("button", name="安排听证").click()
    error = clerk.locator("#hearing-day-error").inner_text()
    assert "2026-12-10" in error and "第六十四条" in error

    schedule = clerk.locator("#schedule-hearing")
    schedule.get_by_label("听证日期").fill("2026-12-10")
    schedule.get_by_role("button", name="安排听证").click()
    assert "已安排听证：2026-12-10 09:30，" + PLACE in clerk.locator(".flash").first.inner_text()
    assert PLACE in clerk.locator("#hearing-where").inner_text()
    assert "09:30" in clerk.locator("#hearing-when").inner_text()
    notice = clerk.locator("#document-hearing_notice")
    assert notice.get_by_role("link", name="PDF").get_attribute("href") == (
        f"/cases/{case_id}/documents/hearing_notice.pdf")
    assert "听证程序中" in clerk.locator("#timeline li").last.inner_text()


@pytest.mark.parametrize(("reason", "label"), [("not_established", "违法事实不能成立"),
                                               ("art33", "第三十三条不予行政处罚")])
def test_the_head_decides_not_to_penalise(page, browser, live_server, staff, reason, label):
    case_id = open_case(staff.client("clerk"))
    step(staff.client("clerk"), case_id, "investigate")

    head = _login(browser, live_server, staff.head.username)
    head.goto(f"/cases/{case_id}")
    end = head.locator("#step-decide_no_penalty")
    end.get_by_label("意见").fill("经调查，不予行政处罚")
    end.get_by_label(CONFIRM).check()
    end.get_by_role("button", name="决定不予行政处罚").click()
    assert "理由" in head.locator("#step-decide_no_penalty .error").inner_text()  # no reason chosen
    assert "调查取证中" in _state(head)

    end = head.locator("#step-decide_no_penalty")
    end.get_by_label("不予行政处罚的理由").select_option(value=reason)
    end.get_by_label("意见").fill("经调查，不予行政处罚")
    end.get_by_label(CONFIRM).check()
    end.get_by_role("button", name="决定不予行政处罚").click()
    assert "不予行政处罚" in _state(head)
    decision = head.locator("#decision").inner_text()
    assert "不予处罚" in decision and label in decision and staff.head.username in decision
    assert head.locator("form.step").count() == 0  # an end: nothing more to do
    assert "经调查，不予行政处罚" in head.locator("#timeline li").last.inner_text()


def test_the_head_transfers_the_case_to_the_judicial_organs(page, browser, live_server, staff):
    case_id = open_case(staff.client("clerk"))
    step(staff.client("clerk"), case_id, "investigate")

    clerk = _login(browser, live_server, staff.clerk.username)
    clerk.goto(f"/cases/{case_id}")
    assert clerk.locator("#step-transfer").count() == 0  # only the head transfers

    head = _login(browser, live_server, staff.head.username)
    head.goto(f"/cases/{case_id}")
    transfer = head.locator("#step-transfer")
    transfer.get_by_label("意见").fill("涉嫌侵犯公民个人信息罪")
    transfer.get_by_label(CONFIRM).check()
    transfer.get_by_role("button", name="移送司法机关").click()
    assert "司法机关" in head.locator("#transfer-organ-error").inner_text()  # which organ is required
    assert "调查取证中" in _state(head)

    transfer = head.locator("#step-transfer")
    transfer.get_by_label("接收移送的司法机关").fill("沈阳市公安局刑事侦查支队")
    transfer.get_by_label("意见").fill("涉嫌侵犯公民个人信息罪")
    transfer.get_by_label(CONFIRM).check()
    transfer.get_by_role("button", name="移送司法机关").click()
    assert "已移送司法机关" in _state(head)
    assert "沈阳市公安局刑事侦查支队" in head.locator("dl.facts").inner_text()
    assert head.locator("form.step").count() == 0

    clerk.reload()
    assert "已移送司法机关" in _state(clerk)
    assert clerk.locator("#add-evidence").count() == 0


def test_a_second_fine_for_the_same_act_is_refused(page, browser, live_server, staff):
    clerk_client = staff.client("clerk")
    first = open_case(clerk_client, provision="liaoning-34#")  # 10,000 yuan for a unit
    second = open_case(clerk_client)  # liaoning-35: 30,000 yuan
    first_number, second_number = _case(first).case_number, _case(second).case_number

    clerk = _login(browser, live_server, staff.clerk.username)
    clerk.goto(f"/cases/{first}")
    link = clerk.locator("#link")
    link.get_by_label("同一违法行为的另一案件编号").fill(second_number)
    link.get_by_role("button", name="关联").click()
    assert f"已关联同一违法行为的案件 {second_number}" in clerk.locator(".flash").first.inner_text()
    assert second_number in clerk.locator("#same-act").inner_text()

    for case_id, amount in ((first, 10000), (second, 30000)):
        to_review(staff, case_id, amount=amount)
        step(staff.client("reviewer"), case_id, "pass_review", comment="同意")

    head = _login(browser, live_server, staff.head.username)
    head.goto(f"/cases/{first}")
    decide = head.locator("#step-decide")
    decide.get_by_label("意见").fill("罚款一万元")
    decide.get_by_label(CONFIRM).check()
    decide.get_by_role("button", name="作出行政处罚决定").click()
    refusal = head.locator("#refusal").inner_text()
    assert "罚款数额高的规定" in refusal and second_number in refusal
    assert "待负责人决定" in _state(head)

    head.locator("#same-act").get_by_role("link", name=second_number).click()
    decide = head.locator("#step-decide")
    decide.get_by_label("意见").fill("罚款三万元")
    decide.get_by_label(CONFIRM).check()
    decide.get_by_role("button", name="作出行政处罚决定").click()
    assert "已作出处罚决定" in _state(head)
    assert "罚款30,000元" in head.locator("#decision").inner_text()

    head.locator("#same-act").get_by_role("link", name=first_number).click()
    decide = head.locator("#step-decide")
    decide.get_by_label("意见").fill("罚款一万元")
    decide.get_by_label(CONFIRM).check()
    decide.get_by_role("button", name="作出行政处罚决定").click()
    refusal = head.locator("#refusal").inner_text()
    assert f"同一违法行为已由案件 {second_number} 处以罚款，不得再次罚款" in refusal and "第二十九条" in refusal
    assert "待负责人决定" in _state(head)
    assert head.locator("#decision").count() == 0


def test_a_head_who_investigated_the_case_is_not_offered_the_decision(page, browser, live_server, staff, factory):
    investigator = factory.user("city_clerk", "zhang_wei", authority_code=staff.clerk.authority_code)
    staff.zhang = investigator
    zhang = staff.client("zhang")
    case_id = open_case(zhang)
    step(zhang, case_id, "investigate")
    propose(zhang, case_id, 30000)
    step(zhang, case_id, "notify", day="2026-11-30")
    step(zhang, case_id, "submit_review", text="当事人未陈述申辩", waived="y")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    promoted = db.session.get(User, investigator.id)
    promoted.role = "bureau_head"  # the clerk who investigated is made a head of the bureau
    db.session.commit()

    head = _login(browser, live_server, "zhang_wei")
    head.goto(f"/cases/{case_id}")
    assert "待负责人决定" in _state(head)
    assert head.locator("#step-decide").count() == 0
    assert head.locator("#step-decide_no_penalty").count() == 0
    assert head.locator("#step-transfer").is_visible()  # the other steps of a head are still offered

    other = _login(browser, live_server, staff.head.username)
    other.goto(f"/cases/{case_id}")
    decide = other.locator("#step-decide")
    decide.get_by_label("意见").fill("同意，罚款三万元")
    decide.get_by_label(CONFIRM).check()
    decide.get_by_role("button", name="作出行政处罚决定").click()
    assert "已作出处罚决定" in _state(other)
    assert staff.head.username in other.locator("#decision").inner_text()


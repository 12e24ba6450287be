"""Penalty cases through the test client: opening, every branch of the procedure, art. 29, scope, races.

The clock is pinned (Monday 2026-11-30, Beijing); a step that must wait for a period moves it on.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, CaseStep, OrderToCorrect, PenaltyCase, WarningNotice
from tests.app.case_support import DALIAN, SHENYANG, Staff, open_case, pdf, propose, step, to_review
from tests.support import form_fields, get_page, login, page_text, parse, post_form, race, switch_language
from workflows.penalty import pack_for
from workflows.rules import jurisdiction_codes

pytestmark = pytest.mark.today("2026-11-30")


@pytest.fixture
def staff(app, factory):
    return Staff(app, factory)


def _case(case_id) -> PenaltyCase:
    db.session.expire_all()
    return db.session.get(PenaltyCase, case_id)


def _soup(response):
    return parse(response)


def _errors(response) -> str:
    soup = _soup(response)
    return " ".join(e.get_text(" ", strip=True) for e in soup.select(".error, #refusal"))


# --- opening -----------------------------------------------------------------------------------------------
def test_a_clerk_opens_a_case_numbered_per_bureau_and_year(staff):
    clerk = staff.client("clerk")
    first = open_case(clerk, files=[pdf()])
    second = open_case(clerk, party_name="张某", id_type="resident_id", id_number="11010519491231002X",
                       provision="liaoning-34#")
    case = _case(first)
    assert case.case_number == "沈公（技）罚决字〔2026〕0001号"
    assert _case(second).case_number == "沈公（技）罚决字〔2026〕0002号"
    assert _case(second).party_type == "individual"
    assert case.state == "opened" and case.opened_on.isoformat() == "2026-11-30"
    assert case.authority_code == SHENYANG and case.editor_ids == [staff.clerk.id]
    assert [a.original_name for a in case.attachments] == ["evidence.pdf"]
    page = _soup(clerk.get(f"/cases/{first}"))
    assert "沈阳某某物业管理有限公司" in page.select_one("#party").get_text()
    assert "第三十五条" in page.select_one("#provision").get_text()
    assert "已立案" in page.select_one("#state").get_text()
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "penalty_case.opened")) is not None


def test_another_bureau_has_its_own_series(app, factory, staff):
    open_case(staff.client("clerk"))
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code=DALIAN))
    case_id = open_case(dalian)
    assert _case(case_id).case_number == "大公（技）罚决字〔2026〕0001号"


def test_a_party_identifier_is_checked(staff):
    clerk = staff.client("clerk")
    response = post_form(clerk, "/cases/new", {
        "party_name": "某公司", "id_type": "credit_code", "id_number": "91210102MA0T000010",
        "provision": "liaoning-35#", "act_date": "2026-10-20", "discovered_on": "2026-10-28", "facts": "事实"})
    assert response.status_code == 422
    assert "统一社会信用代码" in _soup(response).select_one("#id_number-error").get_text()
    response = post_form(clerk, "/cases/new", {
        "party_name": "张某", "id_type": "resident_id", "id_number": "110105194912310021",
        "provision": "liaoning-35#", "act_date": "2026-10-20", "discovered_on": "2026-10-28", "facts": "事实"})
    assert response.status_code == 422 and _soup(response).select_one("#id_number-error") is not None
    assert db.session.scalar(select(PenaltyCase.id)) is None


def test_dates_and_evidence_are_checked(staff):
    clerk = staff.client("clerk")
    open_case(clerk, expect=422, discovered_on="2026-10-01")  # before the act
    open_case(clerk, expect=422, act_date="2026-12-01", discovered_on="2026-12-01")  # in the future
    response = post_form(staff.client("clerk"), "/cases/new", {
        "party_name": "某公司", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "provision": "liaoning-35#", "act_date": "2026-10-20", "discovered_on": "2026-10-28", "facts": "事实",
        "evidence": [pdf("fake.pdf", b"MZ\x90\x00 not a pdf")]}, content_type="multipart/form-data")
    assert response.status_code == 422 and _soup(response).select_one("#evidence-error") is not None
    assert db.session.scalar(select(PenaltyCase.id)) is None


def test_a_firm_is_picked_from_the_bureaus_register(staff, factory):
    firm = factory.firm("沈阳安防科技有限公司", city_code=SHENYANG)
    clerk = staff.client("clerk")
    page = _soup(clerk.get("/cases/new?q=沈阳安防"))
    assert "沈阳安防科技有限公司" in page.select_one("#found").get_text()
    case_id = open_case(clerk, firm_id=str(firm.id), party_name="", id_number="")
    case = _case(case_id)
    assert case.firm_id == firm.id and case.party_name == firm.name and case.credit_code == firm.credit_code


def test_a_provision_that_fines_only_after_an_order_is_not_opened_directly(staff):
    response = post_form(staff.client("clerk"), "/cases/new", {
        "party_name": "某公司", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "provision": "liaoning-31#1", "act_date": "2026-10-20", "discovered_on": "2026-10-28", "facts": "事实"})
    assert response.status_code == 422
    assert "责令限期改正" in _soup(response).select_one("#provision-error").get_text()


# --- orders to correct ---------------------------------------------------------------------------------------
def test_an_order_opens_a_case_only_after_its_deadline(staff, pinned_clock):
    clerk = staff.client("clerk")
    response = post_form(clerk, "/cases/orders/new", {
        "party_name": "某商场", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "provision": "liaoning-31#1", "act_date": "2026-11-20", "discovered_on": "2026-11-25",
        "facts": "未依法安装技防系统", "issued_on": "2026-11-30", "deadline": "2026-12-15"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = db.session.scalar(select(OrderToCorrect))
    assert order.number == "沈公（技）责改字〔2026〕0001号"
    url = f"/cases/orders/{order.id}/act/open_case"
    refused = post_form(clerk, url, {}, token_from=f"/cases/orders/{order.id}")
    assert refused.status_code == 409 and "期限届满前" in _soup(refused).select_one("#refusal").get_text()
    staff.later(pinned_clock, "2026-12-16")
    clerk = staff.client("clerk")
    opened = post_form(clerk, url, {}, token_from=f"/cases/orders/{order.id}")
    assert opened.status_code == 302
    db.session.expire_all()
    order = db.session.get(OrderToCorrect, order.id)
    assert order.state == "case_opened" and order.corrected is False
    assert order.case.provision_code == "liaoning-31" and order.case.provision_item == 1
    assert order.case.opened_on.isoformat() == "2026-12-16"


def test_an_order_corrected_in_time_ends_without_a_case(staff):
    clerk = staff.client("clerk")
    post_form(clerk, "/cases/orders/new", {
        "party_name": "某商场", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "provision": "liaoning-32#", "act_date": "2026-11-20", "discovered_on": "2026-11-25",
        "facts": "未履行管理义务", "issued_on": "2026-11-30", "deadline": "2026-12-15"})
    order = db.session.scalar(select(OrderToCorrect))
    response = post_form(clerk, f"/cases/orders/{order.id}/act/record_corrected", {},
                         token_from=f"/cases/orders/{order.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderToCorrect, order.id).corrected is True
    assert db.session.scalar(select(PenaltyCase.id)) is None


# --- the procedure -------------------------------------------------------------------------------------------
def test_the_whole_procedure_to_service_with_every_step_audited(staff, factory):
    clerk, reviewer, head = staff.client("clerk"), staff.client("reviewer"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="当事人放弃听证，未陈述申辩", waived="y")
    assert _case(case_id).state == "legal_review"
    step(reviewer, case_id, "pass_review", comment="事实清楚，证据确凿，适用依据正确，程序合法")
    page = _soup(head.get(f"/cases/{case_id}"))
    assert page.select_one("#step-decide") is not None
    step(head, case_id, "decide", comment="罚款三万元")
    case = _case(case_id)
    assert case.state == "decided" and case.outcome == "fined" and case.fine_decided_fen == 3_000_000
    assert case.decided_by_id == staff.head.id and case.decided_on.isoformat() == "2026-11-30"
    step(clerk, case_id, "serve", day="2026-11-30", method="on_the_spot")
    case = _case(case_id)
    assert case.state == "served" and case.served_on.isoformat() == "2026-11-30"
    assert case.service_method == "on_the_spot"
    refused = step(clerk, case_id, "close", expect=409)  # closing waits for the bank's receipts
    assert "缴清" in _errors(refused) and _case(case_id).state == "served"
    steps = db.session.scalars(select(CaseStep.transition).where(CaseStep.case_id == case_id)
                               .order_by(CaseStep.id)).all()
    assert steps == ["open", "investigate", "propose", "notify", "submit_review", "pass_review", "decide", "serve"]
    actions = set(db.session.scalars(select(AuditEntry.action)).all())
    assert {"penalty_case.opened", "penalty_case.proposal", "penalty_case.investigate", "penalty_case.propose",
            "penalty_case.notify", "penalty_case.submit_review", "penalty_case.pass_review", "penalty_case.decide",
            "penalty_case.serve"} <= actions
    timeline = _soup(clerk.get(f"/cases/{case_id}")).select_one("#timeline").get_text()
    assert "北京时间" in timeline and "已送达" in timeline


def test_review_waits_for_the_hearing_window_unless_waived(staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    assert _case(case_id).hearing_offered  # 30,000 yuan for a unit: the threshold is 10,000
    step(clerk, case_id, "notify", day="2026-11-30")
    assert _case(case_id).hearing_request_due.isoformat() == "2026-12-07"  # five working days
    refused = step(clerk, case_id, "submit_review", expect=409, text="未陈述申辩")
    assert "2026-12-07" in _errors(refused)


def test_the_hearing_branch(staff, pinned_clock):
    clerk, reviewer, head = staff.client("clerk"), staff.client("reviewer"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "request_hearing", day="2026-11-30")
    assert _case(case_id).state == "hearing"
    missing = step(clerk, case_id, "submit_review", expect=409, text="当事人申辩")
    assert "听证举行的日期" in _errors(missing)
    staff.later(pinned_clock, "2026-12-10")
    clerk, reviewer, head = staff.client("clerk"), staff.client("reviewer"), staff.client("head")
    step(clerk, case_id, "submit_review", day="2026-12-10", text="当事人申辩称系初次违法",
         hearing_record="听证会于12月10日举行")
    case = _case(case_id)
    assert case.state == "legal_review" and case.hearing_held_on.isoformat() == "2026-12-10"
    step(reviewer, case_id, "pass_review", comment="同意")
    step(head, case_id, "decide", comment="罚款三万元")
    assert _case(case_id).state == "decided"


def test_a_hearing_request_after_five_working_days_is_refused(staff, pinned_clock):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    staff.later(pinned_clock, "2026-12-09")
    clerk = staff.client("clerk")
    refused = step(clerk, case_id, "request_hearing", expect=409, day="2026-12-08")
    assert "五个工作日" in _errors(refused)
    assert _case(case_id).state == "notified"


def test_legal_review_sends_a_case_back(staff):
    clerk, reviewer = staff.client("clerk"), staff.client("reviewer")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="未陈述申辩", waived="y")
    no_reason = step(reviewer, case_id, "send_back", expect=409)
    assert "意见" in _errors(no_reason)
    step(reviewer, case_id, "send_back", comment="证据不足，补充调查监控录像的去向")
    case = _case(case_id)
    assert case.state == "investigating" and "补充调查" in case.legal_review_opinion
    assert clerk.get(f"/cases/{case_id}").status_code == 200


def test_only_the_legal_reviewer_reviews_and_only_the_head_decides(staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="未陈述申辩", waived="y")
    step(clerk, case_id, "pass_review", expect=409, comment="同意")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    refused = step(clerk, case_id, "decide", expect=409, comment="罚款")
    assert "角色" in _errors(refused)
    assert _case(case_id).state == "reviewed"


def test_an_investigator_can_never_decide(app, factory, staff):
    """A bureau head who investigated the case (here: took it into investigation) may not decide it."""
    head = staff.client("head")
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    case = _case(case_id)
    case.editor_ids = [*case.editor_ids, staff.head.id]  # the head took part in the investigation
    db.session.commit()
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="未陈述申辩", waived="y")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    assert _soup(head.get(f"/cases/{case_id}")).select_one("#step-decide") is None
    refused = step(head, case_id, "decide", expect=409, comment="罚款三万元")
    assert "不得自审自批" in _errors(refused)
    assert _case(case_id).state == "reviewed"


def test_irreversible_steps_are_confirmed(staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    to_review(staff, case_id, notified_on="2026-11-30")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    response = step(staff.client("head"), case_id, "decide", expect=422, comment="罚款三万元", confirm=False)
    assert _soup(response).select_one("#decide-confirm-error") is not None
    assert _case(case_id).state == "reviewed"


def test_mitigation_below_the_minimum_needs_a_reason_and_a_collective_discussion(staff):
    clerk, head = staff.client("clerk"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    below = propose(clerk, case_id, 20000, expect=422)
    assert "第三十二条" in _soup(below).select_one("#amount-error").get_text()
    no_reason = propose(clerk, case_id, 20000, expect=422, mitigated="y")
    assert _soup(no_reason).select_one("#outside_tier_reason-error") is not None
    above = propose(clerk, case_id, 40000, expect=422)
    assert "上限" in _soup(above).select_one("#amount-error").get_text()
    propose(clerk, case_id, 20000, mitigated="y", outside_tier_reason="当事人主动消除违法行为危害后果")
    case = _case(case_id)
    assert case.mitigated and case.proposed_fen == 2_000_000
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="未陈述申辩", waived="y")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意减轻")
    refused = step(head, case_id, "decide", expect=409, comment="减轻处罚")
    assert "集体讨论" in _errors(refused)
    step(head, case_id, "record_discussion", day="2026-11-30", text="局长办公会讨论：同意减轻处罚，罚款二万元")
    step(head, case_id, "decide", comment="减轻处罚，罚款二万元")
    assert _case(case_id).fine_decided_fen == 2_000_000


@pytest.mark.parametrize("reason", ["art33", "time_barred", "not_established"])
def test_no_penalty_ends(staff, reason):
    clerk, head = staff.client("clerk"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    missing = step(head, case_id, "decide_no_penalty", expect=409, comment="不予处罚")
    assert "理由" in _errors(missing)
    step(head, case_id, "decide_no_penalty", reason=reason, comment="经调查")
    case = _case(case_id)
    assert case.state == "no_penalty" and case.outcome == "no_penalty" and case.no_penalty_reason == reason
    assert _soup(clerk.get(f"/cases/{case_id}")).select(".step") == []


def test_transfer_to_judicial_organs(staff):
    clerk, head = staff.client("clerk"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    step(clerk, case_id, "transfer", expect=409, organ="沈阳市人民检察院", comment="涉嫌犯罪")  # a clerk cannot
    missing = step(head, case_id, "transfer", expect=409, comment="涉嫌犯罪")
    assert "司法机关" in _errors(missing)
    step(head, case_id, "transfer", organ="沈阳市公安局刑事侦查支队", comment="涉嫌侵犯公民个人信息罪")
    case = _case(case_id)
    assert case.state == "transferred" and case.transferred_to == "沈阳市公安局刑事侦查支队"


def test_service_within_seven_working_days_or_with_a_reason(staff, pinned_clock):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    to_review(staff, case_id, notified_on="2026-11-30")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    step(staff.client("head"), case_id, "decide", comment="罚款三万元")
    staff.later(pinned_clock, "2026-12-14")
    clerk = staff.client("clerk")
    wrong_spot = step(clerk, case_id, "serve", expect=409, day="2026-12-01", method="on_the_spot")
    assert "当场交付" in _errors(wrong_spot)
    late = step(clerk, case_id, "serve", expect=409, day="2026-12-14", method="post")
    assert "2026-12-09" in _errors(late)  # seven working days after 11-30
    step(clerk, case_id, "serve", day="2026-12-14", method="post", late_reason="当事人下落不明，经查找后邮寄")
    assert _case(case_id).served_on.isoformat() == "2026-12-14"


def test_one_act_is_fined_once_and_at_the_higher_fine(staff):
    clerk, head = staff.client("clerk"), staff.client("head")
    first = open_case(clerk, provision="liaoning-34#")  # 10,000 yuan for a unit
    second = open_case(clerk)  # liaoning-35: 30,000 yuan
    number = _case(second).case_number
    response = post_form(clerk, f"/cases/{first}/link", {"other": number}, token_from=f"/cases/{first}")
    assert response.status_code == 302
    assert _case(first).same_act_group == _case(second).same_act_group is not None
    for case_id, amount in ((first, 10000), (second, 30000)):
        to_review(staff, case_id, amount=amount, notified_on="2026-11-30")
        step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    lower = step(head, first, "decide", expect=409, comment="罚款一万元")
    assert "罚款数额高的规定" in _errors(lower)
    assert f"案件 {number} 拟罚款30,000元，高于本案" in _errors(lower)
    same_act = _soup(head.get(f"/cases/{first}")).select_one("#same-act").get_text("", strip=True)
    assert "拟罚款30,000元" in same_act
    step(head, second, "decide", comment="罚款三万元")
    again = step(head, first, "decide", expect=409, comment="罚款一万元")
    assert "不得再次罚款" in _errors(again)
    assert _case(first).state == "reviewed"


def test_the_fine_reads_with_thousands_separators_in_either_language(staff):
    clerk, head = staff.client("clerk"), staff.client("head")
    case_id = open_case(clerk)  # liaoning-35: 30,000 yuan on a unit
    step(clerk, case_id, "investigate")
    proposed = propose(clerk, case_id, 30000)
    page = _soup(clerk.get(proposed.headers["Location"]))
    assert "已拟定处罚意见：罚款30,000元。" in page.get_text("", strip=True)
    proposal = page.select_one("#proposal").get_text("", strip=True)
    assert proposal.startswith("罚款30,000元（法定幅度 30,000–30,000 元，建议 30,000 元）"), proposal
    step(clerk, case_id, "revise", comment="补充调查")
    again = _soup(clerk.get(f"/cases/{case_id}")).select_one('input[name="amount"]')
    assert again["value"] == "30000"  # the proposal form is filled in whole yuan, as it is entered
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "submit_review", text="当事人未陈述申辩", waived="y")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    notice = _soup(head.get(f"/cases/{case_id}")).select_one("#step-decide .notice")
    assert "作出罚款30,000元的决定" in notice.get_text("", strip=True)
    step(head, case_id, "decide", comment="罚款三万元")
    assert "罚款30,000元" in _soup(head.get(f"/cases/{case_id}")).select_one("#decision").get_text("", strip=True)
    switch_language(head, {"lang": "en", "next": f"/cases/{case_id}"})
    decision = _soup(head.get(f"/cases/{case_id}")).select_one("#decision").get_text(" ", strip=True)
    assert "Fine of 30,000 yuan" in decision, decision


def test_a_decided_case_against_a_registered_firm_is_offered_to_the_warning_list(staff, factory):
    """Art. 28 (Liaoning): the decision opens a draft at once (app/complaints/warnings.on_case_decided);
    where none was opened (a case decided before the firm was linked, say) the case page offers one, once."""
    firm = factory.firm("沈阳警示测试公司", city_code=SHENYANG)
    clerk = staff.client("clerk")
    case_id = open_case(clerk, firm_id=str(firm.id), party_name="", id_number="")
    to_review(staff, case_id)
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    step(staff.client("head"), case_id, "decide", comment="罚款三万元")
    drafts = db.session.scalars(select(WarningNotice).where(WarningNotice.case_id == case_id)).all()
    assert len(drafts) == 1 and drafts[0].state == "draft" and drafts[0].firm_id == firm.id
    page = _soup(clerk.get(f"/cases/{case_id}"))
    assert page.select_one("#offer-warning") is None and page.select_one("#warning a") is not None
    again = post_form(clerk, f"/cases/{case_id}/warning", {}, token_from=f"/cases/{case_id}")
    assert again.status_code == 409 and "已列入警示名单" in _errors(again)

    db.session.delete(drafts[0])  # as if the decision had opened none
    db.session.commit()
    page = _soup(clerk.get(f"/cases/{case_id}"))
    assert page.select_one("#offer-warning") is not None
    assert _soup(staff.client("head").get(f"/cases/{case_id}")).select_one("#offer-warning") is None  # clerks
    response = post_form(clerk, f"/cases/{case_id}/warning", {}, token_from=f"/cases/{case_id}")
    assert response.status_code == 302
    drafts = db.session.scalars(select(WarningNotice).where(WarningNotice.case_id == case_id)).all()
    assert len(drafts) == 1 and drafts[0].state == "draft" and drafts[0].authority_code == SHENYANG


def test_no_warning_is_offered_where_the_pack_has_no_list(app, factory):
    """Only Liaoning (art. 28) keeps a warning list: in the other packs a decided case offers none."""
    from app.complaints import warnings

    assert warnings.rules() is not None  # Liaoning (this app) has one; the others are checked below
    for code in ("inner-mongolia", "shanxi", "qinhuangdao"):
        from workflows.rules import load_pack

        assert warnings.rules(load_pack(code)) is None, code


def test_the_case_list_filters_by_state(staff):
    clerk = staff.client("clerk")
    first = open_case(clerk)
    second = open_case(clerk)
    step(clerk, second, "investigate")
    page = _soup(clerk.get("/cases/?state=investigating"))
    numbers = [a.get_text() for a in page.select("#cases a")]
    assert numbers == [_case(second).case_number]
    page = _soup(clerk.get("/cases/"))
    assert len(page.select("#cases a")) == 2 and _case(first).case_number in page.get_text()


# --- scope ---------------------------------------------------------------------------------------------------
# Values for the other parts of a /cases address; an id that exists, so only the scope can refuse it.
_SAMPLE_ARGS = {"transition": "decide", "kind": "decision", "fmt": "pdf", "pause_id": 1}


def _all_case_routes(app, ids: dict) -> list[tuple[str, str]]:
    """Every /cases route of the URL map that names a case or an order (this area's and the ones other areas
    add to the blueprint: documents, payments…), with its method and real ids filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/cases/") or not ({"case_id", "order_id"} & rule.arguments):
            continue
        values = {name: ids.get(name, _SAMPLE_ARGS.get(name, 1)) for name in rule.arguments}
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def test_every_case_route_answers_404_to_another_bureau(app, factory, staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk, files=[pdf()])
    post_form(clerk, "/cases/orders/new", {
        "party_name": "某商场", "id_type": "credit_code", "id_number": "91210102MA0T00001G",
        "provision": "liaoning-32#", "act_date": "2026-11-20", "discovered_on": "2026-11-25",
        "facts": "未履行管理义务", "issued_on": "2026-11-30", "deadline": "2026-12-15"})
    order_id = db.session.scalar(select(OrderToCorrect.id))
    attachment_id = _case(case_id).attachments[0].id
    routes = _all_case_routes(app, {"case_id": case_id, "order_id": order_id, "attachment_id": attachment_id})
    assert len(routes) >= 12 and ("GET", f"/cases/{case_id}") in routes
    for role in ("city_clerk", "legal_reviewer", "bureau_head"):
        outsider = app.test_client()
        login(outsider, factory.user(role, authority_code=DALIAN))
        for method, url in routes:
            if method == "GET":
                response = outsider.get(url)
            else:
                response = post_form(outsider, url, {}, token_from="/cases/")
            # 404 as for an id that does not exist; a step the role may never take anywhere may answer 403
            allowed = (404,) if role == "city_clerk" or method == "GET" else (404, 403)
            assert response.status_code in allowed, (role, method, url, response.status_code)
        listing = _soup(outsider.get("/cases/?state=all"))
        assert listing.select("#cases a") == []
    assert _case(case_id).state == "opened"


def test_the_provincial_bureau_sees_every_case_but_does_not_act_on_it(app, factory, staff):
    case_id = open_case(staff.client("clerk"))
    province = app.test_client()
    login(province, factory.user("provincial_clerk"))
    assert province.get(f"/cases/{case_id}").status_code == 200
    assert _case(case_id).case_number in page_text(province.get("/cases/"))
    refused = step(province, case_id, "investigate", expect=409)
    assert "不由您所在的公安机关办理" in _errors(refused)


def test_firms_the_public_and_admins_never_reach_cases(app, factory, staff):
    case_id = open_case(staff.client("clerk"))
    anonymous = app.test_client()
    assert anonymous.get(f"/cases/{case_id}").status_code == 302  # to the log-in page
    for role in ("firm", "admin"):
        c = app.test_client()
        login(c, factory.user(role))
        assert c.get(f"/cases/{case_id}").status_code == 403
        assert c.get("/cases/").status_code == 403


def test_legal_reviewers_and_heads_see_only_case_pages(app, factory):
    for role in ("legal_reviewer", "bureau_head"):
        c = app.test_client()
        login(c, factory.user(role, authority_code=SHENYANG))
        assert c.get("/cases/").status_code == 200
        for url in ("/review/", "/transfer/", "/complaints/warnings", "/cases/new"):
            assert c.get(url).status_code == 403, (role, url)


# --- concurrency ---------------------------------------------------------------------------------------------
def test_two_heads_deciding_at_once_decide_once(app, factory, staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    to_review(staff, case_id, notified_on="2026-11-30")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    second_head = factory.user("bureau_head", authority_code=SHENYANG)
    clients = [staff.client("head"), app.test_client()]
    login(clients[1], second_head)
    tokens = [form_fields(c.get(f"/cases/{case_id}"))["csrf_token"] for c in clients]
    version = str(_case(case_id).version)

    def post(i):
        return lambda: clients[i].post(f"/cases/{case_id}/act/decide", data={
            "csrf_token": tokens[i], "comment": "罚款三万元", "confirm": "y", "version": version})

    responses = race(app, [post(0), post(1)])
    assert sorted(r.status_code for r in responses) == [302, 409]
    with app.app_context():
        steps = db.session.scalars(select(CaseStep).where(CaseStep.case_id == case_id,
                                                          CaseStep.transition == "decide")).all()
        assert len(steps) == 1
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "penalty_case.decide")).all()) == 1


def test_case_numbers_stay_unique_and_sequential_under_concurrent_openings(app, factory):
    clerks = [factory.user("city_clerk", authority_code=SHENYANG) for _ in range(4)]
    clients = []
    for user in clerks:
        c = app.test_client()
        login(c, user)
        clients.append(c)
    tokens = [form_fields(c.get("/cases/new"))["csrf_token"] for c in clients]
    from tests.app.case_support import case_data

    def post(i):
        return lambda: clients[i].post("/cases/new", data={**case_data(), "csrf_token": tokens[i]})

    responses = race(app, [post(i) for i in range(4)])
    assert [r.status_code for r in responses] == [302] * 4
    with app.app_context():
        numbers = sorted(db.session.scalars(select(PenaltyCase.case_number)).all())
    assert numbers == [f"沈公（技）罚决字〔2026〕{n:04d}号" for n in range(1, 5)]
    assert threading.active_count() >= 1


# --- demo ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "liaoning"}, {"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_the_demo_has_cases_for_the_clerk_the_legal_reviewer_and_the_head(app, runner, app_config):
    from app.demo import DEMO_PASSWORD

    assert runner.invoke(args=["load-demo"]).exit_code == 0
    assert runner.invoke(args=["load-demo"]).exit_code == 0  # twice changes nothing
    running = db.session.scalars(select(PenaltyCase).where(PenaltyCase.authority_code.is_not(None))).all()
    assert sorted(c.state for c in running) == ["investigating", "reviewed"]
    assert db.session.scalar(select(OrderToCorrect.state)) == "issued"
    head = app.test_client()
    assert post_form(head, "/auth/login", {"username": "head", "password": DEMO_PASSWORD}).status_code == 302
    waiting = parse(head.get("/cases/"))
    assert [a.get_text() for a in waiting.select("#waiting a")] == [
        c.case_number for c in running if c.state == "reviewed"]
    reviewed = next(c for c in running if c.state == "reviewed")
    assert parse(head.get(f"/cases/{reviewed.id}")).select_one("#step-decide") is not None


@pytest.mark.parametrize("role", ["legal_reviewer", "bureau_head"])
def test_create_user_binds_legal_reviewers_and_heads_to_a_bureau(runner, role):
    from app.models import User

    password = "Kx7-case-Reviewer-2026"
    refused = runner.invoke(args=["create-user", "--username", f"{role}1", "--role", role, "--password", password])
    assert refused.exit_code != 0 and "--authority" in refused.output
    made = runner.invoke(args=["create-user", "--username", f"{role}2", "--role", role, "--authority", SHENYANG,
                               "--password", password])
    assert made.exit_code == 0, made.output
    assert db.session.scalar(select(User.authority_code).where(User.username == f"{role}2")) == SHENYANG


def test_an_admin_creates_a_legal_reviewer_and_a_head(app, factory):
    from app.models import User

    admin = app.test_client()
    login(admin, factory.user("admin"))
    roles = [page_text(option) for option in parse(admin.get("/admin/users/new")).select('select[name="role"] option')]
    assert "法制审核人员" in roles and "行政机关负责人" in roles
    for role in ("legal_reviewer", "bureau_head"):
        response = post_form(admin, "/admin/users/new", {"username": f"new_{role}", "display_name": "李四",
                                                         "role": role, "authority_code": SHENYANG})
        assert response.status_code in (200, 201, 302), response.get_data(as_text=True)[:2000]
        user = db.session.scalar(select(User).where(User.username == f"new_{role}"))
        assert user is not None and user.role == role and user.authority_code == SHENYANG


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_an_amount_outside_the_recommended_tier_needs_a_written_reason(app, factory, app_config):
    """Inner Mongolia art. 24: 10,000 to 30,000 yuan for a unit; the normal tier is 16,000 to 24,000."""
    staff = Staff(app, factory, authority="150100")
    clerk = staff.client("clerk")
    case_id = open_case(clerk, id_number="91150102MA0T00001A", provision="inner-mongolia-24#")
    assert _case(case_id).case_number == "呼和浩特公（技）罚决字〔2026〕0001号"  # 呼伦贝尔 shares 呼
    step(clerk, case_id, "investigate")
    no_reason = propose(clerk, case_id, 28000, expect=422)
    assert "16000元至24000元" in _soup(no_reason).select_one("#outside_tier_reason-error").get_text()
    propose(clerk, case_id, 28000, outside_tier_reason="多次违法，情节较重")
    case = _case(case_id)
    assert case.proposed_fen == 2_800_000 and case.outside_tier_reason == "多次违法，情节较重"
    assert case.proposal["tier_range"] == [16000, 24000] and case.hearing_offered


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_below_the_hearing_threshold_no_hearing_is_offered_and_review_need_not_wait(app, factory, app_config):
    """Inner Mongolia art. 25: 5,000 to 10,000 yuan for a unit; 6,000 is below the 10,000 of a hearing."""
    staff = Staff(app, factory, authority="150100")
    clerk = staff.client("clerk")
    case_id = open_case(clerk, id_number="91150102MA0T00001A", provision="inner-mongolia-25#")
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 6000, tier="lenient")
    assert not _case(case_id).hearing_offered
    step(clerk, case_id, "notify", day="2026-11-30")
    assert _case(case_id).hearing_request_due is None
    refused = step(clerk, case_id, "request_hearing", expect=409, day="2026-11-30")
    assert "未达到听证标准" in _errors(refused)
    step(clerk, case_id, "submit_review", text="当事人陈述：已停止违法行为")
    assert _case(case_id).state == "legal_review"


def test_the_head_may_withdraw_a_case_with_a_reason(staff):
    clerk, head = staff.client("clerk"), staff.client("head")
    case_id = open_case(clerk)
    step(clerk, case_id, "withdraw", expect=409, comment="立案错误")  # a clerk cannot
    step(head, case_id, "withdraw", expect=409, comment="")
    step(head, case_id, "withdraw", comment="经核实当事人不是违法行为人，撤销立案")
    case = _case(case_id)
    assert case.state == "withdrawn" and case.outcome == "withdrawn" and case.closed_on.isoformat() == "2026-11-30"


@pytest.mark.parametrize("code", jurisdiction_codes())
def test_no_two_bureaus_of_a_jurisdiction_share_a_number_series(code):
    from workflows.rules import load_pack

    authorities = [(a.code, a.name) for a in load_pack(code).authorities]
    numbering = pack_for(code).numbering
    numbers = {numbering.number("case", code=c, name=n, year=2026, seq=1, others=authorities) for c, n in authorities}
    assert len(numbers) == len(authorities), sorted(numbers)


def test_script_in_every_text_field_of_a_case_is_shown_as_text(staff):
    """Party name, address, facts and an evidence file's name come from people: the case page and the list
    show them as text, never as markup."""
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    clerk = staff.client("clerk")
    case_id = open_case(clerk, files=[pdf(f"{attack}.pdf")], party_name=f"某公司{attack}",
                        party_address=f"某路{attack}", facts=f"事实{attack}")
    for endpoint, values in (("cases.detail", {"case_id": case_id}), ("cases.index", {})):
        page = get_page(clerk, endpoint, **values)
        assert page.find("script") is None and not page.select("img[onerror]"), endpoint
        assert '<script>alert("x")</script>' in page.get_text(), endpoint  # shown, escaped, as typed

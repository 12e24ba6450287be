"""A served penalty decision through the test client: bank receipts, the surcharge on its edge days, pauses,
deferral and instalments (art. 66), the reminder and the court (行政强制法 arts. 53-54, 13), `flask cases
remind`, the clerks' home panel, and the decided case counted in the annual statistics.

Most tests start from a case served on a pinned day (a row as the procedure leaves it: app/cases/routes.py
is tested in test_cases.py); the full walk from opening to payment is the first test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, CasePayment, PenaltyCase
from tests.app.case_support import SHENYANG, Staff, open_case, step, to_review
from tests.conftest import beijing
from tests.support import login, parse, post_form, race


@pytest.fixture
def staff(app, factory):
    return Staff(app, factory)


def served_case(served_on: str, fine_yuan: int = 30000, provision: str = "liaoning-35", number: str = "1",
                authority: str = SHENYANG, state: str = "served", fine_fen: int | None = None) -> int:
    """A fined case of the Shenyang bureau as service leaves it (`fine_fen`: a fine with cents, as imported)."""
    served = dt.date.fromisoformat(served_on)
    fine_fen = fine_yuan * 100 if fine_fen is None else fine_fen
    case = PenaltyCase(
        case_number=f"沈公（技）罚决字〔{served.year}〕{int(number):04d}号", party_name="沈阳某某物业管理有限公司",
        party_type="unit", credit_code="91210102MA0T00001G", party_id_type="credit_code",
        party_id_number="91210102MA0T00001G", jurisdiction="liaoning", provision_code=provision,
        authority_code=authority, opened_on=served - dt.timedelta(days=20), act_date=served - dt.timedelta(days=40),
        discovered_on=served - dt.timedelta(days=21), facts="当事人擅自复制监控录像资料。", decided_on=served,
        outcome="fined" if fine_fen else "pending", fine_decided_fen=fine_fen,
        proposed_fen=fine_fen, served_on=served, service_method="direct", state=state, editor_ids=[],
    )
    db.session.add(case)
    db.session.commit()
    return case.id


def _case(case_id) -> PenaltyCase:
    db.session.expire_all()
    return db.session.get(PenaltyCase, case_id)


def money(client, case_id) -> dict[str, str]:
    page = parse(client.get(f"/cases/{case_id}"))
    return {key: page.select_one(f"#money-{key}").get_text("", strip=True).replace(" ", "")
            for key in ("due", "paid", "unpaid", "days", "surcharge", "outstanding")}


def pay(client, case_id, receipt: str, paid_on: str, amount: str, expect=302):
    response = post_form(client, f"/cases/{case_id}/payments",
                         {"receipt_number": receipt, "paid_on": paid_on, "amount": amount},
                         token_from=f"/cases/{case_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def after(client, case_id, transition: str, expect=302, **fields):
    data = {k: v for k, v in fields.items() if v is not None}
    if transition in ("approve_deferral", "apply_to_court") and data.pop("confirm", True):
        data["confirm"] = "y"
    response = post_form(client, f"/cases/{case_id}/after/{transition}", data, token_from=f"/cases/{case_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def errors(response) -> str:
    page = parse(response)
    return " ".join(e.get_text(" ", strip=True) for e in page.select(".error, #refusal"))


# --- the walk: opened in the system, decided, served, paid in two receipts, closed --------------------------
@pytest.mark.today("2026-11-30")
def test_a_case_decided_in_the_system_is_paid_in_part_then_in_full_and_closed(staff, pinned_clock):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    to_review(staff, case_id, amount=30000, notified_on="2026-11-30")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    step(staff.client("head"), case_id, "decide", comment="罚款三万元")
    step(clerk, case_id, "serve", day="2026-11-30", method="on_the_spot")
    # Due 15 days after 11-30: 12-15 (Tuesday); the surcharge starts 12-16.
    assert money(clerk, case_id)["due"] == "2026年12月15日"
    staff.later(pinned_clock, "2026-12-17")
    clerk = staff.client("clerk")
    pay(clerk, case_id, "ZH-0001", "2026-12-16", "10,000.00")
    shown = money(clerk, case_id)
    # 12-16 accrues 3% of 30,000 (the payment day on the amount before it); 12-17 3% of the 20,000 unpaid.
    assert shown["surcharge"] == "1,500.00元" and shown["paid"] == "10,000.00元"
    assert shown["unpaid"] == "20,000.00元" and shown["outstanding"] == "21,500.00元" and shown["days"] == "2"
    refused = step(clerk, case_id, "close", expect=409)
    assert "尚欠罚款20,000.00元、加处罚款1,500.00元" in errors(refused)
    pay(clerk, case_id, "ZH-0002", "2026-12-17", "21500")
    assert money(clerk, case_id)["outstanding"].startswith("0.00元")
    staff.later(pinned_clock, "2026-12-20")
    clerk = staff.client("clerk")
    assert money(clerk, case_id)["surcharge"] == "1,500.00元"  # paid up: nothing accrues any more
    step(clerk, case_id, "close")
    case = _case(case_id)
    assert case.state == "closed" and case.fine_collected_fen == 3_000_000 and case.surcharge_fen == 150_000
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.action == "penalty_case.payment_recorded")).all()
    assert len(actions) == 2


# --- the surcharge on its edge days (served 2025-09-16: 15 days end on National Day, due moves to 10-09) ----
@pytest.mark.parametrize(("today", "surcharge", "days"), [
    ("2025-10-09", "0.00元", "0"),  # the last day of the period, moved past the National Day holiday
    ("2025-10-10", "900.00元", "1"),  # the first day: 3% of 30,000
    ("2025-11-11", "29,700.00元", "33"),  # the day before the cap
    ("2025-11-12", "30,000.00元已达上限（不超过罚款数额）", "34"),  # reaches the cap (34 × 3% > 100%)
    ("2025-11-13", "30,000.00元已达上限（不超过罚款数额）", "35"),  # the day after: still the fine itself
])
@pytest.mark.today("2025-10-01")
def test_the_surcharge_is_exact_on_its_edge_days(app, factory, pinned_clock, today, surcharge, days):
    case_id = served_case("2025-09-16")
    pinned_clock.move_to(beijing(today))
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    shown = money(clerk, case_id)
    assert shown["due"] == "2025年10月9日" and shown["surcharge"] == surcharge and shown["days"] == days
    # The same function as the API: its answer for the same facts.
    api = clerk.post("/api/v1/penalties/amount-due", json={"fine": 30000, "served_on": "2025-09-16", "as_of": today})
    if api.status_code == 200:
        assert api.get_json()["surcharge_fen"] == int(surcharge.split("元")[0].replace(",", "").replace(".", ""))


@pytest.mark.today("2025-10-10")
def test_a_fine_with_cents_is_owed_and_paid_to_the_fen(app, factory, pinned_clock):
    """An imported fine of 1,234.56元: the surcharge is 3% of it, cents and all (37.03元 on the first late day),
    so the total owed is 1,271.59元 and a receipt for exactly that settles the case."""
    case_id = served_case("2025-09-16", fine_fen=123_456)
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    page = parse(clerk.get(f"/cases/{case_id}"))
    assert "罚款1,234.56元" in page.select_one("#decision").get_text("", strip=True)
    assert page.select_one("#money-fine").get_text("", strip=True).replace(" ", "") == "1,234.56元"
    shown = money(clerk, case_id)
    assert shown["surcharge"] == "37.03元" and shown["days"] == "1"
    assert shown["unpaid"] == "1,234.56元" and shown["outstanding"] == "1,271.59元"
    assert "尚欠1,271.59元" in errors(pay(clerk, case_id, "R-1", "2025-10-10", "1271.60", expect=422))
    pay(clerk, case_id, "R-1", "2025-10-10", "1,271.59")
    shown = money(clerk, case_id)
    assert shown["paid"] == "1,271.59元" and shown["outstanding"] == "0.00元已缴清"
    case = _case(case_id)
    assert case.fine_collected_fen == 123_456 and case.surcharge_fen == 3_703


@pytest.mark.today("2025-11-12")
def test_the_surcharge_on_a_fine_with_cents_stops_at_the_fine_to_the_fen(app, factory):
    case_id = served_case("2025-09-16", fine_fen=123_456)
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    shown = money(clerk, case_id)
    assert shown["surcharge"] == "1,234.56元已达上限（不超过罚款数额）"
    assert shown["outstanding"] == "2,469.12元"


@pytest.mark.today("2025-10-25")
def test_a_review_pauses_the_surcharge_both_ends_inclusive(app, factory):
    case_id = served_case("2025-09-16")
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    response = post_form(clerk, f"/cases/{case_id}/pauses", {"kind": "review", "start_on": "2025-10-11"},
                         token_from=f"/cases/{case_id}")
    assert response.status_code == 302
    # 10-10 accrues; from 10-11 the review is pending: nothing more.
    assert money(clerk, case_id)["surcharge"] == "900.00元"
    page = parse(clerk.get(f"/cases/{case_id}"))
    pause_id = page.select_one("#pauses form")["action"].split("/")[-2]
    ended = post_form(clerk, f"/cases/{case_id}/pauses/{pause_id}/end", {"end_on": "2025-10-20"},
                      token_from=f"/cases/{case_id}")
    assert ended.status_code == 302
    # Paused 10-11..10-20 (both inclusive): 10-10 and 10-21..10-25 accrue, six days.
    shown = money(clerk, case_id)
    assert shown["surcharge"] == "5,400.00元" and shown["days"].startswith("6")
    overlapping = post_form(clerk, f"/cases/{case_id}/pauses", {"kind": "litigation", "start_on": "2025-10-15"},
                            token_from=f"/cases/{case_id}")
    assert overlapping.status_code == 422 and "重叠" in errors(overlapping)


# --- receipts ---------------------------------------------------------------------------------------------
@pytest.mark.today("2026-11-30")
def test_receipts_are_checked_and_parsed_exactly(app, factory):
    case_id = served_case("2026-11-20", fine_yuan=5000)
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    assert "请按收据填写金额" in errors(pay(clerk, case_id, "R1", "2026-11-25", "12.345", expect=422))
    assert "请按收据填写金额" in errors(pay(clerk, case_id, "R1", "2026-11-25", "-5", expect=422))
    assert "不晚于今天" in errors(pay(clerk, case_id, "R1", "2026-12-01", "100", expect=422))
    assert "送达之后" in errors(pay(clerk, case_id, "R1", "2026-11-19", "100", expect=422))
    assert "金额超过应缴数额" in errors(pay(clerk, case_id, "R1", "2026-11-25", "5000.01", expect=422))
    pay(clerk, case_id, "R1", "2026-11-25", "0.10")  # 0.1 yuan is ten fen, not a float's 9.999…
    pay(clerk, case_id, "R2", "2026-11-26", "1999.9")
    assert "已登记" in errors(pay(clerk, case_id, "R1", "2026-11-27", "10", expect=422))
    amounts = db.session.scalars(select(CasePayment.amount_fen).order_by(CasePayment.id)).all()
    assert amounts == [10, 199_990]
    assert money(clerk, case_id)["unpaid"] == "3,000.00元"


@pytest.mark.today("2026-11-30")
def test_a_receipt_posted_twice_at_once_is_recorded_once(app, factory):
    case_id = served_case("2026-11-20", fine_yuan=5000)
    user = factory.user("city_clerk", authority_code=SHENYANG)
    clients, tokens = [], []
    for _ in range(2):
        c = app.test_client()
        login(c, user)
        clients.append(c)
        tokens.append(parse(c.get(f"/cases/{case_id}")).select_one('#record-payment input[name="csrf_token"]')["value"])

    def post(i):
        return lambda: clients[i].post(f"/cases/{case_id}/payments", data={
            "csrf_token": tokens[i], "receipt_number": "ZH-77", "paid_on": "2026-11-30", "amount": "2000"})

    responses = race(app, [post(0), post(1)])
    assert all(r.status_code in (302, 422) for r in responses), [r.status_code for r in responses]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CasePayment)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "penalty_case.payment_recorded")) == 1


@pytest.mark.today("2026-11-30")
def test_another_bureau_cannot_see_or_pay_and_a_head_cannot_record_receipts(app, factory):
    case_id = served_case("2026-11-20")
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    assert dalian.get(f"/cases/{case_id}").status_code == 404
    token = parse(dalian.get("/")).select_one('input[name="csrf_token"]')
    data = {"receipt_number": "X", "paid_on": "2026-11-25", "amount": "1"}
    if token is not None:
        data["csrf_token"] = token["value"]
    assert dalian.post(f"/cases/{case_id}/payments", data=data).status_code == 404
    head = app.test_client()
    login(head, factory.user("bureau_head", authority_code=SHENYANG))
    assert head.post(f"/cases/{case_id}/payments", data=data).status_code in (403, 400)
    assert db.session.scalar(select(func.count()).select_from(CasePayment)) == 0


# --- art. 66: deferral and instalments ---------------------------------------------------------------------
@pytest.mark.today("2025-10-05")
def test_a_deferral_approved_by_the_head_stops_the_surcharge_until_its_day(staff, pinned_clock):
    case_id = served_case("2025-09-16")
    clerk, head = staff.client("clerk"), staff.client("head")
    assert parse(clerk.get(f"/cases/{case_id}")).select_one("#step-approve_deferral") is None  # the head's
    refused = after(head, case_id, "approve_deferral", expect=409, kind="deferral", applied_on="2025-09-20",
                    approved_on="2025-09-25", due_on="2025-10-08", comment="当事人确有经济困难")
    assert "应晚于原缴款期限（2025-10-09）" in errors(refused)
    after(head, case_id, "approve_deferral", kind="deferral", applied_on="2025-09-20", approved_on="2025-09-25",
          due_on="2025-11-28", comment="当事人确有经济困难，准予延期至11月28日")
    case = _case(case_id)
    assert case.state == "deferred" and case.deferrals[0].approved_by_id == staff.head.id
    for day, surcharge in (("2025-11-28", "0.00元"), ("2025-12-01", "2,700.00元")):
        staff.later(pinned_clock, day)
        shown = money(staff.client("clerk"), case_id)
        assert shown["surcharge"] == surcharge and "2025年11月28日" in shown["due"]
    page = parse(staff.client("clerk").get(f"/cases/{case_id}"))
    assert "第六十六条第二款" in page.select_one("#reading-deferral").get_text()


@pytest.mark.today("2025-10-05")
def test_instalments_defer_while_kept_and_a_missed_one_restarts_the_surcharge(staff, pinned_clock):
    case_id = served_case("2025-09-16")
    head = staff.client("head")
    bad = after(head, case_id, "approve_deferral", expect=409, kind="instalments", applied_on="2025-09-20",
                approved_on="2025-09-25", instalments="2025-10-31 10000\n2025-11-28 10000", comment="分期")
    assert "合计应等于罚款30,000.00元" in errors(bad)
    after(head, case_id, "approve_deferral", kind="instalments", applied_on="2025-09-20", approved_on="2025-09-25",
          instalments="2025-10-31 15000\n2025-11-28 15000", comment="当事人确有经济困难，准予分两期缴纳")
    staff.later(pinned_clock, "2025-10-31")
    pay(staff.client("clerk"), case_id, "FQ-1", "2025-10-31", "15000")
    staff.later(pinned_clock, "2025-11-28")
    assert money(staff.client("clerk"), case_id)["surcharge"] == "0.00元"
    staff.later(pinned_clock, "2025-12-01")  # the second instalment missed: 3% of 15,000 a day from 11-29
    shown = money(staff.client("clerk"), case_id)
    assert shown["surcharge"] == "1,350.00元" and shown["unpaid"] == "15,000.00元"


# --- the court route -----------------------------------------------------------------------------------------
@pytest.mark.today("2026-07-08")
def test_the_court_is_asked_only_ten_working_days_after_the_reminder_and_within_the_window(staff, pinned_clock):
    case_id = served_case("2026-01-05", fine_yuan=10000)
    clerk = staff.client("clerk")
    too_early_reminder = after(clerk, case_id, "serve_reminder", expect=409, day="2026-01-19", method="direct")
    assert "缴款期限至2026-01-20" in errors(too_early_reminder)
    after(clerk, case_id, "serve_reminder", day="2026-07-01", method="direct")
    assert _case(case_id).state == "reminded"
    early = after(clerk, case_id, "apply_to_court", expect=409, day="2026-07-08", court="沈阳市和平区人民法院")
    assert "2026-07-16起方可申请" in errors(early) and "第五十四条" in errors(early)
    assert _case(case_id).state == "reminded"
    staff.later(pinned_clock, "2026-10-09")
    late = after(staff.client("clerk"), case_id, "apply_to_court", expect=409, day="2026-10-09",
                 court="沈阳市和平区人民法院")
    assert "已于2026-10-08届满" in errors(late)
    on_time = after(staff.client("clerk"), case_id, "apply_to_court", day="2026-07-20", court="沈阳市和平区人民法院")
    assert on_time.status_code == 302
    case = _case(case_id)
    assert case.state == "court_applied" and case.enforcement.court_name == "沈阳市和平区人民法院"
    assert case.enforcement.court_amount_fen > 1_000_000  # the fine and its surcharge
    assert "penalty_case.apply_to_court" in db.session.scalars(select(AuditEntry.action)).all()


@pytest.mark.today("2026-03-20")
def test_the_court_is_not_asked_before_the_review_and_litigation_periods_lapse(staff):
    case_id = served_case("2026-01-05", fine_yuan=10000)
    clerk = staff.client("clerk")
    after(clerk, case_id, "serve_reminder", day="2026-02-02", method="post")
    refused = after(clerk, case_id, "apply_to_court", expect=409, day="2026-03-20", court="沈阳市和平区人民法院")
    assert "2026-07-07起三个月内方可申请" in errors(refused) and "第五十三条" in errors(refused)


@pytest.mark.today("2026-07-08")
def test_forced_removal_only_by_the_court_and_only_where_the_provision_orders_it(staff, pinned_clock):
    removal_case = served_case("2026-01-05", fine_yuan=0, provision="liaoning-33", number="2")
    fine_case = served_case("2026-01-05", fine_yuan=10000, number="3")
    clerk = staff.client("clerk")
    page = parse(clerk.get(f"/cases/{removal_case}"))
    assert page.select_one("#money") is None  # no fine to pay
    after(clerk, removal_case, "serve_reminder", day="2026-07-01", method="direct")
    page = parse(clerk.get(f"/cases/{removal_case}"))
    assert page.select_one('#step-apply_to_court input[name="removal"]') is not None
    early = after(clerk, removal_case, "apply_to_court", expect=409, day="2026-07-08", court="沈阳市和平区人民法院",
                  removal="y")
    assert "2026-07-16起方可申请" in errors(early)
    staff.later(pinned_clock, "2026-07-16")
    after(staff.client("clerk"), removal_case, "apply_to_court", day="2026-07-16", court="沈阳市和平区人民法院",
          removal="y")
    assert _case(removal_case).enforcement.court_removal is True
    clerk = staff.client("clerk")
    after(clerk, fine_case, "serve_reminder", day="2026-07-01", method="direct")
    assert parse(clerk.get(f"/cases/{fine_case}")).select_one('#step-apply_to_court input[name="removal"]') is None
    refused = after(clerk, fine_case, "apply_to_court", expect=409, day="2026-07-16", court="沈阳市和平区人民法院",
                    removal="y")
    assert "没有规定强制拆除" in errors(refused)
    # The workflow has no step by which the bureau itself removes or collects (行政强制法 art. 13).
    from app.cases import service as penalty_cases

    names = set(penalty_cases.workflow().transitions)
    assert not {n for n in names if "remov" in n or "enforce" in n}


# --- `flask cases remind` and the home panel ---------------------------------------------------------------
@pytest.mark.today("2025-10-10")
def test_remind_marks_overdue_once_lists_deadlines_and_is_safe_to_rerun(app, factory):
    overdue = served_case("2025-09-16")
    upcoming = served_case("2025-09-26", number="2")  # due 10-11, a make-up working Saturday: upcoming
    runner = app.test_cli_runner()
    first = runner.invoke(args=["cases", "remind"])
    assert first.exit_code == 0, first.output
    assert "逾期未缴纳：沈公（技）罚决字〔2025〕0001号" in first.output
    assert "沈公（技）罚决字〔2025〕0002号" in first.output and "2025-10-11 即将到期" in first.output
    assert _case(overdue).state == "overdue" and _case(upcoming).state == "served"
    assert _case(overdue).surcharge_fen == 90_000  # the surcharge to date, for the reminder document
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    second = runner.invoke(args=["cases", "remind"])
    assert second.exit_code == 0 and "标记逾期 0 件，新记录提醒 0 条" in second.output
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "penalty_case.mark_overdue")) == 1
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    home = parse(clerk.get("/")).get_text(" ", strip=True)
    assert "案件期限" in home and "0001号 · 缴纳罚款" in home and "2025-10-09 已到期" in home
    assert "2025-10-11 即将到期" in home
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    assert "0001号" not in parse(dalian.get("/")).get_text(" ", strip=True)


@pytest.mark.today("2026-12-21")
def test_a_year_the_calendar_does_not_cover_is_refused_with_a_clear_message(app, factory):
    case_id = served_case("2026-12-20")  # 15 days end in 2027, which chinese-calendar does not know
    runner = app.test_cli_runner()
    out = runner.invoke(args=["cases", "remind"]).output
    assert "2027年的法定节假日安排尚未收录" in out
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    page = parse(clerk.get(f"/cases/{case_id}"))
    assert "2027年的法定节假日安排尚未收录" in page.select_one("#money-error").get_text()
    assert "2027年的法定节假日安排尚未收录" in parse(clerk.get("/")).get_text(" ", strip=True)
    refused = pay(clerk, case_id, "R", "2026-12-21", "100", expect=422)
    assert "2027年" in errors(refused)


# --- point 6: a case decided in the system counts ---------------------------------------------------------
@pytest.mark.today("2026-11-30")
def test_a_case_decided_in_the_system_counts_in_the_annual_statistics(staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    to_review(staff, case_id, amount=30000, notified_on="2026-11-30")
    step(staff.client("reviewer"), case_id, "pass_review", comment="同意")
    step(staff.client("head"), case_id, "decide", comment="罚款三万元")
    case = _case(case_id)
    assert case.outcome == "fined" and case.decided_on == dt.date(2026, 11, 30)
    from app.transfer.exports import annual_figures

    for cities in (None, {SHENYANG}):  # the whole province, and the Shenyang bureau's own figures
        cases = annual_figures(2026, cities).cases
        assert cases.loc["合计", "罚款"] == 1, cities
    assert annual_figures(2026, {"210200"}).cases.loc["合计", "罚款"] == 0  # not Dalian's
    dashboard = staff.client("clerk").get("/dashboard/?year=2026")
    assert dashboard.status_code == 200


def _bare_case(number: str, state: str, **fields) -> int:
    case = PenaltyCase(case_number=f"沈公（技）罚决字〔2025〕{int(number):04d}号", party_name="某单位", party_type="unit",
                       jurisdiction="liaoning", provision_code="liaoning-35", authority_code=SHENYANG, state=state,
                       outcome=fields.pop("outcome", "pending"), editor_ids=[], **fields)
    db.session.add(case)
    db.session.commit()
    return case.id


@pytest.mark.today("2025-10-27")
def test_the_home_panel_lists_each_kind_of_case_deadline(app, factory):
    _bare_case("11", "investigating", opened_on=dt.date(2025, 8, 1))  # art. 60: 90 days → 10-30
    _bare_case("12", "notified", opened_on=dt.date(2025, 10, 1), notified_on=dt.date(2025, 10, 22),
               hearing_offered=True, hearing_request_due=dt.date(2025, 10, 29))
    _bare_case("13", "decided", opened_on=dt.date(2025, 9, 1), decided_on=dt.date(2025, 10, 20), outcome="fined",
               fine_decided_fen=100_000, proposed_fen=100_000)  # art. 61: 7 working days → 10-29
    reminded = served_case("2025-04-01", fine_yuan=1000, number="14", state="reminded")
    from app.models import CaseEnforcement

    db.session.add(CaseEnforcement(case_id=reminded, reminder_served_on=dt.date(2025, 10, 9), reminder_method="direct"))
    db.session.commit()
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code=SHENYANG))
    rows = [r.get_text(" ", strip=True) for r in parse(clerk.get("/")).select("tr")]
    expected = {
        "0011号 · 作出处罚决定（立案之日起九十日": "2025-10-30 即将到期",
        "0012号 · 当事人申请听证的期限": "2025-10-29 即将到期",
        "0013号 · 送达处罚决定书": "2025-10-29 即将到期",
        # ten working days after 10-09 (10-11 a make-up working Saturday): from 10-23 the court may be asked
        "0014号 · 催告期满，可申请人民法院强制执行": "2025-10-23 已到期",
    }
    for label, when in expected.items():
        matching = [r for r in rows if label in r]
        assert matching and when in matching[0], (label, rows)
    assert not [r for r in rows if "最后一日" in r]  # 2026-01-09: not within seven days


@pytest.mark.today("2025-10-06")
def test_a_deferral_overlapping_a_review_counts_each_day_once(staff, pinned_clock):
    case_id = served_case("2025-09-16")
    clerk, head = staff.client("clerk"), staff.client("head")
    response = post_form(clerk, f"/cases/{case_id}/pauses", {"kind": "review", "start_on": "2025-10-05"},
                         token_from=f"/cases/{case_id}")
    assert response.status_code == 302
    after(head, case_id, "approve_deferral", kind="deferral", applied_on="2025-09-20", approved_on="2025-10-06",
          due_on="2025-10-31", comment="当事人确有经济困难，准予延期")
    staff.later(pinned_clock, "2025-11-03")
    clerk = staff.client("clerk")
    page = parse(clerk.get(f"/cases/{case_id}"))
    pause_id = page.select_one("#pauses form")["action"].split("/")[-2]
    post_form(clerk, f"/cases/{case_id}/pauses/{pause_id}/end", {"end_on": "2025-10-20"}, token_from=f"/cases/{case_id}")
    # No surcharge 10-05..10-31 (review, then the deferral); 11-01..11-03 accrue: 3 × 900.
    shown = money(clerk, case_id)
    assert shown["surcharge"] == "2,700.00元" and shown["days"].startswith("3")

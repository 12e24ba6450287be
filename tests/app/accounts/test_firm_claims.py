"""Issue 9, defect 1: an account acts for a firm only once the firm's bureau has bound it.

The attack: POST /auth/register with a credit code off the public roster and any name bound the new account
to that firm (filing, number, certificate, cancellation). Now sign-up never binds to a firm in the register;
the real firm claims it with a bureau's one-time code (single use, expiring, audited) or a request the
bureau approves, and the claim wins over any account holding the firm.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading

import pytest
import time_machine
from sqlalchemy import func, select

from app.accounts import claims
from app.filings import service as filings
from app.models import AccountCode, AuditEntry, ClaimRequest, FilingDocument, FilingRequest, Firm, User
from tests.app.filing_support import form_data, submit_new, submitted_request, upload_fields
from tests.conftest import beijing
from tests.support import PASSWORD, csrf_token, everything_in, login, page_text, parse, post_form

pytestmark = pytest.mark.today("2026-11-30")

NEW_PASSWORD = "Kestrel-harbour-9127"


def _register(client, credit_code, username, firm_name="随便填写的公司"):
    return post_form(client, "/auth/register", {
        "firm_name": firm_name, "credit_code": credit_code, "username": username,
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })


def _login(client, username, password=NEW_PASSWORD):
    response = post_form(client, "/auth/login", {"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def _signed_up(app, db, credit_code, username):
    """A fresh client that signed up with this credit code and logged in, and its account."""
    client = app.test_client()
    assert _register(client, credit_code, username).status_code == 302
    _login(client, username)
    return client, db.session.scalar(select(User).where(User.username == username))


def _filed_firm_without_account(app, db, factory):
    """A firm in the register (filed through the app: number, certificate, messages, documents) whose
    account is gone, like every firm loaded from a legacy roster: the firm the attacker goes for."""
    request, owner = submitted_request(app, factory, city_code="210100")
    clerk = factory.user("city_clerk", authority_code="210100")
    filings.decide(request, "approve", clerk, "材料齐全，准予备案")
    firm = request.firm
    owner.firm_id = None
    db.session.commit()
    assert firm.filing_status == "in_force" and firm.filing_number and firm.account is None
    return firm, request


def _audit_actions(db):
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _issue_code_page(client, firm_id):
    response = post_form(client, f"/accounts/firms/{firm_id}/claim-code", {}, token_from=f"/accounts/firms/{firm_id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page = parse(response)
    return page_text(page.select_one(".notice-code")), page_text(page)


# --- the attack ---------------------------------------------------------------------------------------
def test_sign_up_with_a_roster_firms_credit_code_gains_nothing_of_the_firm(app, db, factory):
    firm, request = _filed_firm_without_account(app, db, factory)
    document_id = request.documents[0].id
    attacker, account = _signed_up(app, db, firm.credit_code, "squatter")

    assert account.firm_id is None and account.firm_binding == "pending"
    assert db.session.get(Firm, firm.id).account is None
    home = attacker.get("/")
    for secret in (firm.name, firm.filing_number, "材料齐全", "备案有效"):
        assert secret not in everything_in(home)
    assert "绑定单位" in page_text(home)  # it is told how to bind instead
    listing = attacker.get("/filings/")
    assert listing.status_code == 302 and listing.headers["Location"].endswith("/accounts/bind")
    assert firm.filing_number not in everything_in(attacker.get("/accounts/bind"))
    for url in (f"/filings/{request.id}", f"/filings/{request.id}/edit", "/filings/certificate.pdf",
                f"/filings/documents/{document_id}"):
        assert attacker.get(url).status_code == 404, url
    token = csrf_token(attacker, "/accounts/bind")
    for kind in ("initial", "change", "cancellation"):
        assert attacker.post("/filings/start", data={"kind": kind, "csrf_token": token}).status_code == 400
    assert attacker.post(f"/filings/{request.id}/withdraw", data={"csrf_token": token}).status_code == 404
    assert db.session.scalar(select(func.count(FilingRequest.id)).where(FilingRequest.firm_id == firm.id)) == 1


def test_sign_up_answers_alike_for_every_credit_code_and_only_names_a_taken_username(app, client, db, factory):
    roster_firm, _request = _filed_firm_without_account(app, db, factory)
    held = factory.credit_code("210100")
    _register(app.test_client(), held, "first_holder")  # a pending sign-up holds this provisional firm
    answers = []
    for n, code in enumerate((factory.credit_code("210100"), roster_firm.credit_code, held)):
        response = _register(app.test_client(), code, f"newcomer{n}")
        answers.append((response.status_code, response.headers.get("Location")))
    assert len(set(answers)) == 1 and answers[0][0] == 302

    page = _register(client, factory.credit_code("210100"), "newcomer0")
    assert "该用户名不可用，请换一个" in page_text(page)
    assert "统一社会信用代码已" not in everything_in(page) and "已注册" not in everything_in(page)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "newcomer0")) == 1


def test_sign_up_is_throttled_per_address(client, factory):
    codes = [factory.credit_code("210100") for _ in range(11)]
    statuses = [_register(client, code, f"burst{n}").status_code for n, code in enumerate(codes)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429


def test_two_sign_ups_with_one_new_credit_code_at_once_leave_one_holder(app, db, factory):
    code = factory.credit_code("210100")
    clients = [app.test_client() for _ in range(2)]
    tokens = [csrf_token(c, "/auth/register") for c in clients]
    db.session.remove()
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def sign_up(client, token, n):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                statuses.append(client.post("/auth/register", data={
                    "firm_name": "同时注册公司", "credit_code": code, "username": f"twin{n}", "password": NEW_PASSWORD,
                    "confirm": NEW_PASSWORD, "csrf_token": token}).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign_up, args=(c, t, n)) for n, (c, t) in enumerate(zip(clients, tokens, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and statuses == [302, 302]
    users = db.session.scalars(select(User).where(User.username.in_(["twin0", "twin1"]))).all()
    assert len(users) == 2 and sorted(u.firm_id is None for u in users) == [False, True]
    assert db.session.scalar(select(func.count(Firm.id)).where(Firm.credit_code == code)) == 1


# --- pending sign-up of a firm not yet in the register ------------------------------------------------
def test_a_new_firm_signs_up_files_and_is_bound_when_the_bureau_approves(app, db, factory):
    pack = app.extensions["jifang.pack"]
    code = factory.credit_code("210100")
    firm_client, account = _signed_up(app, db, code, "newfirm")
    firm = account.firm
    assert firm.provisional and account.firm_binding == "pending" and firm.credit_code == code
    assert "账号待核实" in page_text(firm_client.get("/"))

    request_id = submit_new(firm_client, pack, city_code="210100")
    clerk_client = app.test_client()
    clerk = factory.user("city_clerk", authority_code="210100")
    login(clerk_client, clerk)
    provisional = parse(clerk_client.get(f"/review/{request_id}")).select_one("#provisional-firm")
    assert provisional is not None and "营业执照" in page_text(provisional)
    assert post_form(clerk_client, f"/review/{request_id}/decide", {"action": "approve", "comment": "", "confirm": "1"},
                     token_from=f"/review/{request_id}").status_code == 302

    account, firm = db.session.get(User, account.id), db.session.get(Firm, firm.id)
    assert account.firm_binding == "bound" and not firm.provisional and firm.filing_status == "in_force"
    bind = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.bind")).one()
    assert bind.detail["how"] == "first_filing_approved" and bind.actor_id == clerk.id
    assert firm_client.get("/filings/certificate.pdf").status_code == 200
    assert "账号待核实" not in everything_in(firm_client.get("/"))


def test_a_pending_account_may_start_only_the_first_filing(app, db, factory):
    client, account = _signed_up(app, db, factory.credit_code("210100"), "pendingfirm")
    token = csrf_token(client, "/filings/")
    for kind in ("change", "cancellation"):
        response = client.post("/filings/start", data={"kind": kind, "csrf_token": token})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count(FilingRequest.id))) == 0
    assert "只能办理本单位的首次备案" in page_text(client.get("/filings/"))


def test_a_pending_account_never_gains_its_firm_once_the_firm_is_filed_by_other_means(app, db, factory):
    """An import (or a clerk) that files the provisional firm does not hand it to the unverified account."""
    client, account = _signed_up(app, db, factory.credit_code("210100"), "pendingfirm")
    firm = account.firm
    firm.filing_number, firm.filing_status, firm.filed_on = "辽公技防备字〔2026〕第9号", "in_force", dt.date(2026, 11, 1)
    firm.filing_authority_code = "210100"
    db.session.commit()
    assert client.get("/filings/certificate.pdf").status_code == 404
    account = db.session.get(User, account.id)
    assert account.firm_id is None and "account.detach" in _audit_actions(db)


# --- claim codes --------------------------------------------------------------------------------------
def test_the_real_firm_claims_with_a_bureau_code_and_the_squatter_is_detached(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    squatter = factory.user("firm", "squatter", firm=firm)  # bound through the old hole
    squatter_client = app.test_client()
    login(squatter_client, squatter)
    generation = squatter.session_generation

    clerk_client = app.test_client()
    login(clerk_client, factory.user("city_clerk", authority_code="210100"))
    found = clerk_client.get(f"/accounts/?credit_code={firm.credit_code}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/accounts/firms/{firm.id}")
    code, notice = _issue_code_page(clerk_client, firm.id)
    assert firm.name in notice and firm.credit_code in notice and "沈阳市公安局" in notice
    assert "2026-12-30" in notice and "北京时间" in notice  # 30 days, Beijing time
    stored = db.session.scalars(select(AccountCode)).one()
    assert stored.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert code not in everything_in(clerk_client.get(f"/accounts/firms/{firm.id}"))  # shown once

    owner_client, owner = _signed_up(app, db, firm.credit_code, "realowner")
    response = post_form(owner_client, "/accounts/claim", {"code": code.lower().replace("-", " ")},
                         token_from="/accounts/bind")
    assert response.status_code == 302
    owner, squatter = db.session.get(User, owner.id), db.session.get(User, squatter.id)
    assert owner.firm_id == firm.id and owner.firm_binding == "bound"
    assert squatter.firm_id is None and squatter.session_generation > generation
    assert owner_client.get("/filings/certificate.pdf").status_code == 200
    assert squatter_client.get("/filings/certificate.pdf").status_code in (302, 404)
    actions = _audit_actions(db)
    assert {"account_code.issue_claim", "account.detach", "account.bind"} <= set(actions)

    again, other = _signed_up(app, db, firm.credit_code, "latecomer")
    page = post_form(again, "/accounts/claim", {"code": code}, token_from="/accounts/bind")
    assert "认领码无效或已失效" in page_text(page) and db.session.get(User, other.id).firm_id is None


def test_a_new_code_revokes_the_older_one(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    clerk = factory.user("city_clerk", authority_code="210100")
    first = claims.issue_code(clerk, purpose="claim", firm=firm).code
    second = claims.issue_code(clerk, purpose="claim", firm=firm).code
    client, account = _signed_up(app, db, firm.credit_code, "claimer")
    assert "认领码无效或已失效" in page_text(post_form(client, "/accounts/claim", {"code": first},
                                                     token_from="/accounts/bind"))
    assert post_form(client, "/accounts/claim", {"code": second}, token_from="/accounts/bind").status_code == 302


def test_an_expired_claim_code_is_refused(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    clerk = factory.user("city_clerk", authority_code="210100")
    with time_machine.travel(beijing("2026-11-30"), tick=False):
        code = claims.issue_code(clerk, purpose="claim", firm=firm).code
    with time_machine.travel(beijing("2026-12-31"), tick=False):
        client, account = _signed_up(app, db, firm.credit_code, "toolate")
        response = post_form(client, "/accounts/claim", {"code": code}, token_from="/accounts/bind")
        assert response.status_code == 422 and "认领码无效或已失效" in page_text(response)
    assert db.session.get(User, account.id).firm_id is None


def test_a_claim_code_binds_exactly_one_of_two_accounts_redeeming_it_at_once(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    code = claims.issue_code(factory.user("city_clerk", authority_code="210100"), purpose="claim", firm=firm).code
    contenders = [_signed_up(app, db, firm.credit_code, f"racer{n}") for n in range(2)]
    tokens = [csrf_token(client, "/accounts/bind") for client, _user in contenders]
    firm_id = firm.id
    db.session.remove()
    barrier = threading.Barrier(len(contenders))
    statuses, errors = [], []

    def redeem(client, token):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                statuses.append(client.post("/accounts/claim", data={"code": code, "csrf_token": token}).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=redeem, args=(client, token)) for (client, _u), token in zip(contenders, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sorted(statuses) == [302, 422]
    bound = db.session.scalars(select(User).where(User.firm_id == firm_id)).all()
    assert len(bound) == 1 and bound[0].username in ("racer0", "racer1")
    assert _audit_actions(db).count("account.bind") == 1


def test_claim_code_redemption_is_throttled(app, db, factory):
    client, _account = _signed_up(app, db, factory.credit_code("210100"), "guesser")
    token = csrf_token(client, "/accounts/bind")
    statuses = [client.post("/accounts/claim", data={"code": f"AAAA-BBBB-CC{n:02d}", "csrf_token": token}).status_code
                for n in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_only_the_firms_bureau_or_the_province_issues_codes(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    page = dalian.get(f"/accounts/?credit_code={firm.credit_code}")
    assert "本辖区没有该统一社会信用代码的单位" in page_text(page) and firm.name not in everything_in(page)
    assert dalian.get(f"/accounts/firms/{firm.id}").status_code == 404
    token = csrf_token(dalian, "/accounts/")
    assert dalian.post(f"/accounts/firms/{firm.id}/claim-code", data={"csrf_token": token}).status_code == 404
    province = app.test_client()
    login(province, factory.user("provincial_clerk"))
    assert province.get(f"/accounts/firms/{firm.id}").status_code == 200
    firm_client, _ = _signed_up(app, db, factory.credit_code("210100"), "nosy")
    assert firm_client.get(f"/accounts/firms/{firm.id}").status_code == 403
    assert db.session.scalar(select(func.count(AccountCode.id))) == 0


# --- claim requests -----------------------------------------------------------------------------------
def _request_claim(client, credit_code):
    return post_form(client, "/accounts/claim-request", {
        "credit_code": credit_code, "applicant_name": "张三", "applicant_phone": "024-88886666",
        "note": "本单位法定代表人授权办理",
    }, token_from="/accounts/bind")


def test_a_claim_request_goes_to_the_firms_bureau_which_refuses_or_approves_it(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    applicant_client, applicant = _signed_up(app, db, firm.credit_code, "applicant")
    assert _request_claim(applicant_client, firm.credit_code).status_code == 302
    claim = db.session.scalars(select(ClaimRequest)).one()
    assert claim.authority_code == "210100" and claim.firm_id == firm.id

    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    assert dalian.get(f"/accounts/requests/{claim.id}").status_code == 404
    assert "张三" not in everything_in(dalian.get("/accounts/"))
    token = csrf_token(dalian, "/accounts/")
    assert dalian.post(f"/accounts/requests/{claim.id}/decide",
                       data={"decision": "approve", "version": "1", "csrf_token": token}).status_code == 404

    shenyang = app.test_client()
    login(shenyang, factory.user("city_clerk", authority_code="210100"))
    assert "张三" in page_text(shenyang.get("/accounts/"))
    url = f"/accounts/requests/{claim.id}"
    no_reason = post_form(shenyang, url + "/decide", {"decision": "refuse", "note": "", "version": "1"}, token_from=url)
    assert no_reason.status_code == 422 and "不同意须写明理由" in page_text(no_reason)
    post_form(shenyang, url + "/decide", {"decision": "refuse", "note": "营业执照与单位名称不符", "version": "1"},
              token_from=url)
    assert db.session.get(ClaimRequest, claim.id).state == "refused"
    assert "营业执照与单位名称不符" in page_text(applicant_client.get("/accounts/bind"))
    assert db.session.get(User, applicant.id).firm_id is None

    _request_claim(applicant_client, firm.credit_code)
    second = db.session.scalars(select(ClaimRequest).where(ClaimRequest.state == "pending")).one()
    url = f"/accounts/requests/{second.id}"
    assert post_form(shenyang, url + "/decide", {"decision": "approve", "note": "", "version": "1"},
                     token_from=url).status_code == 302
    assert db.session.get(User, applicant.id).firm_id == firm.id
    assert applicant_client.get("/filings/certificate.pdf").status_code == 200

    before = len(_audit_actions(db))
    token = csrf_token(shenyang, "/accounts/")
    again = shenyang.post(url + "/decide", data={"decision": "refuse", "note": "重复", "version": "1",
                                                 "csrf_token": token}, follow_redirects=True)
    assert "该申请已被处理" in page_text(again)
    assert len(_audit_actions(db)) == before and db.session.get(ClaimRequest, second.id).state == "approved"


def test_a_claim_request_for_a_code_not_on_the_roster_is_told_to_file(app, db, factory):
    client, _account = _signed_up(app, db, factory.credit_code("210100"), "filer")
    unknown = factory.credit_code("210100")
    assert "备案名录中没有该统一社会信用代码的单位" in page_text(_request_claim(client, unknown))
    assert db.session.scalar(select(func.count(ClaimRequest.id))) == 0


def test_two_clerks_deciding_one_claim_request_at_once_apply_one_decision(app, db, factory):
    firm, _request = _filed_firm_without_account(app, db, factory)
    applicant_client, applicant = _signed_up(app, db, firm.credit_code, "applicant")
    _request_claim(applicant_client, firm.credit_code)
    claim_id = db.session.scalars(select(ClaimRequest.id)).one()
    url = f"/accounts/requests/{claim_id}"
    clerks = []
    for _n in range(2):
        client = app.test_client()
        login(client, factory.user("city_clerk", authority_code="210100"))
        clerks.append((client, csrf_token(client, url)))
    firm_id, applicant_id = firm.id, applicant.id
    db.session.remove()
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def decide(client, token, decision):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                response = client.post(url + "/decide", data={"decision": decision, "note": "核实", "version": "1",
                                                              "csrf_token": token})
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=(c, t, d)) for (c, t), d in zip(clerks, ("approve", "refuse"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and statuses == [302, 302]
    decisions = [a for a in _audit_actions(db) if a.startswith("claim_request.") and a != "claim_request.create"]
    assert len(decisions) == 1
    state = db.session.get(ClaimRequest, claim_id).state
    assert (db.session.get(User, applicant_id).firm_id == firm_id) == (state == "approved")


# --- flagged accounts ---------------------------------------------------------------------------------
def test_the_bureau_confirms_or_revokes_accounts_bound_through_the_old_sign_up(app, db, factory):
    firm_a, _ = _filed_firm_without_account(app, db, factory)
    firm_b, _ = _filed_firm_without_account(app, db, factory)
    flagged_a = factory.user("firm", "old_a", firm=firm_a)
    flagged_b = factory.user("firm", "old_b", firm=firm_b)
    for user in (flagged_a, flagged_b):
        user.binding_flagged = True
    db.session.commit()

    a_client = app.test_client()
    login(a_client, flagged_a)
    assert "账号待确认" in page_text(a_client.get("/"))
    token = csrf_token(a_client, "/filings/")
    a_client.post("/filings/start", data={"kind": "cancellation", "csrf_token": token})
    assert db.session.scalar(select(func.count(FilingRequest.id)).where(FilingRequest.kind == "cancellation")) == 0

    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    assert "old_a" not in everything_in(dalian.get("/accounts/"))
    token = csrf_token(dalian, "/accounts/")
    assert dalian.post(f"/accounts/flagged/{flagged_a.id}/decide",
                       data={"decision": "revoke", "csrf_token": token}).status_code == 404

    shenyang = app.test_client()
    login(shenyang, factory.user("city_clerk", authority_code="210100"))
    page = page_text(shenyang.get("/accounts/"))
    assert "需确认的单位账号" in page and "old_a" in page and "old_b" in page
    token = csrf_token(shenyang, "/accounts/")
    shenyang.post(f"/accounts/flagged/{flagged_a.id}/decide", data={"decision": "confirm", "csrf_token": token})
    shenyang.post(f"/accounts/flagged/{flagged_b.id}/decide", data={"decision": "revoke", "csrf_token": token})
    flagged_a, flagged_b = db.session.get(User, flagged_a.id), db.session.get(User, flagged_b.id)
    assert not flagged_a.binding_flagged and flagged_a.firm_id == firm_a.id
    assert flagged_b.firm_id is None and flagged_b.session_generation > 0
    assert {"account.confirm_binding", "account.detach"} <= set(_audit_actions(db))

    token = csrf_token(a_client, "/filings/")
    assert a_client.post("/filings/start", data={"kind": "cancellation", "csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(FilingRequest.id)).where(FilingRequest.kind == "cancellation")) == 1


def test_a_flagged_account_cannot_send_a_cancellation_drafted_before_it_was_flagged(app, db, factory):
    firm, _ = _filed_firm_without_account(app, db, factory)
    user = factory.user("firm", "old_c", firm=firm)
    draft = filings.start_request(firm, "cancellation", user)
    user.binding_flagged = True
    db.session.commit()
    client = app.test_client()
    login(client, user)
    url = f"/filings/{draft.id}/edit"
    response = post_form(client, url, {"reason": "停业", "send": "1", "version": str(draft.version)},
                         follow_redirects=True)
    assert "确认前不能申请注销备案" in page_text(response)
    assert db.session.get(FilingRequest, draft.id).state == "draft"
    assert db.session.get(Firm, firm.id).filing_status == "in_force"


# --- reset codes --------------------------------------------------------------------------------------
def _reset(client, username, code, password=NEW_PASSWORD):
    return post_form(client, "/auth/reset", {"username": username, "code": code, "password": password,
                                             "confirm": password})


def test_a_firm_resets_its_password_with_a_code_from_its_bureau(app, db, factory):
    user = factory.user("firm", "forgetful")
    old_session = app.test_client()
    login(old_session, user)
    user = db.session.get(User, user.id)
    user.failed_logins, user.locked_until = 9, dt.datetime(2030, 1, 1)  # locked out after failed log-ins
    db.session.commit()

    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    token = csrf_token(dalian, "/accounts/")
    assert dalian.post(f"/accounts/firms/{user.firm_id}/reset-code",
                       data={"user_id": user.id, "csrf_token": token}).status_code == 404
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code="210100"))
    page = parse(post_form(clerk, f"/accounts/firms/{user.firm_id}/reset-code", {"user_id": user.id},
                           token_from=f"/accounts/firms/{user.firm_id}"))
    code = page_text(page.select_one(".notice-code"))
    assert "forgetful" in page_text(page) and "2026-12-01" in page_text(page)  # 24 hours, Beijing time

    stranger = app.test_client()
    wrong_code = page_text(_reset(stranger, "forgetful", "AAAA-AAAA-AAAA"))
    wrong_user = page_text(_reset(stranger, "nobody", code))
    for text in (wrong_code, wrong_user):
        assert "用户名或重置码不正确，或重置码已失效" in text
    assert "密码至少需要10个字符" in page_text(_reset(stranger, "forgetful", code, password="short1"))

    assert _reset(stranger, "forgetful", code).status_code == 302
    user = db.session.get(User, user.id)
    assert user.failed_logins == 0 and user.locked_until is None and user.session_generation > 0
    assert "account.reset_password" in _audit_actions(db)
    assert old_session.get("/filings/").status_code == 302  # the session from before the reset has ended
    _login(app.test_client(), "forgetful")
    assert "用户名或重置码不正确" in page_text(
        _reset(stranger, "forgetful", code, password="Another-otter-5531"))  # single use


def test_a_reset_code_expires_after_a_day(app, db, factory):
    user = factory.user("firm", "slowpoke")
    clerk = factory.user("city_clerk", authority_code="210100")
    with time_machine.travel(beijing("2026-11-30"), tick=False):
        code = claims.issue_code(clerk, purpose="reset", firm=user.firm, user=user).code
    with time_machine.travel(beijing("2026-12-01", at="10:01"), tick=False):
        assert "重置码已失效" in page_text(_reset(app.test_client(), "slowpoke", code))


# --- expiry of pending sign-ups -----------------------------------------------------------------------
def test_pending_sign_ups_without_a_submitted_filing_expire_after_30_days(app, db, factory, runner):
    pack = app.extensions["jifang.pack"]
    with time_machine.travel(beijing("2026-10-01"), tick=False):
        drafter_client, drafter = _signed_up(app, db, factory.credit_code("210100"), "drafter")
        request_id = int(re.search(r"/filings/(\d+)/edit", post_form(
            drafter_client, "/filings/start", {"kind": "initial"}, token_from="/filings/").headers["Location"]).group(1))
        data = form_data(pack)
        data.update(upload_fields(pack))
        data["save"] = "1"
        post_form(drafter_client, f"/filings/{request_id}/edit", data)
        stored = db.session.scalars(select(FilingDocument.stored_name)).all()
        assert stored
        submitter_client, submitter = _signed_up(app, db, factory.credit_code("210100"), "submitter")
        submit_new(submitter_client, pack, city_code="210100")
        _unbound_client, unbound = _signed_up(app, db, _filed_firm_without_account(app, db, factory)[0].credit_code,
                                              "unbound")
    drafter_firm = drafter.firm_id
    with time_machine.travel(beijing("2026-10-30"), tick=False):
        assert runner.invoke(args=["accounts", "expire"]).exit_code == 0
        assert db.session.get(User, drafter.id).active  # 29 days: not yet
    with time_machine.travel(beijing("2026-11-01"), tick=False):
        result = runner.invoke(args=["accounts", "expire"])
    assert result.exit_code == 0 and "2" in result.output
    assert not db.session.get(User, drafter.id).active and not db.session.get(User, unbound.id).active
    assert db.session.get(User, submitter.id).active
    assert db.session.get(FilingRequest, request_id) is None and db.session.get(Firm, drafter_firm) is None
    upload_dir = app.config["UPLOAD_FOLDER"]
    import pathlib

    assert not any((pathlib.Path(upload_dir) / name).exists() for name in stored)
    assert _audit_actions(db).count("account.expire") == 2


def test_an_expired_pending_account_is_closed_when_it_next_comes_back(app, db, factory):
    with time_machine.travel(beijing("2026-10-01"), tick=False):
        client = app.test_client()
        _register(client, factory.credit_code("210100"), "latecomer")
    with time_machine.travel(beijing("2026-11-02"), tick=False):
        post_form(client, "/auth/login", {"username": "latecomer", "password": NEW_PASSWORD})
        response = client.get("/", follow_redirects=True)
        assert "已停用" in page_text(response)
    user = db.session.scalar(select(User).where(User.username == "latecomer"))
    assert not user.active and user.firm_id is None


def test_role_and_scope_of_every_accounts_page(app, factory, client):
    """Anonymous visitors are sent to log in; firms may not open the clerks' pages."""
    for url in ("/accounts/", "/accounts/bind", "/accounts/firms/1", "/accounts/requests/1"):
        assert client.get(url).status_code == 302
    assert client.get("/auth/reset").status_code == 200
    assert parse(client.get("/auth/login")).select_one('a[href="/auth/reset"]') is not None
    firm_client, _ = (app.test_client(), None)
    login(firm_client, factory.user("firm"))
    assert firm_client.get("/accounts/").status_code == 403
    assert PASSWORD  # the factory's accounts log in with the shared test password

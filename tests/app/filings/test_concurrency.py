"""Simultaneous actions (issue 9, defects 3 and 4): each transition of a filing request is applied at most
once, and no request ends in a 500 because another one wrote at the same moment.

Races are real: threads released together by a barrier, each with its own test client and log-in, on
SQLite and on PostgreSQL (JIFANG_TEST_DATABASE_URL). The clock is pinned to a working Monday.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

import app as app_package
from app import audit
from app.extensions import db
from app.filings import service as filings
from app.models import AuditEntry, FilingMessage, FilingNumberCounter, FilingRequest
from tests.app.filing_support import form_data, submitted_request
from tests.support import form_fields, login, page_text, post_form, race

MONDAY = dt.datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
STALE = "已被他人处理"


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": False}  # the log-in throttle would answer 429 before the database is hit


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _form_of(client, url: str) -> dict:
    """What a browser holds after loading ``url``: the CSRF token and the request version of the page."""
    fields = form_fields(client.get(url))
    assert fields.get("csrf_token"), f"no form on {url}"
    return {name: fields[name] for name in ("csrf_token", "version") if name in fields}


def _actions(action: str, object_id: int | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return db.session.scalar(query)


def _no_server_errors(responses) -> None:
    codes = [r.status_code for r in responses]
    assert not [c for c in codes if c >= 500], codes


# --- approvals ----------------------------------------------------------------------------------------
def test_three_simultaneous_approvals_apply_once(app, factory):
    request, _firm_user = submitted_request(app, factory, city_code="210100")
    first, second = (factory.user("city_clerk", authority_code="210100") for _ in range(2))
    # two clerks, one of them in two tabs
    clients = [_client(app, first), _client(app, first), _client(app, second)]
    url = f"/review/{request.id}"
    forms = [_form_of(c, url) for c in clients]
    rid = request.id

    responses = race(app, [
        (lambda c=c, f=f: c.post(f"{url}/decide", data={**f, "action": "approve", "comment": "", "confirm": "1"}))
        for c, f in zip(clients, forms, strict=True)
    ])
    _no_server_errors(responses)
    assert sorted(r.status_code for r in responses) == [302, 409, 409]
    for loser in (r for r in responses if r.status_code == 409):
        assert STALE in page_text(loser)

    stored = db.session.get(FilingRequest, rid)
    assert stored.state == "filed" and stored.firm.filing_number
    assert _actions("filing.approve", rid) == 1
    notices = db.session.scalars(select(FilingMessage).where(
        FilingMessage.request_id == rid, FilingMessage.from_firm.is_(False))).all()
    assert len(notices) == 1
    assert db.session.scalar(select(FilingNumberCounter.last_seq)) == 1  # no number lost
    assert audit.verify(checkpoints=False).ok


def test_a_decision_on_a_page_someone_has_acted_on_since_is_refused(app, factory):
    """No true race: the page was loaded, another clerk returned the request, then this clerk approves."""
    request, _firm_user = submitted_request(app, factory, city_code="210100")
    late, quick = (_client(app, factory.user("city_clerk", authority_code="210100")) for _ in range(2))
    url = f"/review/{request.id}"
    stale_form = _form_of(late, url)
    assert post_form(quick, f"{url}/decide", {"action": "return", "comment": "请补充培训证书"}).status_code == 302

    response = late.post(f"{url}/decide", data={**stale_form, "action": "reject", "comment": "不予通过", "confirm": "1"})
    assert response.status_code == 409 and STALE in page_text(response)
    stored = db.session.get(FilingRequest, request.id)
    assert stored.state == "returned"
    assert _actions("filing.reject", request.id) == 0 and _actions("filing.return_for_correction", request.id) == 1


def test_the_daily_reminders_leave_an_open_review_page_valid(app, factory, runner):
    """A reminder is not an act on the request: a clerk's page loaded before `flask filings remind` ran
    still decides (the reminder keeps the request's version)."""
    request, _firm_user = submitted_request(app, factory, city_code="210100")
    request.state_entered_at = dt.datetime(2026, 10, 30, 4)  # about 20 working days before MONDAY
    db.session.commit()
    clerk = _client(app, factory.user("city_clerk", authority_code="210100"))
    url = f"/review/{request.id}"
    page = _form_of(clerk, url)
    result = runner.invoke(args=["filings", "remind", "--today", "2026-11-30"])
    assert "已记录 1 条提醒" in result.output, result.output
    response = clerk.post(f"{url}/decide", data={**page, "action": "approve", "comment": "", "confirm": "1"})
    assert response.status_code == 302
    assert db.session.get(FilingRequest, request.id).state == "filed"


# --- the firm's side ----------------------------------------------------------------------------------
def _filed_firm_user(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    filings.decide(request, "approve", factory.user("city_clerk", authority_code="210100"), None)
    return firm_user


def test_three_simultaneous_change_starts_open_one_draft(app, factory):
    firm_user = _filed_firm_user(app, factory)
    firm_id = firm_user.firm_id
    clients = [_client(app, firm_user) for _ in range(3)]
    forms = [_form_of(c, "/filings/") for c in clients]

    responses = race(app, [
        (lambda c=c, f=f: c.post("/filings/start", data={**f, "kind": "change"}))
        for c, f in zip(clients, forms, strict=True)
    ])
    _no_server_errors(responses)
    opened = [r for r in responses if "/edit" in r.headers.get("Location", "")]
    assert len(opened) == 1
    drafts = db.session.scalars(select(FilingRequest).where(
        FilingRequest.firm_id == firm_id, FilingRequest.state == "draft")).all()
    assert len(drafts) == 1 and drafts[0].kind == "change"
    assert _actions("filing.create") == 2  # the first filing, and one change
    page = page_text(clients[0].get("/filings/"))
    assert "已有一份未办结的申请" in page or any(
        "已有一份未办结的申请" in page_text(c.get("/filings/")) for c in clients[1:])


def test_the_database_holds_one_open_request_per_firm(app, factory):
    """Even a writer that skips the check (a second worker, a script) cannot open a second request."""
    from sqlalchemy.exc import IntegrityError

    firm_user = _filed_firm_user(app, factory)
    db.session.add(FilingRequest(firm_id=firm_user.firm_id, kind="change", state="draft"))
    db.session.commit()
    db.session.add(FilingRequest(firm_id=firm_user.firm_id, kind="cancellation", state="draft"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _returned_request(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    filings.decide(request, "return", factory.user("city_clerk", authority_code="210100"), "请补充培训证书")
    return request.id, firm_user


def _resubmission(app, request_id: int) -> dict:
    data = form_data(app.extensions["jifang.pack"])
    data.update({"answer": "已补充培训证书", "send": "1",
                 "staff-0-name": "管理员", "staff-0-id_number": data["staff-0-id_number"]})
    return data


def test_a_double_clicked_resubmission_is_applied_once(app, factory):
    request_id, firm_user = _returned_request(app, factory)
    tabs = [_client(app, firm_user) for _ in range(2)]
    url = f"/filings/{request_id}/edit"
    forms = [_form_of(c, url) for c in tabs]
    data = _resubmission(app, request_id)

    responses = race(app, [(lambda c=c, f=f: c.post(url, data={**data, **f})) for c, f in zip(tabs, forms, strict=True)])
    _no_server_errors(responses)
    stored = db.session.get(FilingRequest, request_id)
    assert stored.state == "under_review"
    assert _actions("filing.resubmit", request_id) == 1
    assert _actions("filing.save_draft", request_id) == 2  # the first draft, and this one post's
    answers = db.session.scalars(select(FilingMessage.body).where(
        FilingMessage.request_id == request_id, FilingMessage.from_firm.is_(True))).all()
    assert answers == ["已补充培训证书"]
    assert audit.verify(checkpoints=False).ok


def test_saving_a_draft_from_a_stale_tab_is_refused_and_keeps_the_other_tabs_work(app, factory):
    firm_user = factory.user("firm")
    client = _client(app, firm_user)
    request = filings.start_request(firm_user.firm, "initial", firm_user)
    url = f"/filings/{request.id}/edit"
    old_tab = _form_of(client, url)
    pack = app.extensions["jifang.pack"]
    assert post_form(client, url, {**form_data(pack, name="新标签页保存的名称"), "save": "1"}).status_code == 302

    response = client.post(url, data={**form_data(pack, name="旧标签页的名称"), "save": "1", **old_tab},
                           follow_redirects=True)
    assert STALE in page_text(response)
    assert db.session.get(FilingRequest, request.id).name == "新标签页保存的名称"


def test_a_withdrawal_from_a_stale_page_is_refused(app, factory):
    request_id, firm_user = _returned_request(app, factory)
    client = _client(app, firm_user)
    stale = _form_of(client, f"/filings/{request_id}")
    assert post_form(client, f"/filings/{request_id}/edit", _resubmission(app, request_id)).status_code == 302
    response = client.post(f"/filings/{request_id}/withdraw", data=stale, follow_redirects=True)
    assert STALE in page_text(response)
    assert db.session.get(FilingRequest, request_id).state == "under_review"
    assert _actions("filing.withdraw", request_id) == 0


# --- concurrent writers never get a 500 (SQLite's single writer, the audit chain's head) ----------------
def test_concurrent_failed_logins_never_fail_and_each_is_audited(app, factory):
    threads, attempts = 4, 8  # under the account lock-out threshold: every attempt is counted and audited
    users = [factory.user("firm") for _ in range(threads)]
    clients = [app.test_client() for _ in range(threads)]
    tokens = [_form_of(c, "/auth/login")["csrf_token"] for c in clients]

    def attack(client, token, username):
        return [client.post("/auth/login", data={"username": username, "password": "wrong-pass-1",
                                                 "csrf_token": token}) for _ in range(attempts)]

    batches = race(app, [(lambda c=c, t=t, u=u.username: attack(c, t, u))
                          for c, t, u in zip(clients, tokens, users, strict=True)])
    codes = [r.status_code for batch in batches for r in batch]
    assert codes == [200] * threads * attempts
    assert _actions("login_failed") == threads * attempts
    assert audit.verify(checkpoints=False).ok


def test_concurrent_appends_whose_first_write_is_the_audit_entry_never_collide(app):
    """A request that writes nothing but its audit entry (a logout, an audited read, a refused log-in)
    used to read the chain's head outside any transaction on SQLite, then wait for the write lock and
    insert a stale predecessor: UNIQUE constraint failed: audit_entry.prev_hash, a 500."""
    threads, appends = 4, 15

    def append(n: int):
        for i in range(appends):
            audit.record("test_action", object_type="thing", object_id=f"{n}-{i}")
            db.session.commit()
        return appends

    assert race(app, [(lambda n=n: append(n)) for n in range(threads)]) == [appends] * threads
    assert _actions("test_action") == threads * appends
    report = audit.verify(checkpoints=False)
    assert report.ok and report.checked == threads * appends


def test_concurrent_draft_edits_never_fail_and_each_is_audited(app, factory):
    writers, rounds = 4, 5
    pack = app.extensions["jifang.pack"]
    people = [factory.user("firm") for _ in range(writers)]
    ids = [filings.start_request(u.firm, "initial", u).id for u in people]
    clients = [_client(app, u) for u in people]
    tokens = [_form_of(c, f"/filings/{rid}/edit")["csrf_token"] for c, rid in zip(clients, ids, strict=True)]

    def edit(client, token, request_id):
        return [client.post(f"/filings/{request_id}/edit",
                            data={**form_data(pack, name=f"第{n}次保存"), "save": "1", "csrf_token": token})
                for n in range(rounds)]

    batches = race(app, [(lambda c=c, t=t, r=r: edit(c, t, r)) for c, t, r in zip(clients, tokens, ids, strict=True)])
    codes = [r.status_code for batch in batches for r in batch]
    assert codes == [302] * writers * rounds
    assert _actions("filing.save_draft") == writers * rounds
    assert audit.verify(checkpoints=False).ok


def test_a_writer_that_cannot_get_the_lock_is_told_the_system_is_busy(app, factory, monkeypatch):
    """SQLite: another process holds the write lock longer than busy_timeout → 503, not a traceback."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock")
    username = factory.user("firm").username
    client = app.test_client()
    token = _form_of(client, "/auth/login")["csrf_token"]
    monkeypatch.setattr(app_package, "SQLITE_BUSY_TIMEOUT_MS", 100)
    db.session.remove()
    db.engine.dispose()  # new connections take the short timeout
    holder = sqlite3.connect(db.engine.url.database)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/auth/login", data={"username": username, "password": "wrong-pass-1",
                                                    "csrf_token": token})
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 503
    assert "系统繁忙，请稍后重试" in page_text(response)
    assert response.headers["Retry-After"]

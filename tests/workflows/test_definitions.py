"""The shipped definitions: they load, hang together, and walk the paths the regulations describe."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from app.models.user import Role
from workflows import engine
from workflows.engine import (
    CommentRequired,
    Context,
    GuardFailed,
    NotApplicable,
    Registry,
    RoleNotAllowed,
    load_definition,
)
from workflows.rules import all_packs, load_pack
from workflows.time_limits import TimeStatus

SHIPPED = ["complaint", "filing", "order_to_correct", "penalty_case", "warning"]
CJK = re.compile(r"[\u4e00-\u9fff]")
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def test_the_definitions_ship():
    assert engine.definition_names() == SHIPPED


@pytest.fixture
def stubbed():
    """A registry where every guard and effect the definitions require exists and allows/does nothing."""
    reg = Registry()
    reg.add_roles(*(role.value for role in Role))  # the application's roles, as app/workflow_hooks.py registers
    for name in SHIPPED:
        required = load_definition(name).definition.requires
        for guard in set(required.guards) - set(reg.guards):  # a guard two definitions share is bound once
            reg.add_guard(guard, lambda record, actor, ctx: None)
        for effect in set(required.effects) - set(reg.effects):
            reg.add_effect(effect, lambda record, result, ctx: None)
    return reg


@pytest.mark.parametrize("name", SHIPPED)
def test_loads_and_binds(name, stubbed):
    wf = load_definition(name, registry=stubbed)
    wf.verify()
    assert wf.name == name


@pytest.mark.parametrize("name", SHIPPED)
def test_every_state_reachable_and_every_open_state_has_a_way_out(name):
    wf = load_definition(name)
    reachable, frontier = {wf.initial}, [wf.initial]
    while frontier:
        here = frontier.pop()
        for t in wf.transitions.values():
            if here in t.from_:
                for target in t.targets():
                    if target not in reachable:
                        reachable.add(target)
                        frontier.append(target)
    assert reachable == set(wf.states)
    for key, state in wf.states.items():
        leaves = any(key in t.from_ for t in wf.transitions.values())
        assert leaves != state.final, key


@pytest.mark.parametrize("name", SHIPPED)
def test_labels_are_chinese(name):
    wf = load_definition(name)
    labels = [wf.label, *(s.label for s in wf.states.values()), *(t.label for t in wf.transitions.values())]
    assert all(CJK.search(label) for label in labels)


@pytest.mark.parametrize(
    ("name", "transition"),
    [
        ("filing", "return_for_correction"),
        ("filing", "reject"),
        ("complaint", "dismiss"),
        ("complaint", "transfer"),
        ("complaint", "verify"),
        ("complaint", "find_unfounded"),
        ("warning", "withdraw"),
        ("warning", "apply_removal"),
        ("warning", "approve_removal"),
        ("penalty_case", "decide"),
        ("penalty_case", "decide_no_penalty"),
        ("penalty_case", "withdraw"),
    ],
)
def test_decisions_against_a_party_need_a_reason(name, transition):
    assert load_definition(name).transitions[transition].comment_required


# --- filing -------------------------------------------------------------------------------------------
@dataclass
class Request:
    kind: str = "initial"
    state: str = "draft"
    stage: int = 0
    editor_ids: list[int] = field(default_factory=list)
    state_entered_at: dt.datetime | None = None


@dataclass
class Actor:
    id: int
    role: str
    authority_code: str | None = None


FIRM = Actor(1, "firm")
QHD_CITY = Actor(2, "city_clerk", "130300")
HEBEI = Actor(3, "provincial_clerk", "130000")


@pytest.fixture
def filing(stubbed):
    return load_definition("filing", registry=stubbed)


def test_qinhuangdao_local_firm_needs_city_then_province(filing, stubbed):
    outcomes = []
    stubbed.add_effect("assign_filing_number", lambda r, res, c: outcomes.append(res.to_state), replace=True)
    ctx = Context(stages=("130300", "130000"))
    request = Request()
    filing.fire(request, "submit", FIRM, now=NOW, ctx=ctx)
    filing.fire(request, "approve", QHD_CITY, now=NOW, ctx=ctx)
    assert (request.state, request.stage, outcomes) == ("under_review", 1, [])
    filing.fire(request, "approve", HEBEI, now=NOW, ctx=ctx)
    assert (request.state, outcomes) == ("filed", ["filed"])


def test_returned_filing_is_corrected_and_filed(filing):
    ctx = Context(stages=("210100",))
    clerk = Actor(4, "city_clerk", "210100")
    request = Request()
    filing.fire(request, "submit", FIRM, now=NOW, ctx=ctx)
    with pytest.raises(CommentRequired):
        filing.fire(request, "return_for_correction", clerk, now=NOW, ctx=ctx)
    filing.fire(request, "return_for_correction", clerk, comment="请补充安全管理制度", now=NOW, ctx=ctx)
    filing.fire(request, "resubmit", FIRM, now=NOW, ctx=ctx)
    filing.fire(request, "approve", clerk, now=NOW, ctx=ctx)
    assert request.state == "filed"


def test_clerk_who_edited_the_filing_cannot_approve_it(filing):
    ctx = Context(stages=("210100",))
    clerk = Actor(4, "city_clerk", "210100")
    request = Request(state="under_review", editor_ids=[clerk.id])
    with pytest.raises(GuardFailed, match="不得自审自批"):
        filing.fire(request, "approve", clerk, now=NOW, ctx=ctx)
    filing.fire(request, "approve", Actor(5, "city_clerk", "210100"), now=NOW, ctx=ctx)


@pytest.mark.parametrize(
    ("kind", "transition", "outcome"),
    [("change", "approve_change", "changed"), ("cancellation", "approve_cancellation", "cancelled")],
)
def test_change_and_cancellation_pass_the_same_review(filing, kind, transition, outcome):
    ctx = Context(stages=("150000",))
    clerk = Actor(6, "provincial_clerk", "150000")
    request = Request(kind=kind)
    filing.fire(request, "submit", FIRM, now=NOW, ctx=ctx)
    assert [t.name for t in filing.available(request, clerk, ctx)] == [
        transition,
        "return_for_correction",
        "reject",
        "correct_locality",
    ]
    assert filing.for_decision("approve", request).name == transition  # the review page's one approve button
    with pytest.raises(NotApplicable):
        filing.fire(request, "approve", clerk, now=NOW, ctx=ctx)
    filing.fire(request, transition, clerk, now=NOW, ctx=ctx)
    assert request.state == outcome


@pytest.mark.parametrize("code", [code for code, pack in all_packs().items() if pack.filing.enabled])
def test_filing_time_limit_comes_from_each_pack(filing, code):
    pack = load_pack(code)
    limit = filing.time_limit("under_review", Context(pack=pack))
    assert limit.working_days == pack.filing.time_limit.working_days
    assert limit.remind_before == pack.filing.time_limit.remind_before
    assert (limit.on_expiry, limit.escalate_to_role) == ("escalate", "provincial_clerk")


def test_filing_review_overdue_across_spring_festival_2026(filing):
    # Submitted Wednesday 2026-02-11; 15 working days (Liaoning) end on 2026-03-10, the festival skipped.
    ctx = Context(pack=load_pack("liaoning"))
    request = Request(state="under_review", state_entered_at=dt.datetime(2026, 2, 11, 9, 0))
    assert filing.clock(request, ctx).deadline == dt.date(2026, 3, 10)
    assert filing.time_status(request, dt.date(2026, 3, 10), ctx) is TimeStatus.NEAR
    assert filing.time_status(request, dt.date(2026, 3, 11), ctx) is TimeStatus.OVERDUE


# --- complaint and penalty case ----------------------------------------------------------------------
@dataclass
class Case:
    state: str
    editor_ids: list[int] = field(default_factory=list)
    state_entered_at: dt.datetime | None = None
    opened_on: dt.date | None = None
    decided_on: dt.date | None = None


CLERK = Actor(7, "city_clerk", "210100")
OTHER_CLERK = Actor(8, "city_clerk", "210100")


def test_complaint_verified_then_warning_published_and_removed(stubbed):
    """Art. 28: verified → listed; one clerk drafts, another publishes; one decides removal, another confirms."""
    complaints = load_definition("complaint", registry=stubbed)
    complaint = Case(state="received")
    complaints.fire(complaint, "assign", CLERK, now=NOW)
    complaints.fire(complaint, "start_verification", CLERK, now=NOW)
    complaints.fire(complaint, "verify", CLERK, comment="经查属实", now=NOW)
    assert complaint.state == "verified"
    warnings = load_definition("warning", registry=stubbed)
    notice = Case(state="draft", editor_ids=[CLERK.id])
    warnings.fire(notice, "notify", CLERK, now=NOW)
    with pytest.raises(GuardFailed):
        warnings.fire(notice, "publish", CLERK, now=NOW)
    warnings.fire(notice, "publish", OTHER_CLERK, now=NOW)
    warnings.fire(notice, "apply_removal", Actor(9, "firm", None), comment="已整改", now=NOW)
    warnings.fire(notice, "approve_removal", CLERK, comment="整改到位", now=NOW)
    warnings.fire(notice, "confirm_removal", OTHER_CLERK, now=NOW)
    assert notice.state == "warning_lifted"


HEAD = Actor(9, "bureau_head", "210100")
REVIEWER = Actor(10, "legal_reviewer", "210100")


def test_penalty_case_with_hearing(stubbed):
    """Investigation → proposal → notice → hearing → legal review → decision by the head → service → closed."""
    wf = load_definition("penalty_case", registry=stubbed)
    case = Case(state="opened", editor_ids=[CLERK.id], opened_on=dt.date(2026, 1, 5))
    for name in ("investigate", "propose", "notify", "request_hearing", "submit_review"):
        wf.fire(case, name, CLERK, now=NOW)
    with pytest.raises(RoleNotAllowed):
        wf.fire(case, "pass_review", CLERK, comment="同意", now=NOW)
    wf.fire(case, "pass_review", REVIEWER, comment="事实清楚，证据确凿", now=NOW)
    with pytest.raises(RoleNotAllowed):  # a clerk never decides
        wf.fire(case, "decide", CLERK, comment="罚款三万元", now=NOW)
    with pytest.raises(GuardFailed):  # nor a head who investigated
        wf.fire(case, "decide", Actor(CLERK.id, "bureau_head", "210100"), comment="罚款三万元", now=NOW)
    wf.fire(case, "decide", HEAD, comment="罚款三万元", now=NOW)
    wf.fire(case, "serve", CLERK, now=NOW)
    wf.fire(case, "close", CLERK, now=NOW)
    assert case.state == "closed"


def test_legal_review_may_send_a_case_back(stubbed):
    wf = load_definition("penalty_case", registry=stubbed)
    case = Case(state="legal_review", editor_ids=[CLERK.id])
    with pytest.raises(CommentRequired):
        wf.fire(case, "send_back", REVIEWER, now=NOW)
    wf.fire(case, "send_back", REVIEWER, comment="证据不足，补充调查", now=NOW)
    assert case.state == "investigating"


def test_penalty_decision_period_runs_from_opening_through_every_state(stubbed):
    """Administrative Penalty Law art. 60: decide within 90 days of opening the case."""
    wf = load_definition("penalty_case", registry=stubbed)
    case = Case(state="hearing", state_entered_at=NOW, opened_on=dt.date(2026, 1, 5))
    clock = wf.clock(case)
    assert clock.deadline == dt.date(2026, 4, 7)  # 04-05 is Qingming (Sunday), 04-06 its day in lieu
    assert [a.kind for a in wf.due_actions([case], dt.date(2026, 4, 8))] == ["escalate"]


def test_service_period_counts_working_days_from_the_decision(stubbed):
    """Art. 61: the decision is served within 7 working days (art. 85); unknown decision date, no clock."""
    wf = load_definition("penalty_case", registry=stubbed)
    assert wf.clock(Case(state="decided", state_entered_at=NOW)) is None
    case = Case(state="decided", state_entered_at=NOW, decided_on=dt.date(2026, 9, 28))
    # 29, 30 Sep; 1-7 Oct National Day not counted; 8, 9 and Saturday 10 Oct (a make-up working day), 12, 13
    assert wf.clock(case).deadline == dt.date(2026, 10, 13)


# -- issue 13 point 3: what filing.yaml now declares, and the check at start-up ------------------------------


def test_starting_a_filing_is_declared_with_its_roles_and_guards(filing, stubbed):
    start = filing.definition.start
    assert start.roles == ["firm"] and start.guards == ["filing_enabled", "one_open_request", "filing_status_fits"]
    filing.check_start(Request(), FIRM, Context())
    with pytest.raises(RoleNotAllowed, match="无权发起备案申请"):
        filing.check_start(Request(), QHD_CITY, Context())
    with pytest.raises(NotApplicable, match="未知的申请类型"):
        filing.check_start(Request(kind="merger"), FIRM, Context())
    stubbed.add_guard("one_open_request", lambda r, a, c: "本单位已有一份未办结的申请", replace=True)
    with pytest.raises(GuardFailed, match="未办结") as refused:
        filing.check_start(Request(), FIRM, Context())
    assert refused.value.guard == "one_open_request"


def test_each_decision_of_the_review_page_is_a_declared_transition(filing):
    assert filing.decisions() == ["approve", "return", "reject"]
    expected = {("initial", "approve"): "approve", ("change", "approve"): "approve_change",
                ("cancellation", "approve"): "approve_cancellation", ("change", "return"): "return_for_correction",
                ("initial", "reject"): "reject"}
    for (kind, decision), name in expected.items():
        assert filing.for_decision(decision, Request(kind=kind)).name == name
    assert filing.for_decision("shred", Request()) is None


def test_a_locality_correction_stays_in_its_state_and_restarts_the_route(filing):
    ctx = Context(stages=("130300", "130000"))
    request = Request(state="returned", stage=1)
    result = filing.fire(request, "correct_locality", HEBEI, comment="实为外省单位", now=NOW, ctx=ctx)
    assert (request.state, request.stage, result.from_state, result.to_state) == ("returned", 0, "returned", "returned")
    with pytest.raises(CommentRequired):
        filing.fire(Request(state="under_review"), "correct_locality", QHD_CITY, now=NOW, ctx=ctx)


def test_every_definition_is_verified_against_the_apps_guards_effects_and_roles(app):
    assert [wf.name for wf in engine.verify_all(engine.default_registry)] == engine.definition_names()


@pytest.mark.parametrize(("file", "old", "new", "named"), [
    ("complaint.yaml", "    - record_step          #", "    - send_sms\n    - record_step          #",
     "complaint.yaml: requires: not registered: effect send_sms"),
    ("complaint.yaml", "effects: [close_complaint, open_warning_draft]", "effects: [close_complaint, fax_firm]",
     "complaint.yaml: transitions[4].effects[1]: unknown effect 'fax_firm'"),
    ("warning.yaml", "    guards: [own_firm]", "    guards: [own_firm, lucky_day]",
     "warning.yaml: transitions[3].guards[1]: unknown guard 'lucky_day'"),
    ("filing.yaml", "  roles: [firm]\n  guards: [filing_enabled", "  roles: [firm, notary]\n  guards: [filing_enabled",
     "filing.yaml: not a registered role: start.roles[1]: role 'notary'"),
])
def test_an_unknown_effect_guard_or_role_in_any_definition_stops_the_app(app, tmp_path, monkeypatch, file, old,
                                                                        new, named):
    import shutil

    from app import create_app

    folder = tmp_path / "definitions"
    shutil.copytree(engine.DEFINITIONS_DIR, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setattr(engine, "DEFINITIONS_DIR", folder)
    with pytest.raises(engine.DefinitionError) as refused:
        create_app({**app.config, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert named in str(refused.value) and str(folder) in str(refused.value)

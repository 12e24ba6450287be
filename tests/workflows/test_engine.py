"""The workflow engine with plain objects: no Flask, no database."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workflows import engine
from workflows.definition_schema import TimeLimit
from workflows.engine import (
    CommentRequired,
    Context,
    DefinitionError,
    GuardFailed,
    NotApplicable,
    Registry,
    RoleNotAllowed,
    TransitionNotAllowed,
    UnknownTransition,
    WrongState,
    load_file,
)
from workflows.time_limits import TimeStatus, deadline

NOW = dt.datetime(2025, 9, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing, Thursday 2025-09-25

REVIEW = """\
name: review
label: 审核
initial: draft
kinds: {initial: 备案, change: 变更}
requires:
  guards: [complete]
  effects: [number, note]
states:
  draft: {label: 草稿}
  under_review:
    label: 审核中
    time_limit: {from_pack: filing.time_limit, on_expiry: escalate, escalate_to_role: provincial_clerk}
  returned: {label: 退回补正}
  filed: {label: 已备案, final: true, on_enter: [number]}
  changed: {label: 变更已备案, final: true}
  rejected: {label: 不予备案, final: true}
transitions:
  - {name: submit, label: 提交, from: [draft], to: under_review, stage: reset, roles: [firm],
     guards: [complete]}
  - {name: resubmit, label: 重新提交, from: [returned], to: under_review, roles: [firm]}
  - name: approve
    label: 通过
    kinds: [initial]
    from: [under_review]
    to: {next_stage: under_review, last_stage: filed}
    roles: [city_clerk, provincial_clerk]
    guards: [at_stage_authority, not_self_approval]
    effects: [note]
  - name: approve_change
    label: 同意变更
    kinds: [change]
    from: [under_review]
    to: {next_stage: under_review, last_stage: changed}
    roles: [city_clerk, provincial_clerk]
    guards: [at_stage_authority]
  - name: return_for_correction
    label: 退回补正
    from: [under_review]
    to: returned
    roles: [city_clerk, provincial_clerk]
    comment_required: true
  - {name: reject, label: 不予备案, from: [under_review], to: rejected, roles: [city_clerk],
     comment_required: true}
"""


@dataclass
class Record:
    state: str = "draft"
    stage: int = 0
    kind: str = "initial"
    editor_ids: list[int] = field(default_factory=list)
    state_entered_at: dt.datetime | None = None
    complete: bool = True
    number: str | None = None
    sent_actions: set[str] = field(default_factory=set)


@dataclass
class Actor:
    id: int
    role: str
    authority_code: str | None = None


FIRM = Actor(1, "firm")
CITY = Actor(2, "city_clerk", "130300")
PROVINCE = Actor(3, "provincial_clerk", "130000")
ONE_STAGE = Context(stages=("130000",))
TWO_STAGES = Context(stages=("130300", "130000"))


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, *args):
        self.calls.append(args)


@pytest.fixture
def registry():
    reg = Registry()
    reg.add_guard("complete", lambda record, actor, ctx: None if record.complete else "材料不齐全：营业执照")
    reg.add_effect("number", lambda record, result, ctx: setattr(record, "number", "冀公技备〔2025〕0001号"))
    reg.add_effect("note", Recorder())
    return reg


@pytest.fixture
def wf(tmp_path, registry):
    path = tmp_path / "review.yaml"
    path.write_text(REVIEW, encoding="utf-8")
    return load_file(path, registry)


def submitted(**kw) -> Record:
    return Record(**{"state": "under_review", "state_entered_at": NOW, **kw})


# --- refusals -------------------------------------------------------------------------------------------
def test_unknown_transition(wf):
    with pytest.raises(UnknownTransition, match="没有「publish」这一操作"):
        wf.fire(Record(), "publish", FIRM, now=NOW)


def test_wrong_state_names_state_and_transition(wf):
    with pytest.raises(WrongState) as err:
        wf.fire(Record(), "approve", CITY, now=NOW, ctx=ONE_STAGE)
    assert err.value.message == "当前状态为「草稿」，不能执行「通过」"
    assert err.value.reason == "state" and err.value.transition == "approve"


def test_role_not_allowed(wf):
    with pytest.raises(RoleNotAllowed, match="您的角色无权执行「提交」"):
        wf.fire(Record(), "submit", CITY, now=NOW)
    with pytest.raises(RoleNotAllowed):
        wf.fire(submitted(), "reject", PROVINCE, comment="不符合条件", now=NOW, ctx=ONE_STAGE)


def test_guard_failure_carries_the_guards_message(wf):
    with pytest.raises(GuardFailed) as err:
        wf.fire(Record(complete=False), "submit", FIRM, now=NOW)
    assert err.value.message == "材料不齐全：营业执照" and err.value.guard == "complete"


def test_transition_for_another_kind_is_not_applicable(wf):
    with pytest.raises(NotApplicable, match="「同意变更」不适用于备案"):
        wf.fire(submitted(), "approve_change", PROVINCE, now=NOW, ctx=ONE_STAGE)


@pytest.mark.parametrize("transition", ["return_for_correction", "reject"])
@pytest.mark.parametrize("comment", [None, "", "   "])
def test_comment_required(wf, transition, comment):
    record = submitted()
    with pytest.raises(CommentRequired, match="须填写意见"):
        wf.fire(record, transition, CITY, comment=comment, now=NOW, ctx=ONE_STAGE)
    assert record.state == "under_review"


def test_self_approval_refused(wf):
    record = submitted(editor_ids=[PROVINCE.id])
    with pytest.raises(GuardFailed, match="不能由本人审核") as err:
        wf.fire(record, "approve", PROVINCE, now=NOW, ctx=ONE_STAGE)
    assert err.value.guard == "not_self_approval"
    assert record.state == "under_review"


def test_clerk_of_another_bureau_refused(wf):
    with pytest.raises(GuardFailed, match="不由您所在的公安机关审核"):
        wf.fire(submitted(), "approve", CITY, now=NOW, ctx=ONE_STAGE)
    with pytest.raises(GuardFailed, match="未能确定"):
        wf.fire(submitted(), "approve", PROVINCE, now=NOW)  # no route given: fail closed


def test_all_refusals_are_transition_not_allowed(wf):
    for cls in (UnknownTransition, NotApplicable, WrongState, RoleNotAllowed, GuardFailed, CommentRequired):
        assert issubclass(cls, TransitionNotAllowed)


# --- stages -------------------------------------------------------------------------------------------
def test_one_stage_route_files_at_first_approval(wf):
    record = Record()
    wf.fire(record, "submit", FIRM, now=NOW, ctx=ONE_STAGE)
    assert (record.state, record.stage) == ("under_review", 0)
    result = wf.fire(record, "approve", PROVINCE, now=NOW, ctx=ONE_STAGE)
    assert (record.state, record.stage) == ("filed", 0)
    assert result.to_state == "filed" and record.number == "冀公技备〔2025〕0001号"


def test_two_stage_route_needs_both_bureaus(wf):
    record = Record()
    wf.fire(record, "submit", FIRM, now=NOW, ctx=TWO_STAGES)
    with pytest.raises(GuardFailed):
        wf.fire(record, "approve", PROVINCE, now=NOW, ctx=TWO_STAGES)  # stage 0 is the city's
    first = wf.fire(record, "approve", CITY, now=NOW, ctx=TWO_STAGES)
    assert (first.from_stage, first.to_stage, record.state, record.stage) == (0, 1, "under_review", 1)
    assert record.number is None  # on_enter of `filed` only: no number after the city's verification
    with pytest.raises(GuardFailed):
        wf.fire(record, "approve", CITY, now=NOW, ctx=TWO_STAGES)  # stage 1 is the province's
    wf.fire(record, "approve", PROVINCE, now=NOW, ctx=TWO_STAGES)
    assert (record.state, record.stage) == ("filed", 1) and record.number


def test_returned_request_goes_back_to_the_stage_that_returned_it(wf):
    record = Record()
    wf.fire(record, "submit", FIRM, now=NOW, ctx=TWO_STAGES)
    wf.fire(record, "approve", CITY, now=NOW, ctx=TWO_STAGES)
    wf.fire(
        record, "return_for_correction", PROVINCE, comment="补充技术人员培训证书", now=NOW, ctx=TWO_STAGES
    )
    assert (record.state, record.stage) == ("returned", 1)
    wf.fire(record, "resubmit", FIRM, now=NOW, ctx=TWO_STAGES)
    assert (record.state, record.stage) == ("under_review", 1)


def test_submit_resets_the_stage(wf):
    record = Record(stage=1)
    wf.fire(record, "submit", FIRM, now=NOW, ctx=TWO_STAGES)
    assert record.stage == 0


def test_kinds_choose_the_outcome(wf):
    record = submitted(kind="change")
    assert [t.name for t in wf.available(record, PROVINCE, ONE_STAGE)] == [
        "approve_change",
        "return_for_correction",
    ]
    wf.fire(record, "approve_change", PROVINCE, now=NOW, ctx=ONE_STAGE)
    assert record.state == "changed" and record.number is None


# --- available ----------------------------------------------------------------------------------------
def test_available(wf):
    record = submitted()
    assert [t.name for t in wf.available(record, CITY, ONE_STAGE)] == ["return_for_correction", "reject"]
    assert [t.name for t in wf.available(record, PROVINCE, ONE_STAGE)] == ["approve", "return_for_correction"]
    assert wf.available(record, FIRM, ONE_STAGE) == []
    assert [t.name for t in wf.available(Record(), FIRM)] == ["submit"]
    assert wf.available(Record(complete=False), FIRM) == []


# --- effects and the hook -----------------------------------------------------------------------------
def test_effects_and_hook_called_once_with_the_facts(wf, registry):
    hook = Recorder()
    registry.on_transition(hook)
    registry.on_transition(hook)  # registering twice (an app factory run twice) still calls it once
    note = registry.effects["note"]
    record = submitted()
    result = wf.fire(record, "approve", PROVINCE, comment="  材料齐全  ", now=NOW, ctx=ONE_STAGE)

    assert hook.calls == [(record, result)]
    assert note.calls == [(record, result, ONE_STAGE)]
    assert result.actor is PROVINCE and result.actor_id == 3 and result.at == NOW
    assert (result.from_state, result.to_state, result.transition, result.label) == (
        "under_review",
        "filed",
        "approve",
        "通过",
    )
    assert result.comment == "材料齐全"
    assert result.effects == ("note", "number")
    assert result.audit_detail()["to"] == "filed"
    assert record.state_entered_at == NOW


def test_refused_transition_calls_nothing(wf, registry):
    hook = Recorder()
    registry.on_transition(hook)
    with pytest.raises(GuardFailed):
        wf.fire(submitted(editor_ids=[3]), "approve", PROVINCE, now=NOW, ctx=ONE_STAGE)
    assert hook.calls == [] and registry.effects["note"].calls == []


def test_failing_effect_puts_the_record_back(wf, registry):
    def broken(record, result, ctx):
        raise RuntimeError("numbering table locked")

    registry.add_effect("number", broken, replace=True)
    record = submitted()
    with pytest.raises(RuntimeError):
        wf.fire(record, "approve", PROVINCE, now=NOW + dt.timedelta(days=1), ctx=ONE_STAGE)
    assert (record.state, record.stage, record.state_entered_at) == ("under_review", 0, NOW)


# --- registry -----------------------------------------------------------------------------------------
def test_registry_refuses_a_second_function_under_a_name():
    reg = Registry()

    def first(record, actor, ctx):
        return None

    reg.add_guard("complete", first)
    reg.add_guard("complete", first)  # same function again: fine
    with pytest.raises(ValueError, match="already registered"):
        reg.add_guard("complete", lambda record, actor, ctx: None)

    @reg.effect("number")
    def number(record, result, ctx):
        return None

    assert reg.effects["number"] is number


def test_verify_names_what_the_app_forgot(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text(REVIEW, encoding="utf-8")
    wf = load_file(path, Registry())
    assert wf.unbound() == ["guard complete", "effect number", "effect note"]
    with pytest.raises(DefinitionError, match="review.yaml: requires: not registered: guard complete"):
        wf.verify()
    with pytest.raises(DefinitionError, match="guard 'complete' is not registered"):
        wf.fire(Record(), "submit", FIRM, now=NOW)


# --- loading ------------------------------------------------------------------------------------------
def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in REVIEW
    path = tmp_path / "review.yaml"
    path.write_text(REVIEW.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "guards: [at_stage_authority, not_self_approval]",
            "guards: [at_stage_authority, not_self_aproval]",
            r"review\.yaml: transitions\[2\]\.guards\[1\]: unknown guard 'not_self_aproval'",
        ),
        ("effects: [note]", "effects: [nte]", r"transitions\[2\]\.effects\[0\]: unknown effect 'nte'"),
        ("to: rejected", "to: refused", r"transitions\[5\]\.to: unknown state 'refused'"),
        ("kinds: [change]", "kinds: [cancellation]", r"transitions\[3\]\.kinds\[0\]: unknown kind"),
        ("initial: draft", "initial: start", "initial: unknown state 'start'"),
        ("name: review", "name: filing", "name: 'filing' does not match the file name 'review'"),
        ("rejected: {label: 不予备案, final: true}", "rejected: {label: 不予备案}", "states.rejected: not final"),
        ("  changed: {", "  lost: {label: 丢失, final: true}\n  changed: {", "states.lost: unreachable"),
        ("from: [returned]", "from: [filed]", r"transitions\[1\]\.from\[0\]: final state 'filed'"),
        ("escalate, escalate_to_role: provincial_clerk", "escalate", "escalate needs escalate_to_role"),
        ("from_pack: filing.time_limit,", "from_pack: filing.time_limit, days: 5,", "exactly one of"),
        ("label: 审核\n", "", r"review\.yaml: label: Field required"),
        ("comment_required: true\n  - {name: reject", "comment_requird: true\n  - {name: reject", "requird"),
    ],
)  # fmt: skip
def test_broken_definition_names_file_and_field(tmp_path, old, new, message):
    with pytest.raises(DefinitionError, match=message):
        load_file(_broken(tmp_path, old, new), Registry())


def test_an_unknown_role_guard_or_effect_stops_verify_naming_file_and_field(tmp_path, registry):
    """Roles are the application's (registered like guards and effects): a definition naming a role nobody
    registered loads, but verify() — which the app runs on every definition at start-up — refuses it."""
    registry.add_roles("firm", "city_clerk", "provincial_clerk")
    wf = load_file(_broken(tmp_path, "roles: [firm],\n", "roles: [clerk],\n"), registry)
    with pytest.raises(DefinitionError, match=r"review.yaml: not a registered role: transitions\[0\]\.roles\[0\]: "
                                              r"role 'clerk'"):
        wf.verify()
    path = tmp_path / "ok.yaml"
    path.write_text(REVIEW.replace("name: review", "name: ok"), encoding="utf-8")
    load_file(path, registry).verify()  # the same definition with registered roles passes


def test_unreadable_files(tmp_path):
    with pytest.raises(DefinitionError, match="file missing"):
        load_file(tmp_path / "nothing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError, match="bad.yaml: not valid YAML"):
        load_file(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(DefinitionError, match="mapping at the top level"):
        load_file(bad)


def test_load_definition_is_cached_per_registry(tmp_path):
    (tmp_path / "review.yaml").write_text(REVIEW, encoding="utf-8")
    reg = Registry()
    first = engine.load_definition("review", registry=reg, directory=tmp_path)
    assert engine.load_definition("review", registry=reg, directory=tmp_path) is first
    assert engine.load_definition("review", registry=Registry(), directory=tmp_path) is not first


# --- time limits --------------------------------------------------------------------------------------
PACK = {"filing": {"time_limit": {"working_days": 15, "remind_before": 3, "statutory": False}}}


def test_deadline_counts_working_days_from_the_next_working_day():
    limit = TimeLimit(working_days=15)
    assert deadline(dt.date(2025, 9, 25), limit) == dt.date(2025, 10, 22)  # across National Day 2025


def test_calendar_day_limit_ending_on_a_holiday_moves_to_the_next_working_day():
    assert deadline(dt.date(2025, 9, 26), TimeLimit(days=5)) == dt.date(2025, 10, 9)
    assert deadline(dt.date(2025, 11, 3), TimeLimit(days=15)) == dt.date(2025, 11, 18)


def test_deadline_takes_any_calendar():
    class EveryDay:
        def add_working_days(self, start, n):
            return start + dt.timedelta(days=n)

    assert deadline(dt.date(2025, 9, 25), TimeLimit(working_days=15), EveryDay()) == dt.date(2025, 10, 10)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2025, 10, 16), TimeStatus.OK),
        (dt.date(2025, 10, 17), TimeStatus.NEAR),  # 3 working days before 10-22
        (dt.date(2025, 10, 22), TimeStatus.NEAR),
        (dt.date(2025, 10, 23), TimeStatus.OVERDUE),
    ],
)
def test_time_status_from_the_pack(wf, today, status):
    assert wf.time_status(submitted(), today, Context(pack=PACK)) is status


def test_time_status_of_a_state_without_limit_is_ok(wf):
    assert wf.time_status(Record(state_entered_at=NOW), dt.date(2030, 1, 1)) is TimeStatus.OK


def test_time_limit_read_from_pack_object_and_missing_values(wf):
    class Pack:
        class filing:  # noqa: N801 - mimics the attribute shape of workflows.rules
            time_limit = type("TL", (), {"working_days": 10, "remind_before": None})

    limit = wf.time_limit("under_review", Context(pack=Pack))
    assert (limit.working_days, limit.remind_before, limit.on_expiry) == (10, 0, "escalate")
    assert wf.time_limit("under_review", Context(pack={"filing": {"time_limit": None}})) is None
    with pytest.raises(LookupError, match="filing.time_limit"):
        wf.time_limit("under_review", Context(pack={"filing": {}}))


def test_late_night_submission_counts_from_the_beijing_date(wf):
    late = dt.datetime(2025, 9, 24, 16, 30, tzinfo=dt.UTC)  # 00:30 on 09-25 in Beijing
    clock = wf.clock(submitted(state_entered_at=late), Context(pack=PACK))
    assert clock.started == dt.date(2025, 9, 25) and clock.deadline == dt.date(2025, 10, 22)
    assert clock.working_days_waited(dt.date(2025, 10, 9)) == 5


def test_due_actions(wf):
    ctx = Context(pack=PACK)
    fresh = submitted(state_entered_at=NOW + dt.timedelta(days=20))
    near = submitted()
    late = submitted(state_entered_at=NOW - dt.timedelta(days=30))
    draft = Record(state_entered_at=NOW - dt.timedelta(days=300))
    actions = wf.due_actions([fresh, near, late, draft], dt.date(2025, 10, 20), ctx)
    assert [(a.record, a.kind, a.roles) for a in actions] == [
        (near, "remind", ("city_clerk", "provincial_clerk")),
        (late, "escalate", ("provincial_clerk",)),
    ]
    assert actions[0].deadline == dt.date(2025, 10, 22)
    near.sent_actions.add(actions[0].key)
    assert [a.record for a in wf.due_actions([near, late], dt.date(2025, 10, 21), ctx)] == [late]


def test_engine_stays_free_of_flask_and_the_database():
    code = (
        "import sys, workflows.engine; print(sorted(m for m in ('flask', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_naive_timestamps_are_utc_as_the_application_stores_them():
    from workflows.time_limits import local_date

    assert local_date(dt.datetime(2025, 9, 24, 16, 30)) == dt.date(2025, 9, 25)  # 00:30 in Beijing
    assert local_date(dt.datetime(2025, 9, 24, 15, 59)) == dt.date(2025, 9, 24)
    assert local_date(dt.date(2025, 9, 24)) == dt.date(2025, 9, 24)

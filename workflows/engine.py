"""One small interpreter for the workflows declared in workflows/definitions/*.yaml.

Filing, complaint and penalty-case records all move the same way: a transition may fire when the record is
in one of its `from` states, the actor holds one of its roles, every guard agrees and, where required, a
comment is given. Firing sets the state (and the review stage of a multi-stage route), runs the named
effects and tells every `on_transition` listener (the application's audit trail) who did what, when and
why. Nothing here knows Flask or the database: records and actors are duck-typed.

Record protocol: `state: str`, `stage: int` (index into the route; staged workflows only),
`state_entered_at: date | datetime` (set by `fire`), `editor_ids` (read by `not_self_approval`), `kind`
(when the definition declares kinds), optional `sent_actions` (keys of reminders already sent), plus
whatever the application's guards read. Actor protocol: `id`, `role`, and `authority_code` for
`at_stage_authority`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from workflows.definition_schema import (
    Definition,
    StagedTarget,
    StayTarget,
    TimeLimit,
    Transition,
    consistency_errors,
    named_roles,
)
from workflows.time_limits import Clock, TimeStatus, clock_for, resolve
from workflows.yaml_file import read_mapping

DEFINITIONS_DIR = Path(__file__).parent / "definitions"


# --- errors -------------------------------------------------------------------------------------------
class WorkflowError(Exception):
    """Base of everything the engine raises on purpose."""


class DefinitionError(WorkflowError):
    """A definition that cannot be used; the message names the file and the field."""


class TransitionNotAllowed(WorkflowError):
    """The actor may not fire the transition now; `message` says why in Chinese, for the user."""

    reason = "not_allowed"

    def __init__(self, message: str, *, transition: str, guard: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.transition = transition
        self.guard = guard


class UnknownTransition(TransitionNotAllowed):
    reason = "unknown"


class NotApplicable(TransitionNotAllowed):
    reason = "kind"


class WrongState(TransitionNotAllowed):
    reason = "state"


class RoleNotAllowed(TransitionNotAllowed):
    reason = "role"


class GuardFailed(TransitionNotAllowed):
    reason = "guard"


class CommentRequired(TransitionNotAllowed):
    reason = "comment"


# --- what guards, effects and listeners see -------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What the application knows at run time and the definition does not.

    `pack`: the jurisdiction pack (object or mapping) that `from_pack` time limits read. `stages`: the
    authority code of each review stage of this record's route, in order (a one-stage workflow leaves it
    empty). `data`: anything else the application's guards need.
    """

    pack: Any = None
    stages: Sequence[str] = ()
    data: Mapping[str, Any] = field(default_factory=dict)
    # Facts the application adds to this transition's audit entry (what a correction changed, and why).
    audit: Mapping[str, Any] = field(default_factory=dict)

    @property
    def stage_count(self) -> int:
        return max(1, len(self.stages))

    def stage_authority(self, index: int | None) -> str | None:
        index = index or 0
        return self.stages[index] if 0 <= index < len(self.stages) else None


@dataclass(frozen=True)
class TransitionResult:
    """What happened, for effects, the audit trail and the caller."""

    workflow: str
    transition: str
    label: str
    actor: Any
    at: dt.datetime
    from_state: str
    to_state: str
    from_stage: int
    to_stage: int
    comment: str | None
    effects: tuple[str, ...]
    detail: Mapping[str, Any] = field(default_factory=dict)  # Context.audit

    @property
    def actor_id(self) -> Any:
        return getattr(self.actor, "id", None)

    def audit_detail(self) -> dict[str, Any]:
        """A JSON-ready summary for the audit entry."""
        return {
            "workflow": self.workflow,
            "transition": self.transition,
            "label": self.label,
            "from": self.from_state,
            "to": self.to_state,
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "comment": self.comment,
            **self.detail,
        }


@dataclass(frozen=True)
class DueAction:
    """A reminder or escalation the daily job should send; `key` lets it send each one once."""

    record: Any
    kind: Literal["remind", "overdue", "escalate"]
    state: str
    deadline: dt.date
    roles: tuple[str, ...]
    key: str


Guard = Callable[[Any, Any, Context], str | None]  # returns None to allow, or the Chinese refusal
Effect = Callable[[Any, TransitionResult, Context], None]
Listener = Callable[[Any, TransitionResult], None]


# --- built-in guards ----------------------------------------------------------------------------------
def not_self_approval(record: Any, actor: Any, ctx: Context) -> str | None:
    """Whoever edited a record may not approve it: review needs a second pair of eyes."""
    if getattr(actor, "id", None) in set(record.editor_ids):
        return "您编辑过该记录，不能由本人审核（不得自审自批）"
    return None


def at_stage_authority(record: Any, actor: Any, ctx: Context) -> str | None:
    """Only a clerk of the bureau that holds the current stage of the route may decide it."""
    expected = ctx.stage_authority(getattr(record, "stage", 0))
    if expected is None:
        return "未能确定当前审核阶段的受理机关"
    if getattr(actor, "authority_code", None) != expected:
        return "该记录当前不由您所在的公安机关审核"
    return None


BUILTIN_GUARDS: dict[str, Guard] = {
    "not_self_approval": not_self_approval,
    "at_stage_authority": at_stage_authority,
}
BUILTIN_EFFECTS: dict[str, Effect] = {}


class Registry:
    """Guards, effects, roles and transition listeners by name; the application registers its own at start-up.

    Registering the same function again is a no-op, so an application factory may run many times in
    tests; a different function under a taken name is refused unless `replace=True`.
    """

    def __init__(self) -> None:
        self.guards: dict[str, Guard] = dict(BUILTIN_GUARDS)
        self.effects: dict[str, Effect] = dict(BUILTIN_EFFECTS)
        self.roles: set[str] = set()  # the account roles a definition may name (the application's own)
        self.listeners: list[Listener] = []

    def add_roles(self, *names: str) -> None:
        self.roles.update(names)

    def add_guard(self, name: str, fn: Guard, *, replace: bool = False) -> Guard:
        return _put(self.guards, "guard", name, fn, replace)

    def add_effect(self, name: str, fn: Effect, *, replace: bool = False) -> Effect:
        return _put(self.effects, "effect", name, fn, replace)

    def guard(self, name: str) -> Callable[[Guard], Guard]:
        return lambda fn: self.add_guard(name, fn)

    def effect(self, name: str) -> Callable[[Effect], Effect]:
        return lambda fn: self.add_effect(name, fn)

    def on_transition(self, fn: Listener) -> Listener:
        if fn not in self.listeners:
            self.listeners.append(fn)
        return fn


def _put(table: dict[str, Any], kind: str, name: str, fn: Any, replace: bool) -> Any:
    if table.get(name, fn) is not fn and not replace:
        raise ValueError(f"{kind} {name!r} is already registered")
    table[name] = fn
    return fn


default_registry = Registry()  # the application registers here; tests make their own


# --- the interpreter ----------------------------------------------------------------------------------
class Workflow:
    """A loaded definition bound to a registry."""

    def __init__(self, definition: Definition, *, source: str, registry: Registry) -> None:
        self.definition = definition
        self.source = source
        self.registry = registry
        self.name = definition.name
        self.label = definition.label
        self.initial = definition.initial
        self.states = definition.states
        self.transitions: dict[str, Transition] = {t.name: t for t in definition.transitions}

    def __repr__(self) -> str:
        return f"<Workflow {self.name} from {self.source}>"

    def state_label(self, state: str) -> str:
        return self.states[state].label if state in self.states else state

    def unbound(self) -> list[str]:
        """Required guards and effects the registry does not have yet."""
        required = self.definition.requires
        return [f"guard {g}" for g in required.guards if g not in self.registry.guards] + [
            f"effect {e}" for e in required.effects if e not in self.registry.effects
        ]

    def unknown_roles(self) -> list[str]:
        """`location: role` of every role the definition names that the registry does not know."""
        return [f"{at}: role {role!r}" for at, role in named_roles(self.definition) if role not in self.registry.roles]

    def verify(self) -> None:
        """Fail at start-up, not at the first click, when the application forgot to register something, or
        the definition names a role no account can have."""
        problems = []
        if missing := self.unbound():
            problems.append(f"requires: not registered: {', '.join(missing)}")
        if roles := self.unknown_roles():
            problems.append(f"not a registered role: {'; '.join(roles)}")
        if problems:
            raise DefinitionError(f"{self.source}: " + "; ".join(problems))

    # --- opening a record, and the reviewer's decisions ---
    def check_start(self, record: Any, actor: Any, ctx: Context | None = None) -> None:
        """May `actor` open `record` (new, in the initial state)? TransitionNotAllowed says why not."""
        ctx = ctx or Context()
        start = self.definition.start
        if start is None:
            raise UnknownTransition(f"「{self.label}」不能由用户发起", transition="start")
        kind = getattr(record, "kind", None)
        if self.definition.kinds and kind not in self.definition.kinds:
            raise NotApplicable(f"未知的申请类型：{kind}", transition="start")
        if getattr(actor, "role", None) not in start.roles:
            raise RoleNotAllowed(f"您的角色无权{start.label}", transition="start")
        for name in start.guards:
            refusal = self._lookup(self.registry.guards, "guard", name)(record, actor, ctx)
            if refusal:
                raise GuardFailed(refusal, transition="start", guard=name)

    def for_decision(self, decision: str, record: Any) -> Transition | None:
        """The transition that answers a reviewer's decision for this record's kind, if the definition has one."""
        kind = getattr(record, "kind", None)
        return next((t for t in self.transitions.values()
                     if t.decision == decision and (t.kinds is None or kind in t.kinds)), None)

    def decisions(self) -> list[str]:
        return list(dict.fromkeys(t.decision for t in self.transitions.values() if t.decision))

    # --- firing ---
    def available(self, record: Any, actor: Any, ctx: Context | None = None) -> list[Transition]:
        """The transitions `actor` may fire on `record` now (a comment may still be required)."""
        ctx = ctx or Context()
        allowed = []
        for t in self.transitions.values():
            try:
                self._check(record, t, actor, ctx)
            except TransitionNotAllowed:
                continue
            allowed.append(t)
        return allowed

    def fire(
        self,
        record: Any,
        transition: str,
        actor: Any,
        *,
        comment: str | None = None,
        now: dt.datetime,
        ctx: Context | None = None,
    ) -> TransitionResult:
        """Check, move the record, run the effects, tell the listeners; raise TransitionNotAllowed if refused.

        If an effect or listener raises, the record's state, stage and entry time are put back and the
        error propagates, so the caller's database transaction rolls back as one piece.
        """
        ctx = ctx or Context()
        t = self._transition(transition)
        self._check(record, t, actor, ctx)
        comment = (comment or "").strip() or None
        if t.comment_required and comment is None:
            raise CommentRequired(f"执行「{t.label}」须填写意见", transition=t.name)
        from_stage = getattr(record, "stage", None) or 0
        to_state, to_stage = self._target(t, record.state, from_stage, ctx)
        effects = (*t.effects, *self.states[to_state].on_enter)
        result = TransitionResult(
            workflow=self.name,
            transition=t.name,
            label=t.label,
            actor=actor,
            at=now,
            from_state=record.state,
            to_state=to_state,
            from_stage=from_stage,
            to_stage=to_stage,
            comment=comment,
            effects=effects,
            detail=dict(ctx.audit),
        )
        saved = (record.state, getattr(record, "stage", None), getattr(record, "state_entered_at", None))
        try:
            record.state, record.state_entered_at = to_state, now
            if hasattr(record, "stage") or isinstance(t.to, StagedTarget) or t.stage == "reset":
                record.stage = to_stage
            for name in effects:
                self._lookup(self.registry.effects, "effect", name)(record, result, ctx)
            for listener in list(self.registry.listeners):
                listener(record, result)
        except BaseException:
            record.state, record.state_entered_at = saved[0], saved[2]
            if hasattr(record, "stage"):
                record.stage = saved[1]
            raise
        return result

    def _transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise UnknownTransition(f"没有「{name}」这一操作", transition=name) from None

    def _check(self, record: Any, t: Transition, actor: Any, ctx: Context) -> None:
        kind = getattr(record, "kind", None)
        if t.kinds is not None and kind not in t.kinds:
            kind_label = self.definition.kinds.get(kind, str(kind))
            raise NotApplicable(f"「{t.label}」不适用于{kind_label}", transition=t.name)
        if record.state not in t.from_:
            raise WrongState(
                f"当前状态为「{self.state_label(record.state)}」，不能执行「{t.label}」", transition=t.name
            )
        if getattr(actor, "role", None) not in t.roles:
            raise RoleNotAllowed(f"您的角色无权执行「{t.label}」", transition=t.name)
        for name in t.guards:
            refusal = self._lookup(self.registry.guards, "guard", name)(record, actor, ctx)
            if refusal:
                raise GuardFailed(refusal, transition=t.name, guard=name)

    def _target(self, t: Transition, state: str, stage: int, ctx: Context) -> tuple[str, int]:
        if t.stage == "reset":
            stage = 0
        if isinstance(t.to, StayTarget):
            return state, stage
        if isinstance(t.to, StagedTarget):
            if stage + 1 < ctx.stage_count:
                return t.to.next_stage, stage + 1
            return t.to.last_stage, stage
        return t.to, stage

    def _lookup(self, table: Mapping[str, Any], kind: str, name: str) -> Any:
        try:
            return table[name]
        except KeyError:
            raise DefinitionError(f"{self.source}: {kind} {name!r} is not registered") from None

    # --- time limits ---
    def time_limit(self, state: str, ctx: Context | None = None) -> TimeLimit | None:
        """The state's limit with pack values filled in, or None when the state has none."""
        limit = self.states[state].time_limit
        return None if limit is None else resolve(limit, (ctx or Context()).pack)

    def clock(self, record: Any, ctx: Context | None = None) -> Clock | None:
        """The deadline the record is running against in its current state, if any."""
        limit = self.time_limit(record.state, ctx)
        started = None if limit is None else getattr(record, limit.counted_from, None)
        return None if started is None else clock_for(started, limit)

    def time_status(self, record: Any, today: dt.date, ctx: Context | None = None) -> TimeStatus:
        """ok / near / overdue, for the warning beside a record in a queue."""
        clock = self.clock(record, ctx)
        return TimeStatus.OK if clock is None else clock.status(today)

    def acting_roles(self, state: str) -> tuple[str, ...]:
        """Roles that can move a record on from `state`: the ones a reminder goes to."""
        roles = dict.fromkeys(r for t in self.transitions.values() if state in t.from_ for r in t.roles)
        return tuple(roles)

    def due_actions(
        self, records: Iterable[Any], today: dt.date, ctx: Context | None = None
    ) -> list[DueAction]:
        """The reminders and escalations due today, minus those whose key the record lists as sent."""
        due = []
        for record in records:
            clock = self.clock(record, ctx)
            status = TimeStatus.OK if clock is None else clock.status(today)
            if clock is None or status is TimeStatus.OK:
                continue
            if status is TimeStatus.NEAR:
                kind, roles = "remind", self.acting_roles(record.state)
            elif clock.limit.on_expiry == "escalate":
                kind, roles = "escalate", (clock.limit.escalate_to_role,)
            else:
                kind, roles = "overdue", self.acting_roles(record.state)
            stage = getattr(record, "stage", None) or 0
            key = f"{self.name}:{record.state}:{stage}:{clock.started.isoformat()}:{kind}"
            if key not in set(getattr(record, "sent_actions", None) or ()):
                due.append(DueAction(record, kind, record.state, clock.deadline, roles, key))
        return due


# --- loading ------------------------------------------------------------------------------------------
def _location(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def load_file(path: Path, registry: Registry | None = None) -> Workflow:
    """Read, validate and bind one definition file; DefinitionError names the file and the field."""
    data = read_mapping(path, DefinitionError)
    try:
        definition = Definition.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise DefinitionError(f"{path}: {details}") from None
    problems = consistency_errors(definition, BUILTIN_GUARDS, BUILTIN_EFFECTS)
    if definition.name != path.stem:
        problems.insert(0, ("name", f"{definition.name!r} does not match the file name {path.stem!r}"))
    if problems:
        raise DefinitionError(f"{path}: " + "; ".join(f"{loc}: {msg}" for loc, msg in problems))
    return Workflow(definition, source=str(path), registry=registry or default_registry)


@cache
def _load_cached(name: str, registry: Registry, directory: Path) -> Workflow:
    return load_file(directory / f"{name}.yaml", registry)


def load_definition(
    name: str, *, registry: Registry | None = None, directory: Path | None = None
) -> Workflow:
    """The named definition from workflows/definitions/, loaded once per registry."""
    return _load_cached(name, registry or default_registry, directory or DEFINITIONS_DIR)


def definition_names(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or DEFINITIONS_DIR).glob("*.yaml"))


def verify_all(registry: Registry | None = None, directory: Path | None = None) -> list[Workflow]:
    """Load and verify every definition in the folder against the registry: the application calls it once
    it has registered its guards, effects and roles, so an unknown name in ANY definition stops it, naming
    the file and the field."""
    workflows = [load_definition(name, registry=registry, directory=directory)
                 for name in definition_names(directory)]
    for workflow in workflows:
        workflow.verify()
    return workflows

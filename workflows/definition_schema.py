"""The shape of a workflow definition (workflows/definitions/*.yaml) and the checks it must pass to load.

Pydantic checks each field; `consistency_errors` then checks what one field cannot know alone (states
named by transitions exist, guards and effects are known, every state is reachable and can be left).
Both report a location such as `transitions[3].guards[0]`, so a broken definition names its field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# A role is a name the application registers (Registry.add_roles, from app.models.user.Role): the engine
# keeps no list of its own, and a definition naming a role nobody registered stops the app (Workflow.verify).
Role = Name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeLimit(_Strict):
    """How long a record may stay in a state, and what happens near and after the end.

    Exactly one of `working_days`, `days` (calendar days) or `from_pack` (a dotted name in the jurisdiction
    pack, such as `filing.time_limit`, whose `working_days`/`days`/`remind_before` are read at run time).
    `remind_before` is in the same unit as the limit. `counted_from` names the record attribute the clock
    starts from, for a limit that spans several states (default: when the record entered this state).
    """

    working_days: int | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, gt=0)
    from_pack: str | None = Field(default=None, pattern=r"^[a-z_]+(\.[a-z_]+)*$")
    remind_before: int = Field(default=0, ge=0)
    on_expiry: Literal["remind", "escalate"] = "remind"
    escalate_to_role: Role | None = None
    counted_from: str = Field(default="state_entered_at", pattern=r"^[a-z_]+$")

    @model_validator(mode="after")
    def _one_source(self) -> TimeLimit:
        given = [k for k in ("working_days", "days", "from_pack") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of working_days, days, from_pack (got {given or 'none'})")
        if self.on_expiry == "escalate" and self.escalate_to_role is None:
            raise ValueError("on_expiry: escalate needs escalate_to_role")
        return self


class State(_Strict):
    label: str = Field(min_length=1)
    final: bool = False
    time_limit: TimeLimit | None = None
    on_enter: list[str] = Field(default_factory=list)  # effects run whenever a transition enters the state


class StagedTarget(_Strict):
    """Where a multi-stage review goes: the next stage of the record's route, or past the last one."""

    next_stage: str
    last_stage: str


class StayTarget(_Strict):
    """The record stays in the state it is in (a correction that re-routes it, say): `to: {stay: true}`."""

    stay: Literal[True]


class Transition(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: Name
    label: str = Field(min_length=1)
    from_: list[str] = Field(alias="from", min_length=1)
    to: str | StagedTarget | StayTarget
    roles: list[Role] = Field(min_length=1)
    guards: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)
    comment_required: bool = False
    kinds: list[str] | None = None  # record kinds the transition applies to; None: every kind
    stage: Literal["keep", "reset"] = "keep"  # reset: start the route again at its first stage
    # The reviewer's decision (a button of the review page) this transition answers, e.g. approve: where kinds
    # differ, each kind's transition names the same decision, and the application fires the one that applies.
    decision: Name | None = None

    @property
    def staged(self) -> bool:
        return isinstance(self.to, StagedTarget)

    def targets(self) -> tuple[str, ...]:
        if isinstance(self.to, StayTarget):
            return tuple(self.from_)
        return (self.to.next_stage, self.to.last_stage) if isinstance(self.to, StagedTarget) else (self.to,)


class Start(_Strict):
    """Who may open a record (in the initial state) and what must hold first: guards run on the new record
    before it is saved, so a refusal writes nothing."""

    label: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    guards: list[str] = Field(default_factory=list)


class Requires(_Strict):
    """Guards and effects the application must register; the engine's built-ins need no mention."""

    guards: list[str] = Field(default_factory=list)
    effects: list[str] = Field(default_factory=list)


class Definition(_Strict):
    name: Name
    label: str = Field(min_length=1)
    initial: str
    kinds: dict[str, str] = Field(default_factory=dict)  # record kind -> Chinese label
    requires: Requires = Field(default_factory=Requires)
    start: Start | None = None
    states: dict[str, State] = Field(min_length=1)
    transitions: list[Transition] = Field(min_length=1)


Problem = tuple[str, str]  # (location, message)


def named_roles(defn: Definition) -> list[tuple[str, str]]:
    """(location, role) of every role the definition names: transitions, escalations, the start."""
    found = [(f"transitions[{i}].roles[{j}]", r) for i, t in enumerate(defn.transitions) for j, r in enumerate(t.roles)]
    found += [(f"states.{key}.time_limit.escalate_to_role", s.time_limit.escalate_to_role)
              for key, s in defn.states.items() if s.time_limit and s.time_limit.escalate_to_role]
    if defn.start is not None:
        found += [(f"start.roles[{j}]", r) for j, r in enumerate(defn.start.roles)]
    return found


def consistency_errors(
    defn: Definition, builtin_guards: Iterable[str], builtin_effects: Iterable[str]
) -> list[Problem]:
    """Everything wrong with `defn` that the field types alone cannot catch."""
    problems: list[Problem] = []
    guards = set(builtin_guards) | set(defn.requires.guards)
    effects = set(builtin_effects) | set(defn.requires.effects)
    states = defn.states
    if defn.initial not in states:
        problems.append(("initial", f"unknown state {defn.initial!r}"))
    elif states[defn.initial].final:
        problems.append(("initial", f"initial state {defn.initial!r} is final"))
    for key, state in states.items():
        problems += [
            (f"states.{key}.on_enter[{i}]", f"unknown effect {e!r}; declare it under requires.effects")
            for i, e in enumerate(state.on_enter)
            if e not in effects
        ]
    if defn.start is not None:
        problems += [
            (f"start.guards[{j}]", f"unknown guard {g!r}; declare it under requires.guards")
            for j, g in enumerate(defn.start.guards)
            if g not in guards
        ]
    seen: set[str] = set()
    for i, t in enumerate(defn.transitions):
        at = f"transitions[{i}]"
        if t.name in seen:
            problems.append((f"{at}.name", f"duplicate transition name {t.name!r}"))
        seen.add(t.name)
        problems += [
            (f"{at}.from[{j}]", f"unknown state {s!r}") for j, s in enumerate(t.from_) if s not in states
        ]
        problems += [
            (f"{at}.from[{j}]", f"final state {s!r} cannot be left")
            for j, s in enumerate(t.from_)
            if s in states and states[s].final
        ]
        problems += [(f"{at}.to", f"unknown state {s!r}") for s in t.targets() if s not in states]
        problems += [
            (f"{at}.guards[{j}]", f"unknown guard {g!r}; declare it under requires.guards")
            for j, g in enumerate(t.guards)
            if g not in guards
        ]
        problems += [
            (f"{at}.effects[{j}]", f"unknown effect {e!r}; declare it under requires.effects")
            for j, e in enumerate(t.effects)
            if e not in effects
        ]
        problems += [
            (f"{at}.kinds[{j}]", f"unknown kind {k!r}; declare it under kinds")
            for j, k in enumerate(t.kinds or ())
            if k not in defn.kinds
        ]
    if not problems:
        problems += _graph_errors(defn)
    return problems


def _graph_errors(defn: Definition) -> list[Problem]:
    """Every state reachable from the initial one; every state that is not final has a way out."""
    reachable, frontier = {defn.initial}, [defn.initial]
    while frontier:
        here = frontier.pop()
        for t in defn.transitions:
            if here in t.from_:
                for target in t.targets():
                    if target not in reachable:
                        reachable.add(target)
                        frontier.append(target)
    problems = [
        (f"states.{s}", "unreachable from the initial state") for s in defn.states if s not in reachable
    ]
    exits = {s for t in defn.transitions for s in t.from_}
    problems += [
        (f"states.{s}", "not final but no transition leaves it")
        for s, state in defn.states.items()
        if not state.final and s not in exits
    ]
    return problems

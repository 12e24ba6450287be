"""The audit log as admins read it: filters, Chinese labels from a table (audit_labels.yaml) and the
workflow definitions, details as "label: value" fields, Beijing times; the same rows for the XLSX export.

Nothing here writes the trail except ``export``, which records the export itself (app/audit.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Select, func, select

from app.extensions import db
from app.models import AuditEntry
from forms import N_
from workflows.engine import WorkflowError, definition_names, load_definition
from workflows.time_limits import format_beijing

LABELS_FILE = Path(__file__).with_name("audit_labels.yaml")
_ACTOR = re.compile(r"^(?P<name>.*) \((?P<role>[a-z_]+)\)$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@cache
def labels() -> dict[str, dict[str, str]]:
    with LABELS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _workflows() -> dict[str, Any]:
    found = {}
    for name in definition_names():
        try:
            found[name] = load_definition(name)
        except WorkflowError:  # a definition this deployment does not bind is simply not used for names
            continue
    return found


def action_label(action: str, detail: Any = None) -> str:
    """The table's name for an action, else its workflow's ("从业单位备案：审核通过"), else the code."""
    table = labels()["actions"]
    if action in table:
        return table[action]
    workflow, _, transition = action.partition(".")
    wf = _workflows().get(workflow)
    if wf is not None and transition in wf.transitions:
        return f"{wf.label}：{wf.transitions[transition].label}"
    if isinstance(detail, dict) and isinstance(detail.get("label"), str):
        return detail["label"]
    return action


def object_label(object_type: str) -> str:
    return labels()["objects"].get(object_type, object_type)


def role_label(role: str) -> str:
    return labels()["values"].get(role, role)


def actor_text(actor_label: str) -> str:
    """"li (city_clerk)" as "li（市级公安机关工作人员）"; "system" and "anonymous" in words."""
    if actor_label == "system":
        return "系统"
    if actor_label == "anonymous":
        return "未登录用户"
    match = _ACTOR.match(actor_label or "")
    if match:
        return f"{match['name']}（{role_label(match['role'])}）"
    return actor_label


def _value(value: Any, key: str = "", workflow: Any = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if _ISO_MOMENT.match(value):
            return format_beijing(value, label=True)
        if workflow is not None and key in ("from", "to", "state") and value in workflow.states:
            return workflow.state_label(value)
        return labels()["values"].get(value, value)
    if isinstance(value, list):
        return "、".join(_value(v, key, workflow) for v in value) if value else "—"
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{_value(v, k, workflow)}" for k, v in value.items())
    return str(value)


def field_label(key: str) -> str:
    return labels()["fields"].get(key, key)


def detail_fields(action: str, detail: Any) -> list[tuple[str, str]]:
    """The details as (label, value) pairs in a readable order; a nested before/after reads "角色：…；…"."""
    if not isinstance(detail, dict):
        return [] if detail in (None, "", {}) else [("详情", str(detail))]
    workflow = _workflows().get(detail.get("workflow") or action.partition(".")[0])
    shown = []
    for key, value in detail.items():
        if key in ("workflow", "transition", "label"):  # already said by the action's name
            continue
        if key in ("from_stage", "to_stage") and value in (None, 0):
            continue
        shown.append((field_label(key), _value(value, key, workflow)))
    return shown


# --- filters ----------------------------------------------------------------------------------------------
@dataclass
class Filters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Filters:
        f = cls(actor=args.get("actor", "").strip()[:100], action=args.get("action", "").strip()[:64],
                object_type=args.get("object_type", "").strip()[:64],
                object_id=args.get("object_id", "").strip()[:64])
        for name, problem in (("date_from", N_("起始日期应为 年-月-日，如 2026-11-30")),
                              ("date_to", N_("截止日期应为 年-月-日，如 2026-11-30"))):
            raw = args.get(name, "").strip()
            if raw:
                try:
                    setattr(f, name, dt.date.fromisoformat(raw))
                except ValueError:
                    f.errors.append(problem)
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.errors.append(N_("起始日期晚于截止日期"))
        return f

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for the pager and the export link)."""
        raw = {"actor": self.actor, "action": self.action, "object_type": self.object_type,
               "object_id": self.object_id, "date_from": self.date_from.isoformat() if self.date_from else "",
               "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in raw.items() if v}

    def apply(self, query: Select) -> Select:
        if self.actor:
            query = query.where(AuditEntry.actor_label.contains(self.actor, autoescape=True))
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.object_type:
            query = query.where(AuditEntry.object_type == self.object_type)
        if self.object_id:
            query = query.where(AuditEntry.object_id == self.object_id)
        # Dates are Beijing days; entries are stored in UTC: a Beijing day starts at 16:00 UTC the day before.
        if self.date_from:
            query = query.where(AuditEntry.at >= _utc_start(self.date_from))
        if self.date_to:
            query = query.where(AuditEntry.at < _utc_start(self.date_to + dt.timedelta(days=1)))
        return query


def _utc_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) - dt.timedelta(hours=8)


def choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The actions and object types the trail holds, with their names, for the filter's lists."""
    actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    objects = db.session.scalars(select(AuditEntry.object_type).distinct()).all()
    return (sorted(((a, action_label(a)) for a in actions), key=lambda p: p[1]),
            sorted(((o, object_label(o)) for o in objects if o), key=lambda p: p[1]))


def count(filters: Filters) -> int:
    return db.session.scalar(filters.apply(select(func.count()).select_from(AuditEntry)))


def entries(filters: Filters, *, offset: int = 0, limit: int | None = None):
    query = filters.apply(select(AuditEntry)).order_by(AuditEntry.id.desc()).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return db.session.scalars(query)


@dataclass(frozen=True)
class Row:
    id: int
    at: str
    actor: str
    action: str
    action_code: str
    object: str
    object_id: str
    fields: list[tuple[str, str]]


def row(entry: AuditEntry) -> Row:
    return Row(entry.id, format_beijing(entry.at, seconds=True), actor_text(entry.actor_label),
               action_label(entry.action, entry.detail), entry.action, object_label(entry.object_type),
               entry.object_id, detail_fields(entry.action, entry.detail))


EXPORT_HEADERS = ("编号", "时间（北京时间）", "操作人", "操作", "操作代码", "对象", "对象编号", "详情")
EXPORT_WIDTHS = (8, 20, 28, 24, 24, 14, 12, 80)


def export(target, filters: Filters, *, actor) -> int:
    """The filtered entries as XLSX (newest first), and an audit entry saying who exported what."""
    from app import audit
    from reports.export import XlsxExport

    with XlsxExport(target, EXPORT_HEADERS, sheet_name="审计记录", widths=EXPORT_WIDTHS) as out:
        # The time as a real Excel date-time: XlsxExport writes a stored (UTC) moment in Beijing time.
        written = out.write_rows((e.id, e.at, r.actor, r.action, r.action_code, r.object, r.object_id,
                                  "\n".join(f"{k}：{v}" for k, v in r.fields))
                                 for e in entries(filters) for r in (row(e),))
    audit.record("audit.export", object_type="audit", actor=actor,
                 detail={"format": "xlsx", "rows": written, "filters": filters.args()})
    db.session.commit()
    return written

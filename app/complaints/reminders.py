"""The daily job for complaint time limits: reminders and escalations declared in complaint.yaml (acceptance,
verification) and warning.yaml (a removal application's review), each recorded once.

Done the way filings do it (app/filings/service.py record_due_actions): the engine lists what is due minus
the keys the record already lists in `sent_actions`; each action writes its key with a plain UPDATE (a
reminder is not an act on the record, so the record's version stays and an open clerk's page stays valid)
and its audit entry, one commit each, so `flask complaints remind` may run from cron any number of times.
The periods are the bureau's policy (pack complaints.yaml, `statutory: false`): no text sets them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, update

from app import audit
from app.complaints import service as complaints
from app.complaints import warnings
from app.extensions import db
from app.models import Complaint, WarningNotice
from workflows.engine import DueAction

KIND_LABELS = {"remind": "临近办理时限", "overdue": "已超过办理时限", "escalate": "超期，升级至上级机关"}


def due_actions(today: dt.date) -> list[DueAction]:
    """Reminders and escalations due today for open complaints and removal applications under review."""
    open_complaints = db.session.scalars(select(Complaint).where(
        Complaint.state.in_(complaints.OPEN_STATES), Complaint.authority_code.is_not(None)).order_by(Complaint.id))
    actions = complaints.workflow().due_actions(open_complaints, today, complaints.context())
    if warnings.rules() is not None:
        applications = db.session.scalars(select(WarningNotice).where(
            WarningNotice.state == "removal_requested").order_by(WarningNotice.id))
        actions += warnings.workflow().due_actions(applications, today, warnings.context())
    return actions


def record_due_actions(actions: Iterable[DueAction]) -> int:
    """Audit each action and remember its key on the record (plain UPDATE, version untouched), one commit each."""
    count = 0
    for action in actions:
        record = action.record
        table = type(record).__table__
        keys = [*(record.sent_actions or []), action.key]
        db.session.execute(update(table).where(table.c.id == record.id).values(sent_actions=keys))
        prefix = "complaint" if isinstance(record, Complaint) else "warning"
        audit.record(f"{prefix}.{action.kind}", record, actor="system", detail={
            "kind": action.kind, "state": action.state, "deadline": action.deadline.isoformat(),
            "roles": list(action.roles), "authority": record.authority_code, "key": action.key})
        db.session.commit()
        count += 1
    return count


def sent_kinds(record) -> set[str]:
    """The reminders/escalations already recorded against the deadline the record now runs to (for badges)."""
    wf = complaints.workflow() if isinstance(record, Complaint) else warnings.workflow()
    ctx = complaints.context() if isinstance(record, Complaint) else warnings.context()
    clock = wf.clock(record, ctx)
    if clock is None:
        return set()
    prefix = f"{wf.name}:{record.state}:{getattr(record, 'stage', None) or 0}:{clock.started.isoformat()}:"
    return {key[len(prefix):] for key in (record.sent_actions or []) if key.startswith(prefix)}

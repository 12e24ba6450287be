"""The one place that writes the audit trail, and the check that it was never altered.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting any row
behind the application's back breaks the chain at that row; `flask audit verify` finds the first break.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask_login import current_user
from sqlalchemy import select, text

from app.extensions import db
from app.models.audit import AuditEntry
from app.models.base import utcnow

GENESIS = "0" * 64
# Any constant: serialises appends across workers on PostgreSQL (SQLite serialises writers itself).
_PG_LOCK_KEY = 7_211_305


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = {
        "prev": prev_hash,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _resolve_actor(actor):
    if actor is None:
        try:
            actor = current_user if current_user and current_user.is_authenticated else None
        except RuntimeError:  # outside a request (CLI)
            actor = None
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return actor.id, actor.audit_label()


def record(action: str, obj=None, *, object_type: str = "", object_id=None, detail=None, actor=None):
    """Append one entry in the caller's transaction; the caller commits it with the change it records."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id if object_id is None else object_id
    actor_id, actor_label = _resolve_actor(actor)
    last = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        prev_hash=last or GENESIS,
    )
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass
class VerifyReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(batch: int = 5000) -> VerifyReport:
    """Walk the chain in id order and report the first entry whose link or content does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return VerifyReport(checked)
        for entry in rows:
            if entry.prev_hash != prev:
                return VerifyReport(checked, entry.id, "链接断开：上一条记录的哈希不符（记录被删除或篡改）")
            if _digest(prev, entry) != entry.hash:
                return VerifyReport(checked, entry.id, "内容被修改：记录的哈希与内容不符")
            prev = entry.hash
            checked += 1
            last_id = entry.id
        db.session.expunge_all()

"""The audit trail: append-only, each entry chained to the one before by its hash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None]
    actor_label: Mapped[str] = mapped_column(String(200), default="system")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Unique: two entries can never claim the same predecessor, so concurrent writers cannot fork the
    # chain; one of them fails and retries.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # How `hash` was computed: "sha256" (entries written before keying) or "hmac-sha256:<key id>", an
    # HMAC under a key the database does not hold (app/audit.py).
    scheme: Mapped[str] = mapped_column(String(32), default="sha256", server_default="sha256")


class AuditTrailIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditTrailIsAppendOnly("audit entries are never changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditTrailIsAppendOnly("audit entries are never deleted")

"""A firm's filing requests (备案、变更、注销), their staff, materials and messages, and the number counter.

One request per application. What the firm asks for lives on the request until the last review stage
approves it; only then do the workflow's effects copy it onto the firm's roster columns. The route's
authority codes are fixed on the request at submission (`stages`), and `authority_code` names the bureau
holding the current stage, so a clerk's queue is one indexed equality.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

KIND_LABELS = {"initial": "备案", "change": "备案变更", "cancellation": "备案注销"}
STAFF_ROLE_LABELS = {"management": "管理人员", "technical": "技术人员"}
OPEN_STATES = ("draft", "under_review", "returned")
EDITABLE_STATES = ("draft", "returned")
_OPEN_STATES_SQL = "state IN ('draft', 'under_review', 'returned')"


class FilingRequest(db.Model):
    __tablename__ = "filing_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="initial")
    state: Mapped[str] = mapped_column(String(20), default="draft")
    stage: Mapped[int] = mapped_column(default=0)
    route: Mapped[str | None] = mapped_column(String(20))
    stages: Mapped[list] = mapped_column(JSON, default=list)
    authority_code: Mapped[str | None] = mapped_column(String(12))

    # What the firm declares (Liaoning art. 16: licence, trained staff, equipment and premises, rules).
    name: Mapped[str] = mapped_column(String(200), default="")
    legal_rep: Mapped[str] = mapped_column(String(100), default="")
    registered_address: Mapped[str] = mapped_column(String(300), default="")
    premises_address: Mapped[str] = mapped_column(String(300), default="")
    city_code: Mapped[str | None] = mapped_column(String(12))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    equipment: Mapped[str] = mapped_column(Text, default="")
    management_rules: Mapped[str] = mapped_column(Text, default="")
    business_types: Mapped[list] = mapped_column(JSON, default=list)
    # Why a change or cancellation is asked for (the firm's own words).
    reason: Mapped[str] = mapped_column(Text, default="")

    state_entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    editor_ids: Mapped[list] = mapped_column(JSON, default=list)
    sent_actions: Mapped[list] = mapped_column(JSON, default=list)
    filing_number: Mapped[str | None] = mapped_column(String(64))
    # An approved change that moved the filing to another bureau: the bureau that held it before, so that
    # bureau learns the firm left its area (its clerks' home page lists such moves).
    previous_authority_code: Mapped[str | None] = mapped_column(String(12), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # What the reviewing bureau last saw when it returned the request for correction (fields, staff,
    # documents; app.filings.changes.snapshot), so the resubmission's review shows what changed.
    review_snapshot: Mapped[dict | None] = mapped_column(JSON)
    # Optimistic lock: every UPDATE checks and bumps it, so of two actors on the same version only the
    # first is written; the second gets StaleDataError and is told the page is stale.
    version: Mapped[int] = mapped_column(default=1)

    firm = relationship("Firm")
    staff = relationship(
        "FilingStaff", back_populates="request", cascade="all, delete-orphan", order_by="FilingStaff.id"
    )
    documents = relationship(
        "FilingDocument", back_populates="request", cascade="all, delete-orphan", order_by="FilingDocument.id"
    )
    messages = relationship(
        "FilingMessage", back_populates="request", cascade="all, delete-orphan", order_by="FilingMessage.id"
    )

    __table_args__ = (
        Index("ix_filing_request_queue", "authority_code", "state", "state_entered_at"),
        # One open request per firm, held by the database: simultaneous "start" posts cannot open two.
        Index("uq_filing_request_one_open", "firm_id", unique=True,
              sqlite_where=text(_OPEN_STATES_SQL), postgresql_where=text(_OPEN_STATES_SQL)),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def route_label(self) -> str:
        """The pack's name for the route (the route's key is the pack's own, e.g. local)."""
        from flask import current_app

        route = current_app.extensions["jifang.pack"].filing.routes.get(self.route or "")
        return route.label if route else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def reached_authorities(self) -> list[str]:
        """The bureaus the request has reached so far: the ones whose clerks may read it."""
        if self.state == "draft" or not self.stages:
            return []
        return list(self.stages[: self.stage + 1])

    @property
    def current_documents(self) -> list[FilingDocument]:
        """The materials as they stand; replaced ones stay in `documents` as the request's history."""
        return [d for d in self.documents if d.replaced_at is None]

    @property
    def replaced_documents(self) -> list[FilingDocument]:
        return [d for d in self.documents if d.replaced_at is not None]

    def documents_for(self, material_code: str) -> list[FilingDocument]:
        return [d for d in self.current_documents if d.material_code == material_code]

    def add_editor(self, user_id: int) -> None:
        if user_id not in (self.editor_ids or []):
            self.editor_ids = [*(self.editor_ids or []), user_id]


class FilingStaff(db.Model):
    """A management or technical person the firm names (Liaoning art. 16 item 2): trained staff."""

    __tablename__ = "filing_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("filing_request.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18))
    role: Mapped[str] = mapped_column(String(16))  # management | technical
    training_certificate: Mapped[str] = mapped_column(String(100), default="")

    request = relationship("FilingRequest", back_populates="staff")

    @property
    def role_label(self) -> str:
        return STAFF_ROLE_LABELS.get(self.role, self.role)


class FilingDocument(db.Model):
    """An uploaded material; the file sits under UPLOAD_FOLDER with a random name, never under static/."""

    __tablename__ = "filing_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("filing_request.id", ondelete="CASCADE"), index=True)
    material_code: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(255))
    # Copied requests (a change starts from the filed one) share the stored file, so not unique.
    stored_name: Mapped[str] = mapped_column(String(80), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when a newer file replaced (or the firm removed) this one after a bureau could have seen it: the
    # row and its file stay, so the request's history and the reviewer's links keep working.
    replaced_at: Mapped[dt.datetime | None]

    request = relationship("FilingRequest", back_populates="documents")


class FilingMessage(db.Model):
    """What the clerk told the firm (reasons for a return or refusal) and what the firm answered."""

    __tablename__ = "filing_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("filing_request.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_firm: Mapped[bool] = mapped_column(default=False)
    author_label: Mapped[str] = mapped_column(String(200), default="")
    transition: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    request = relationship("FilingRequest", back_populates="messages")


class FilingNumberCounter(db.Model):
    """The last filing number handed out per authority and year; incremented inside the approval."""

    __tablename__ = "filing_number_counter"

    authority_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)

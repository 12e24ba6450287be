"""One-time codes a bureau hands a firm on paper, and claim requests: how an account comes to act for a
firm that is already in the register, and how a firm without e-mail gets back into its account."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow


class AccountCode(db.Model):
    """A claim code (binds an account to a firm) or a reset code (sets a new password): single use,
    expiring, issued by a clerk of the firm's bureau. Only a hash of the code is stored."""

    __tablename__ = "account_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))  # claim | reset
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    authority_code: Mapped[str | None] = mapped_column(String(12))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Set when a newer code for the same firm/account replaces it or a clerk withdraws it.
    revoked_at: Mapped[dt.datetime | None]

    firm = relationship("Firm", foreign_keys=[firm_id])
    user = relationship("User", foreign_keys=[user_id])


class ClaimRequest(db.Model):
    """An account asks to act for a firm in the register; a clerk of the firm's bureau decides after
    checking the business licence and the applicant's authority."""

    __tablename__ = "claim_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    authority_code: Mapped[str | None] = mapped_column(String(12), index=True)
    applicant_name: Mapped[str] = mapped_column(String(100), default="")
    applicant_phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    user = relationship("User", foreign_keys=[user_id])
    firm = relationship("Firm", foreign_keys=[firm_id])

    __mapper_args__ = {"version_id_col": version}

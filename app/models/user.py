"""Accounts and the roles the law gives them."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow


class Role(enum.StrEnum):
    FIRM = "firm"
    CITY_CLERK = "city_clerk"
    PROVINCIAL_CLERK = "provincial_clerk"
    ADMIN = "admin"
    # 行政处罚法 art. 58 (法制审核) and art. 57 (行政机关负责人): staff of one bureau, like its clerks.
    LEGAL_REVIEWER = "legal_reviewer"
    BUREAU_HEAD = "bureau_head"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.FIRM: "从业单位",
    Role.CITY_CLERK: "市级公安机关工作人员",
    Role.PROVINCIAL_CLERK: "省级公安机关工作人员",
    Role.ADMIN: "系统管理员",
    Role.LEGAL_REVIEWER: "法制审核人员",
    Role.BUREAU_HEAD: "行政机关负责人",
}
CLERK_ROLES = (Role.CITY_CLERK, Role.PROVINCIAL_CLERK)


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # A clerk belongs to one bureau (GB/T 2260 code of its division); a firm account to one firm.
    authority_code: Mapped[str | None] = mapped_column(String(12), index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    # Log-in protection (issue 9). Counters live in the database so that every worker sees them.
    failed_logins: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[dt.datetime | None]
    locked_until: Mapped[dt.datetime | None]
    # Bumped by logout, password change, reset and deactivation: a session carrying an older value ends.
    session_generation: Mapped[int] = mapped_column(default=0)
    # A password set by someone else (admin reset, bureau reset code) must be changed at the next log-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[dt.datetime | None]
    # Base32 TOTP secret (RFC 6238) of a clerk or admin who enrolled a second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second step whose code was accepted: a code is good once (RFC 6238 section 5.2).
    totp_last_step: Mapped[int | None]
    # Firm accounts only. "bound": the account acts for its firm. "pending": a self sign-up whose firm was
    # not in the register; it sees only its own requests until a clerk approves its first filing after
    # checking the business licence. An account never becomes bound to a firm already in the register
    # except by a claim code or an approved claim request (app/accounts/claims.py).
    firm_binding: Mapped[str] = mapped_column(String(16), default="bound")
    # Bound through the old sign-up (credit code alone) before claims existed: its bureau confirms it.
    binding_flagged: Mapped[bool] = mapped_column(default=False)

    firm = relationship("Firm", back_populates="account")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_clerk(self) -> bool:
        return self.role in CLERK_ROLES

    def audit_label(self) -> str:
        return f"{self.username} ({self.role})"

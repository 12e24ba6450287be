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

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.FIRM: "从业单位",
    Role.CITY_CLERK: "市级公安机关工作人员",
    Role.PROVINCIAL_CLERK: "省级公安机关工作人员",
    Role.ADMIN: "系统管理员",
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

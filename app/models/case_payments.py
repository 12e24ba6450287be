"""What happens to a penalty decision after service: the bank's receipts, pauses of the surcharge, deferral or
instalments, and the route to the people's court (app/cases/payments.py, app/cases/enforcement.py).

Money is integer fen; dates are Beijing dates. Nothing here is ever deleted: a receipt entered wrongly is
corrected by the bank's own correction, not by removing the row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

PAUSE_KINDS = {"review": "行政复议", "litigation": "行政诉讼"}
DEFERRAL_KINDS = {"deferral": "延期缴纳", "instalments": "分期缴纳"}
REMINDER_METHODS = {
    "direct": "直接送达", "left": "留置送达", "post": "邮寄送达", "electronic": "电子送达",
    "entrusted": "委托送达", "announcement": "公告送达",
}


class CasePayment(db.Model):
    """A receipt of the designated bank (罚缴分离, 行政处罚法 art. 67): the bureau never takes the money, the
    clerk records what the bank's receipt says. One receipt number once per case."""

    __tablename__ = "case_payment"
    __table_args__ = (UniqueConstraint("case_id", "receipt_number", name="uq_case_payment_receipt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True)
    receipt_number: Mapped[str] = mapped_column(String(64))
    paid_on: Mapped[dt.date]
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case = relationship("PenaltyCase", backref=backref("payments", order_by="CasePayment.paid_on, CasePayment.id"))


class CasePause(db.Model):
    """A review or lawsuit during which no surcharge accrues (行政处罚法 art. 73(3)); both ends inclusive,
    `end_on` empty while it is pending."""

    __tablename__ = "case_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # PAUSE_KINDS
    start_on: Mapped[dt.date]
    end_on: Mapped[dt.date | None]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case = relationship("PenaltyCase", backref=backref("pauses", order_by="CasePause.start_on"))


class CaseDeferral(db.Model):
    """Deferral or instalments approved by the bureau on the party's application (行政处罚法 art. 66(2)).

    `due_on` is the new last day (of a deferral, or of the last instalment); `instalments` lists
    {"due_on": "YYYY-MM-DD", "amount_fen": int} in date order, their sum the fine."""

    __tablename__ = "case_deferral"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # DEFERRAL_KINDS
    applied_on: Mapped[dt.date]
    approved_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    instalments: Mapped[list | None] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(Text, default="", server_default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case = relationship("PenaltyCase", backref=backref("deferrals", order_by="CaseDeferral.id"))


class CaseEnforcement(db.Model):
    """The court route (行政强制法 arts. 53-54, 13): the reminder (催告书) served, then the application to the
    people's court, for the money and, where the provision orders removal (LN 33, QHD 24), the removal."""

    __tablename__ = "case_enforcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), unique=True)
    reminder_served_on: Mapped[dt.date | None]
    reminder_method: Mapped[str] = mapped_column(String(20), default="", server_default="")
    reminder_unpaid_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    court_applied_on: Mapped[dt.date | None]
    court_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    court_removal: Mapped[bool] = mapped_column(default=False, server_default=false())
    court_amount_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    case = relationship("PenaltyCase", backref=backref("enforcement", uselist=False))

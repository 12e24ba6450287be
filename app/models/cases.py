"""Complaints, warnings and penalty cases: the minimal records the exports and the annual statistics count.

The ``state`` columns use the state names of workflows/definitions/complaint.yaml and penalty_case.yaml, so
the workflows can take these rows over as they are. Money is integer fen (DESIGN: money), never floats.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

COMPLAINT_OUTCOMES = {
    "pending": "办理中", "substantiated": "查证属实", "unsubstantiated": "查证不属实", "refused": "不予受理",
}
CASE_OUTCOMES = {
    "pending": "待决定", "fined": "罚款", "warning_only": "警告", "no_penalty": "不予处罚", "withdrawn": "撤销立案",
}
PARTY_TYPES = {"unit": "单位", "individual": "个人"}


class Complaint(db.Model):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[dt.date] = mapped_column(index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    firm_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    closed_on: Mapped[dt.date | None]
    state: Mapped[str] = mapped_column(String(20), default="received")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    firm = relationship("Firm")


class WarningNotice(db.Model):
    """A warning notice (警示公告) published about a firm, e.g. Liaoning art. 28; lifted_on when taken off."""

    __tablename__ = "warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    issued_on: Mapped[dt.date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(100), default="")  # article, e.g. 第二十八条
    lifted_on: Mapped[dt.date | None]
    state: Mapped[str] = mapped_column(String(20), default="warning_issued")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    firm = relationship("Firm")


class PenaltyCase(db.Model):
    """A penalty case; historical ones come from the bureau's spreadsheets (imports/case_rows.py).

    surcharge_fen is 加处罚款 (行政处罚法 art. 72(1)): 3% of the fine a day after the payment period, never
    more than the fine itself.
    """

    __tablename__ = "penalty_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    party_type: Mapped[str] = mapped_column(String(16), default="unit")
    credit_code: Mapped[str | None] = mapped_column(String(18))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    provision_code: Mapped[str] = mapped_column(String(64), index=True)
    act_date: Mapped[dt.date | None]
    decided_on: Mapped[dt.date | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    fine_decided_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    fine_collected_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    surcharge_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(20), default="opened")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    firm = relationship("Firm")

    __table_args__ = (Index("ix_penalty_case_outcome_decided", "outcome", "decided_on"),)

"""A firm that designs, installs, maintains or operates security-technology systems.

The roster columns (filing number, date, authority, status) are kept on the firm itself so the public
roster is one indexed query; the filing workflow is the only writer of them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

INDIVIDUAL_KEY_PREFIX = "Z"


class Firm(db.Model):
    __tablename__ = "firm"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Not indexed: names are searched by substring through firm_name_gram, never by prefix or order.
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_rep: Mapped[str] = mapped_column(String(100), default="")
    registered_address: Mapped[str] = mapped_column(String(300), default="")
    premises_address: Mapped[str] = mapped_column(String(300), default="")
    city_code: Mapped[str | None] = mapped_column(String(12), index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    # In-province or not, read from characters 3–4 of the credit code (GB 32100-2015) unless a clerk
    # corrected it; the reason is kept and the correction audited.
    is_local: Mapped[bool] = mapped_column(default=True)
    locality_override_reason: Mapped[str | None] = mapped_column(String(500))
    # Liaoning art. 17 names 外省单位和个人: a person from another province may file too. "unit" or
    # "individual". An individual has no credit code: `credit_code` then holds a random register key that
    # starts with INDIVIDUAL_KEY_PREFIX (a letter GB 32100-2015 never uses), so the public roster links the
    # entry without ever printing the identity document, which is kept only in id_document_number.
    holder_kind: Mapped[str] = mapped_column(String(16), default="unit", server_default="unit")
    id_document_type: Mapped[str | None] = mapped_column(String(16))  # resident_id | passport
    id_document_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The province (GB/T 2260 division code) where the person is based, as stated at sign-up: an ID number's
    # prefix names where it was issued, not where the person works.
    home_province: Mapped[str | None] = mapped_column(String(6))

    filing_number: Mapped[str | None] = mapped_column(String(64), unique=True)
    filed_on: Mapped[dt.date | None]
    filing_authority_code: Mapped[str | None] = mapped_column(String(12))
    # none: never filed; in_force: filed; cancelled: filing cancelled (注销)
    filing_status: Mapped[str] = mapped_column(String(16), default="none")
    # Created by a pending self sign-up, not yet in the register: a clerk's approval of its first filing
    # (or an import, or a clerk's own record) makes it a register entry.
    provisional: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    account = relationship("User", back_populates="firm", uselist=False)
    business_types = relationship(
        "FirmBusinessType", cascade="all, delete-orphan", order_by="FirmBusinessType.type_code"
    )

    __table_args__ = (Index("ix_firm_status_number", "filing_status", "filing_number"),)

    @property
    def is_individual(self) -> bool:
        return self.holder_kind == "individual"

    @property
    def business_type_codes(self) -> list[str]:
        return [bt.type_code for bt in self.business_types]


class FirmBusinessType(db.Model):
    """One row per business type a firm is filed for, so the roster filters by type with an index."""

    __tablename__ = "firm_business_type"

    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id", ondelete="CASCADE"), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class FirmNameGram(db.Model):
    """Each two-character piece of a firm's normalised name, so a name substring search on the public
    roster is an index lookup rather than a scan of every firm (app/services/name_index.py keeps it).

    The primary key (gram, firm_id) is the only index, and on SQLite the table is WITHOUT ROWID, so the
    table is that one B-tree: a bulk import writes its grams in key order at a third of the cost.

    No foreign key to firm, on purpose: this is a derived index, rebuilt from firm.name by `flask roster
    reindex`, and a key checked on each of the 1.4 million pieces of a 100,000-firm import cost 4.5 s on
    PostgreSQL. The application removes the pieces of a firm it deletes (name_index's flush hook), and a
    stale piece could never show a wrong firm: every search confirms the name itself with LIKE."""

    __tablename__ = "firm_name_gram"
    __table_args__ = {"sqlite_with_rowid": False}

    gram: Mapped[str] = mapped_column(String(8), primary_key=True)
    firm_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)

"""Queries of the clerks' register of firms: the bureau's scope as SQL, the filters, one firm's history."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Select, and_, exists, false, func, or_, select

from app.accounts import claims as firm_claims
from app.extensions import db
from app.models import Firm
from app.models.cases import Complaint, PenaltyCase, WarningNotice
from app.models.filing import FilingRequest
from app.models.firm import FirmBusinessType
from app.services.name_index import name_filter

PAGE_SIZE = 50
STATUSES = ("in_force", "cancelled", "none")
CODE_QUERY = re.compile(r"^[0-9A-Z]{4,18}$")


def current_pack():
    return current_app.extensions["jifang.pack"]


@dataclass
class Filters:
    q: str = ""
    city: str = ""
    status: str = ""
    business_type: str = ""
    warnings: bool = False
    complaints: bool = False
    page: int = 1
    errors: list[str] = field(default_factory=list)

    def args(self, **changes) -> dict:
        """The query string of this search (for the pager's links)."""
        values = {"q": self.q, "city": self.city, "status": self.status, "business_type": self.business_type,
                  "warnings": "1" if self.warnings else "", "complaints": "1" if self.complaints else "",
                  "page": self.page}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


def scope(clerk):
    """A WHERE clause: the firms the clerk's bureau holds (firm_claims.firm_authority), all for the province."""
    if clerk.role == "provincial_clerk":
        return None
    code = clerk.authority_code
    pack = current_pack()
    own_cities = [c.code for c in pack.cities if c.authority == code]
    known_cities = [c.code for c in pack.cities]
    no_authority = or_(Firm.filing_authority_code.is_(None), Firm.filing_authority_code == "")
    # A firm with neither a filing bureau nor a known city is placed by its latest request: few, so in Python.
    unplaced = db.session.scalars(
        select(Firm).where(no_authority, or_(Firm.city_code.is_(None), Firm.city_code.not_in(known_cities)))
    ).all()
    unplaced_ids = [f.id for f in unplaced if firm_claims.firm_authority(f) == code]
    return or_(
        Firm.filing_authority_code == code,
        and_(no_authority, Firm.city_code.in_(own_cities)),
        Firm.id.in_(unplaced_ids) if unplaced_ids else false(),
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(clerk, filters: Filters) -> tuple[list[Firm], int]:
    stmt: Select = select(Firm)
    where = scope(clerk)
    if where is not None:
        stmt = stmt.where(where)
    q = filters.q.strip()
    if q:
        code = q.upper().replace(" ", "")
        pattern = f"%{_like_escape(q)}%"
        like = Firm.name.ilike(pattern, escape="\\") if re.search("[A-Za-z]", q) else Firm.name.like(
            pattern, escape="\\")
        by_name = name_filter(q)  # the name index narrows to the firms having every piece; LIKE checks order
        if by_name is not None:
            like = and_(by_name, like)
        if CODE_QUERY.match(code):
            stmt = stmt.where(or_(Firm.credit_code.like(f"{code}%"), like))
        else:
            stmt = stmt.where(like)
    if filters.city:
        stmt = stmt.where(Firm.city_code == filters.city)
    if filters.status:
        stmt = stmt.where(Firm.filing_status == filters.status)
    if filters.business_type:
        stmt = stmt.where(exists().where(FirmBusinessType.firm_id == Firm.id,
                                         FirmBusinessType.type_code == filters.business_type))
    if filters.warnings:
        stmt = stmt.where(exists().where(WarningNotice.firm_id == Firm.id))
    if filters.complaints:
        stmt = stmt.where(exists().where(Complaint.firm_id == Firm.id))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(Firm.name, Firm.id).offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return list(rows), total or 0


def marks(firm_ids: list[int]) -> dict[int, dict[str, int]]:
    """How many complaints, warnings and penalty cases each listed firm has, in three grouped queries."""
    result: dict[int, dict[str, int]] = {i: {"complaints": 0, "warnings": 0, "cases": 0} for i in firm_ids}
    if not firm_ids:
        return result
    for key, model in (("complaints", Complaint), ("warnings", WarningNotice), ("cases", PenaltyCase)):
        for firm_id, count in db.session.execute(
            select(model.firm_id, func.count()).where(model.firm_id.in_(firm_ids)).group_by(model.firm_id)
        ):
            result[firm_id][key] = count
    return result


def history(firm: Firm) -> dict[str, list]:
    """One firm's record: its filing requests (drafts are the firm's own), complaints, warnings and cases."""
    requests = db.session.scalars(
        select(FilingRequest).where(FilingRequest.firm_id == firm.id, FilingRequest.state != "draft")
        .order_by(FilingRequest.id.desc())
    ).all()
    complaints = db.session.scalars(
        select(Complaint).where(Complaint.firm_id == firm.id).order_by(Complaint.received_on.desc(), Complaint.id.desc())
    ).all()
    warnings = db.session.scalars(
        select(WarningNotice).where(WarningNotice.firm_id == firm.id).order_by(WarningNotice.id.desc())
    ).all()
    cases = db.session.scalars(
        select(PenaltyCase).where(PenaltyCase.firm_id == firm.id)
        .order_by(PenaltyCase.decided_on.desc(), PenaltyCase.id.desc())
    ).all()
    return {"requests": list(requests), "complaints": list(complaints), "warnings": list(warnings),
            "cases": list(cases)}

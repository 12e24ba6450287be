"""Staff exports: the full roster (with contacts), warnings, complaints and penalty cases, XLSX or CSV.

Every list here names people (legal representatives, contacts, parties), so every export is audited as an
export of personal data, in the transaction that commits the audit entry. Rows are read in keyset batches
of plain tuples (no ORM objects) and streamed into reports/export.py, which neutralises formula text.
The roster uses the import template's columns, so an exported roster imports back unchanged.

Scope (``cities``, from app.transfer.roster_import.cities_of): a city clerk gets the rows of the firms in their
bureau's cities only, judged by the city_code of the firm a row is linked to. A complaint or penalty case
linked to no firm (a person, or a party not on the roster) belongs to no city: only provincial clerks and
admins (``cities`` None) export it. The outer joins below make that so: Firm.city_code IN (...) is not true
for a row without a firm.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from flask import current_app
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Complaint, Firm, FirmBusinessType, PenaltyCase, WarningNotice
from app.models.cases import CASE_OUTCOMES, COMPLAINT_OUTCOMES, PARTY_TYPES, PUBLISHED_STATES
from reports.columns import CASE_COLUMNS, headers
from reports.export import ROSTER_HEADERS, ROSTER_WIDTHS, XlsxExport, write_csv
from reports.money import fen_to_yuan_figure

BATCH = 5000
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ExportKind:
    name: str  # the CLI's word and the URL's
    label: str  # Chinese, for the page and the file name
    headers: tuple[str, ...]
    widths: tuple[int, ...] = ()


KINDS = {
    "roster": ExportKind("roster", "技防从业单位备案名录（含联系人）", ROSTER_HEADERS, ROSTER_WIDTHS),
    "warnings": ExportKind("warnings", "警示名单", (
        "单位名称", "统一社会信用代码", "发布日期", "事由", "依据条款", "撤销日期", "状态"), (36, 22, 12, 40, 16, 12, 10)),
    "complaints": ExportKind("complaints", "投诉记录", (
        "受理日期", "被投诉单位", "统一社会信用代码", "投诉事项", "处理结果", "办结日期"), (12, 36, 22, 50, 12, 12)),
    # the case import's columns, so an exported ledger imports back unchanged
    "cases": ExportKind("cases", "行政处罚案件", headers(CASE_COLUMNS), (24, 36, 10, 22, 16, 12, 12, 10, 14, 14, 14, 10)),
}


def _batches(stmt, key) -> Iterator:
    """Rows of ``stmt`` in keyset batches ordered by ``key`` (an integer id column, first in the select)."""
    last = 0
    while True:
        rows = db.session.execute(stmt.where(key > last).order_by(key).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def _city_filter(column, cities: set[str] | None):
    return True if cities is None else column.in_(cities)


def _roster_batches(cities: set[str] | None) -> Iterator[tuple[list, dict[int, list[str]]]]:
    """The roster in keyset batches of plain rows (id, name, credit code, legal representative, addresses,
    city code, contact, phone, filing number, filed on), each with its firms' business types.

    Core statements on the session's connection: the ORM's column loading cost about 20 µs a row, most of
    the 2.4 s that reading 100,000 firms took (0.5 s now)."""
    firm, types_table = Firm.__table__, FirmBusinessType.__table__
    c = firm.c
    stmt = (select(c.id, c.name, c.credit_code, c.legal_rep, c.registered_address, c.premises_address, c.city_code,
                   c.contact_name, c.contact_phone, c.filing_number, c.filed_on)
            .where(_city_filter(c.city_code, cities)).order_by(c.id).limit(BATCH))
    connection = db.session.connection()
    after = 0  # the id before this batch: the batch is every firm in (after, its last id] that passes the filter
    while True:
        rows = connection.execute(stmt.where(c.id > after)).all()
        if not rows:
            return
        # The business types of the batch by a range of the primary key (firm_id, type_code), not an IN list
        # of 5,000 ids: one index range scan, and no 5,000-parameter query to build and parse each time.
        types: dict[int, list[str]] = {}
        for firm_id, code in connection.execute(
                select(types_table.c.firm_id, types_table.c.type_code)
                .where(types_table.c.firm_id > after, types_table.c.firm_id <= rows[-1][0])
                .order_by(types_table.c.firm_id, types_table.c.type_code)).all():
            types.setdefault(firm_id, []).append(code)
        yield rows, types
        if len(rows) < BATCH:
            return
        after = rows[-1][0]


def roster_records(cities: set[str] | None = None) -> Iterator[dict]:
    """Every firm with the importer's keys (never-filed firms too: the roster is what the bureau holds)."""
    for rows, types in _roster_batches(cities):
        for r in rows:
            yield {"name": r.name, "credit_code": r.credit_code, "legal_rep": r.legal_rep,
                   "registered_address": r.registered_address, "premises_address": r.premises_address,
                   "city_code": r.city_code or "", "business_types": types.get(r.id, []),
                   "contact": r.contact_name, "phone": r.contact_phone,
                   "filing_number": r.filing_number, "filed_on": r.filed_on}


def _roster_rows(cities):
    """The export tuples of roster_records as reports.export.roster_rows makes them, straight from the rows
    (no dict per firm; each set of business types named once)."""
    pack = current_app.extensions["jifang.pack"]
    city_names = {c.code: c.name for c in pack.cities}
    type_names = {b.code: b.name for b in pack.filing.business_types}
    labels: dict[tuple[str, ...], str] = {}
    for rows, types in _roster_batches(cities):
        for firm_id, name, code, rep, registered, premises, city, contact, phone, number, filed_on in rows:
            codes = tuple(types.get(firm_id, ()))
            label = labels.get(codes)
            if label is None:
                label = labels[codes] = "、".join(type_names.get(t, t) for t in codes)
            yield (name, code, rep, registered or "", premises or "", city_names.get(city, city) if city else "",
                   label, contact or "", phone or "", number or "", filed_on)


def _warning_rows(cities):
    stmt = (select(WarningNotice.id, Firm.name, Firm.credit_code, WarningNotice.issued_on, WarningNotice.reason,
                   WarningNotice.reference, WarningNotice.lifted_on)
            .join(Firm, Firm.id == WarningNotice.firm_id).where(_city_filter(Firm.city_code, cities))
            .where(WarningNotice.state.in_(PUBLISHED_STATES), WarningNotice.issued_on.is_not(None)))  # no drafts
    for r in _batches(stmt, WarningNotice.id):
        yield (r.name, r.credit_code, r.issued_on, r.reason, r.reference, r.lifted_on,
               "已撤销" if r.lifted_on else "警示中")


def _complaint_rows(cities):
    stmt = (select(Complaint.id, Complaint.received_on, Complaint.firm_name, Firm.name, Firm.credit_code,
                   Complaint.subject, Complaint.outcome, Complaint.closed_on)
            .outerjoin(Firm, Firm.id == Complaint.firm_id))
    if cities is not None:
        stmt = stmt.where(Firm.city_code.in_(cities))
    for r in _batches(stmt, Complaint.id):
        yield (r.received_on, r.name or r.firm_name, r.credit_code or "", r.subject,
               COMPLAINT_OUTCOMES.get(r.outcome, r.outcome), r.closed_on)


def _case_rows(cities):
    from app.transfer.case_import import provision_label

    stmt = (select(PenaltyCase.id, PenaltyCase.case_number, PenaltyCase.party_name, PenaltyCase.party_type,
                   PenaltyCase.credit_code, PenaltyCase.provision_code, PenaltyCase.act_date,
                   PenaltyCase.decided_on, PenaltyCase.outcome, PenaltyCase.fine_decided_fen,
                   PenaltyCase.fine_collected_fen, PenaltyCase.surcharge_fen, PenaltyCase.mitigated)
            .outerjoin(Firm, Firm.id == PenaltyCase.firm_id))
    if cities is not None:
        stmt = stmt.where(Firm.city_code.in_(cities))
    for r in _batches(stmt, PenaltyCase.id):
        yield (r.case_number, r.party_name, PARTY_TYPES.get(r.party_type, r.party_type), r.credit_code or "",
               provision_label(r.provision_code), r.act_date, r.decided_on, CASE_OUTCOMES.get(r.outcome, r.outcome),
               fen_to_yuan_figure(r.fine_decided_fen), fen_to_yuan_figure(r.fine_collected_fen),
               fen_to_yuan_figure(r.surcharge_fen),
               "是" if r.mitigated else "")


_ROWS = {"roster": _roster_rows, "warnings": _warning_rows, "complaints": _complaint_rows, "cases": _case_rows}


def export(kind: str, target: str | os.PathLike | IO[bytes], fmt: str, *, actor=None,
           cities: set[str] | None = None) -> int:
    """Write the list to ``target`` (a path, or a binary file for the web) and audit it; returns the rows."""
    spec = KINDS[kind]
    rows = _ROWS[kind](cities)
    if fmt == "xlsx":
        with XlsxExport(target, spec.headers, sheet_name=spec.label[:31], widths=spec.widths) as out:
            count = out.write_rows(rows)
    elif isinstance(target, str | os.PathLike):
        count = write_csv(target, spec.headers, rows)
    else:
        import io

        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
        count = write_csv(text, spec.headers, rows)
        text.flush()
        text.detach()
    audit.record(f"export_{kind}", object_type=kind, actor=actor, detail={
        "format": fmt, "rows": count, "personal_data": True,
        "scope": "all" if cities is None else sorted(cities),
        "file": os.path.basename(os.fspath(target)) if isinstance(target, str | os.PathLike) else "",
    })
    db.session.commit()
    return count


def annual_jurisdiction():
    """The annual workbook's plain jurisdiction data from the deployment's packs."""
    from reports.annual import Jurisdiction
    from workflows.penalty_pack import PenaltyPackError, load_penalty_pack

    pack = current_app.extensions["jifang.pack"]
    try:
        penalty_pack = load_penalty_pack(pack.code)
    except PenaltyPackError:
        penalty_pack = None
    return Jurisdiction.from_packs(pack, penalty_pack)


def annual_figures(year: int, cities: set[str] | None = None):
    """The year's figures (aggregated in SQL), for the workbook and the dashboard; ``cities`` narrows them to
    those cities' firms (a city clerk's bureau, or the city a provincial clerk picked)."""
    from reports.annual import collect

    return collect(db.session.connection(), year, annual_jurisdiction(), cities=cities)


def write_annual_report(target, year: int, cities: set[str] | None = None):
    """The annual statistics workbook: aggregates only, no personal data (so no audit entry)."""
    from reports.annual import write_annual

    figures = annual_figures(year, cities)
    write_annual(target, figures)
    return figures

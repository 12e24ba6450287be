"""Importing historical penalty cases: validate (imports/case_rows.py), upsert by case number, audit once.

Same shape as app/transfer/roster_import.py (the roster): Core executemany in chunks, identical rows not
written, one transaction with the audit entry. A case whose party's credit code names a firm on record is
linked to it.

Scope: a city clerk imports (and exports) the cases of the firms in their bureau's cities only, judged by
the city_code of the firm a case is linked to. A case linked to no firm (a person, or a party not on the
roster) belongs to no city, so only provincial clerks and admins may import or change it; likewise a case
number already on record is changed only by someone whose scope holds the firm it is stored against.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import bindparam, insert, select, update

from app import audit
from app.extensions import db
from app.models import Firm, PenaltyCase
from app.models.base import utcnow
from app.models.cases import CASE_OUTCOMES
from app.transfer.roster_import import (
    CHUNK,
    MODES,
    Outcome,
    Progress,
    _counting,
    cities_of,
    file_sha256,
    plan_and_write,
)
from imports.case_rows import CaseRowValidator, find_case_header
from imports.error_report import write_error_report
from imports.filing_rows import RowError, ValidationResult
from imports.headers import HeaderMap
from imports.workbook import open_sheet
from reports.columns import CASE_COLUMNS
from reports.export import XlsxExport
from reports.money import fen_to_yuan_text
from workflows.penalty_pack import load_penalty_pack
from workflows.time_limits import china_today

_FIELDS = ("party_name", "party_type", "credit_code", "firm_id", "jurisdiction", "provision_code", "act_date",
           "decided_on", "outcome", "fine_decided_fen", "fine_collected_fen", "surcharge_fen", "mitigated", "state")


def _penalty_pack():
    return load_penalty_pack(current_app.extensions["jifang.pack"].code)


def provision_label(code: str) -> str:
    """第三十五条 for liaoning-35: what a bureau writes; the code itself when the pack does not know it."""
    try:
        provision = _penalty_pack().provision(code)
    except KeyError:
        return code
    return provision.reference.label()


def _validator(today: dt.date | None = None) -> CaseRowValidator:
    return CaseRowValidator(_penalty_pack(), today or china_today())


def _sample(rows: Sequence[dict]) -> list[dict]:
    """The first valid cases as the preview shows them: labels in Chinese, money from integer fen."""
    return [{"party": r["party_name"], "case_number": r["case_number"], "provision": provision_label(r["provision_code"]),
             "outcome": CASE_OUTCOMES.get(r["outcome"], r["outcome"]),
             "fine": fen_to_yuan_text(r["fine_decided_fen"]).removesuffix("元"),
             "decided_on": str(r["decided_on"] or "")} for r in rows[:10]]


def run_case_import(path, filename: str, *, mode: str = "all-or-nothing", actor=None, write: bool = True,
                    progress: Progress | None = None, finish=None, extra: dict | None = None,
                    allowed_cities: set[str] | None = None) -> Outcome:
    """``allowed_cities``: the cities whose firms' cases the user may touch; None means all (see above)."""
    if mode not in MODES:
        raise ValueError(mode)
    outcome = Outcome(filename=filename, sha256=file_sha256(path), mode=mode)
    header, rows = find_case_header(open_sheet(path, filename).rows())
    result = _validator().validate_rows(_counting(rows, progress), header)
    if allowed_cities is not None:
        _refuse_other_cities(db.session.connection(), result, header, allowed_cities)
    outcome.total, outcome.valid, outcome.refused = result.total_rows, len(result.rows), len(result.refused_rows)
    outcome.errors, outcome.sample = result.errors, _sample(result.rows)
    blocked = mode == "all-or-nothing" and not result.ok
    inserts, updates = plan_and_write(lambda connection: _plan(connection, result.rows),
                                      None if not write or blocked else (lambda c, planned: _write(c, *planned)))
    outcome.unchanged = len(result.rows) - len(inserts) - len(updates)
    outcome.inserted, outcome.updated = len(inserts), len(updates)
    if not write:
        outcome.written = 0 if blocked else len(inserts) + len(updates)
        db.session.rollback()
        return outcome
    if blocked:
        outcome.inserted = outcome.updated = 0
    else:
        outcome.written = len(inserts) + len(updates)
        if progress:
            progress(outcome.total + outcome.written, "write")
    audit.record("import_cases", object_type="penalty_case", actor=actor, detail={
        "file": filename, "sha256": outcome.sha256, "mode": mode, **outcome.counts(),
        "result": "refused" if blocked else "written", **(extra or {})})
    if finish is not None:
        finish(outcome)
    db.session.commit()
    return outcome


def _write(connection, inserts: list[dict], updates: list[dict]) -> None:
    table = PenaltyCase.__table__
    for start in range(0, len(inserts), CHUNK):
        connection.execute(insert(table), inserts[start:start + CHUNK])
    if updates:
        stmt = (update(table).where(table.c.id == bindparam("b_id"))
                .values({c: bindparam("b_" + c) for c in (*_FIELDS, "updated_at")}))
        for start in range(0, len(updates), CHUNK):
            connection.execute(stmt, updates[start:start + CHUNK])


def _refuse_other_cities(connection, result: ValidationResult, header: HeaderMap, allowed: set[str]) -> None:
    """Refuse the rows of a city clerk's file whose party is not a firm of their cities, and the rows that
    would change a case stored against a firm outside them (or against no firm)."""
    table = PenaltyCase.__table__
    keep_rows, keep_sources = [], []
    for start in range(0, len(result.rows), CHUNK):
        chunk = result.rows[start:start + CHUNK]
        codes = {r["credit_code"] for r in chunk if r["credit_code"]}
        firm_city = dict(connection.execute(
            select(Firm.credit_code, Firm.city_code).where(Firm.credit_code.in_(codes))).all()) if codes else {}
        stored_city = dict(connection.execute(
            select(table.c.case_number, Firm.city_code).select_from(table.outerjoin(Firm, Firm.id == table.c.firm_id))
            .where(table.c.case_number.in_([r["case_number"] for r in chunk]))).all())
        for row, source in zip(chunk, result.source_rows[start:start + CHUNK], strict=True):
            key, reason = "credit_code", None
            city = firm_city.get(row["credit_code"]) if row["credit_code"] else None
            if city is None:
                reason = "当事人不是在册从业单位，此类案件只能由省级机关导入"
            elif city not in allowed:
                reason = "当事人所在市不属于本机关辖区，无权导入"
            elif row["case_number"] in stored_city and stored_city[row["case_number"]] not in allowed:
                key, reason = "case_number", "案件编号已登记为其他机关辖区的案件，无权修改"
            if reason is None:
                keep_rows.append(row)
                keep_sources.append(source)
            else:
                result.refused_rows.add(source)
                result.errors.append(RowError(source, header.header_for(key, CASE_COLUMNS), reason,
                                              header.index.get(key)))
    result.errors.sort(key=lambda e: e.row)
    result.rows, result.source_rows = keep_rows, keep_sources


def _plan(connection, rows: Sequence[dict]) -> tuple[list[dict], list[dict]]:
    table = PenaltyCase.__table__
    jurisdiction = current_app.extensions["jifang.pack"].code
    now = utcnow()
    inserts: list[dict] = []
    updates: list[dict] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        codes = {r["credit_code"] for r in chunk if r["credit_code"]}
        firms = dict(connection.execute(select(Firm.credit_code, Firm.id).where(Firm.credit_code.in_(codes))).all()) \
            if codes else {}
        stored = {r.case_number: r._mapping for r in connection.execute(
            select(table.c.id, table.c.case_number, *(table.c[f] for f in _FIELDS))
            .where(table.c.case_number.in_([r["case_number"] for r in chunk])))}
        for row in chunk:
            values = {k: row[k] for k in _FIELDS if k in row}
            values["firm_id"] = firms.get(row["credit_code"])
            values["jurisdiction"] = jurisdiction
            old = stored.get(row["case_number"])
            if old is None:
                inserts.append({**values, "case_number": row["case_number"], "created_at": now, "updated_at": now})
            elif any(old[k] != v for k, v in values.items()):
                updates.append({"b_" + k: v for k, v in values.items()} | {"b_id": old["id"], "b_updated_at": now})
    return inserts, updates


def preview(path, filename: str, *, pack, user, progress=None) -> Outcome:
    return run_case_import(path, filename, write=False, progress=progress, allowed_cities=cities_of(user, pack))


def run_import(path, filename: str, *, mode: str, user, progress=None, finish=None, job_id=None) -> Outcome:
    pack = current_app.extensions["jifang.pack"]
    return run_case_import(path, filename, mode=mode, actor=user, progress=progress, finish=finish,
                           extra={"job": job_id}, allowed_cities=cities_of(user, pack))


def write_report(target, path: str | os.PathLike, filename: str, errors: Sequence[RowError]) -> int:
    header, rows = find_case_header(open_sheet(path, filename).rows())
    return write_error_report(target, header.values, rows, errors)


def write_template(target) -> None:
    """The case import template: the canonical headers and one example row."""
    pack = _penalty_pack()
    # The example is a lawful case: the first article that fines a unit, at its lowest amount.
    first = next(p for p in pack.provisions if "unit" in p.fines)
    amount = first.fines["unit"].low
    example = ("（示例，导入前请删除）公技罚决字〔2024〕1号", "示例安防科技有限公司", "单位", "", first.reference.label(),
               dt.date(2024, 3, 1), dt.date(2024, 4, 1), "罚款", amount, amount, 0, "")
    with XlsxExport(target, [c.header for c in CASE_COLUMNS], sheet_name="处罚案件",
                    widths=(30, 30, 10, 22, 16, 12, 12, 10, 14, 14, 14, 10)) as out:
        out.sheet.set_column(3, 3, 22, out.book.add_format({"num_format": "@"}))
        out.write_rows([example])

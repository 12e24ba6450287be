"""Importing legacy rosters: validate (imports/filing_rows.py), plan the upsert, write it in one transaction.

Shared by the web job (app/jobs.py) and `flask import filings`. The database layer is SQLAlchemy Core with
lists of dicts in chunks (executemany), so 100,000 rows cost a handful of statements rather than 100,000
ORM objects. A row identical to the firm already stored is not written at all, so importing the same file
twice changes nothing (not even updated_at).

What an import may change, and why:
- the firm's own fields (name, legal representative, addresses, city, contact) are overwritten by the
  columns the file has; a column the file lacks leaves the stored value alone;
- the business types are replaced by the file's;
- a filing number sets the roster columns: the number, its date, the city's bureau as filing authority and
  status in_force. An empty number never clears a filing, and a cancelled filing stays cancelled:
  cancelling and reinstating are acts of the filing workflow, not of a spreadsheet.

Who may change what (scope is judged against the firm AS STORED, not only the row, as for cases):
- a city clerk imports the firms of the cities under their bureau only: a row naming another city, or a
  row whose credit code belongs to a firm stored in another city (or in none), is refused;
- a filing number that a bureau's own review assigned (the firm has an approved filing request) is the
  record of that bureau's decision (Liaoning art. 16): an import that would change it, its date or its
  authority is refused unless the importer is a clerk of that bureau or of a bureau above it. Admins and
  `flask import filings` hold no bureau's authority.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from app import audit
from app.extensions import db
from app.models.base import utcnow
from app.models.filing import FilingRequest
from app.models.firm import Firm, FirmBusinessType, FirmNameGram
from app.services.bulk import groups_as_json, insert_groups, insert_rows
from app.services.name_index import name_grams, replace_name_grams
from imports.error_report import write_error_report
from imports.filing_rows import FilingRowValidator, FilingRules, RowError, ValidationResult
from imports.gc_pause import paused_gc
from imports.headers import HeaderMap, HeaderMatcher
from imports.split_validation import pack_column, unpack_column, validate_split
from imports.streamed_validation import StreamedValidation, StreamFailed, can_stream
from imports.workbook import open_sheet
from workflows.identifiers import credit_code_division
from workflows.time_limits import china_today

MODES = ("all-or-nothing", "valid-rows")
WRITE_ATTEMPTS = 2


class ImportConflict(Exception):
    """Other writes kept colliding with this import's (the same credit codes or filing numbers); nothing
    was written. ``reason`` is one line of Chinese for the user."""

    reason = "无法导入：其他操作同时写入了相同的记录（单位、备案编号或案件编号），本次未写入任何数据，请重新导入"

    def __init__(self):
        super().__init__(self.reason)
CHUNK = 5000
INSERT_CHUNK = 20_000
PREVIEW_ROWS = 10
PREVIEW_ERRORS = 200
PROGRESS_EVERY = 2000

Progress = Callable[[int, str], None]
"""Called with the number of data rows handled so far and the phase, "check" or "write"."""

# Import key -> Firm column, for the firm's own fields.
_FIELDS = {
    "name": "name", "legal_rep": "legal_rep", "registered_address": "registered_address",
    "premises_address": "premises_address", "city": "city_code", "contact": "contact_name", "phone": "contact_phone",
}
_ROW_KEY = {"city": "city_code"}  # where the clean row's key differs from the column's
_ROSTER = ("filing_number", "filed_on", "filing_authority_code", "filing_status")


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def filing_rules(pack) -> FilingRules:
    """The validator's plain data from the app's validated pack."""
    return FilingRules(
        cities={c.name: c.code for c in pack.cities},
        business_types={b.name: b.code for b in pack.filing.business_types},
        enabled=pack.filing.enabled,
        notice=pack.filing.notice or "",
    )


def cities_of(user, pack) -> set[str] | None:
    """The cities whose firms a user may import or export; None means all (provincial clerks, admins)."""
    if user is None or isinstance(user, str) or user.role != "city_clerk":
        return None
    mine = user.authority_code
    under = {a.code for a in pack.authorities if a.code == mine or a.parent == mine}
    return {c.code for c in pack.cities if c.authority in under}


def authorities_of(user, pack) -> frozenset[str]:
    """The bureaus whose review decisions (filing numbers) a user may correct by import: a clerk's own
    bureau and those under it. Admins and the command line hold none."""
    if user is None or isinstance(user, str) or user.role not in ("city_clerk", "provincial_clerk"):
        return frozenset()
    mine = user.authority_code
    return frozenset(a.code for a in pack.authorities if a.code == mine or a.parent == mine)


# Final states of a request a bureau approved: the firm's filing number is that bureau's decision.
REVIEWED_STATES = ("filed", "changed", "cancelled")


# The columns of a new firm, in the order of Plan.inserts' tuples.
# An imported firm is a register entry, never a pending self sign-up (provisional is NOT NULL and bulk
# inserts bypass the model's defaults).
_INSERT_COLUMNS = (*_FIELDS.values(), "credit_code", "created_at", "updated_at", "is_local", *_ROSTER, "provisional")
_NAME_AT, _CODE_AT = _INSERT_COLUMNS.index("name"), _INSERT_COLUMNS.index("credit_code")


@dataclass
class Plan:
    """What writing the valid rows would do; built without writing anything.

    New firms are tuples in ``_INSERT_COLUMNS`` order (a dict per row would hold 100,000 more dicts), with
    their business types alongside; changed type sets of stored firms are keyed by the firm's id."""

    inserts: list[tuple] = field(default_factory=list)
    insert_types: list[list[str]] = field(default_factory=list)  # the business types of each new firm
    updates: list[dict] = field(default_factory=list)
    types: dict[int, list[str]] = field(default_factory=dict)  # stored firm id -> codes, for changed sets
    renamed: list[tuple[int, str, str]] = field(default_factory=list)  # (id, old name, new name)
    unchanged: int = 0

    @property
    def written(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self._types_only)

    @property
    def _types_only(self) -> set[int]:
        return set(self.types) - {r["b_id"] for r in self.updates}


@dataclass
class Checked:
    """A validated file: the header found, the validation result, and the rows the user may not touch."""

    header: HeaderMap
    result: ValidationResult

    @property
    def refused(self) -> int:
        return len(self.result.refused_rows)


@dataclass
class Outcome:
    """The result of an import (or of its preview), for the CLI, the job and the audit entry."""

    filename: str
    sha256: str
    mode: str
    total: int = 0
    valid: int = 0
    refused: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused

    def counts(self) -> dict:
        return {k: getattr(self, k) for k in
                ("total", "valid", "refused", "inserted", "updated", "unchanged", "written")}


def _counting(rows: Iterator, progress: Progress | None) -> Iterator:
    if progress is None:
        yield from rows
        return
    for n, row in enumerate(rows, start=1):
        if n % PROGRESS_EVERY == 0:
            progress(n, "check")
        yield row


def check_filings(path: str | os.PathLike, filename: str, *, pack, allowed_cities: set[str] | None = None,
                  held_authorities: frozenset[str] = frozenset(), today: dt.date | None = None,
                  progress: Progress | None = None) -> Checked:
    """Read and validate the file, and refuse the rows the importer may not write (see the module's
    docstring); raises UnusableWorkbook (FilingDisabled in Shanxi) for the file as a whole."""
    validator = FilingRowValidator.from_rules(filing_rules(pack), today or china_today(), _existing_numbers())
    sheet = open_sheet(path, filename)
    header, rows = HeaderMatcher().find(sheet.rows())
    if progress is None and sheet.height is not None:
        # A large sheet is validated on two cores (imports/split_validation.py); the same result.
        result = validate_split(validator, rows, header, sheet.height - header.row_number)
    else:
        result = validator.validate_rows(_counting(rows, progress), header)
    _refuse_out_of_scope(result, header, allowed_cities, held_authorities, pack)
    return Checked(header=header, result=result)


def _existing_numbers() -> dict[str, str]:
    """The stored filing numbers, each with the credit code holding it (the validator's repeat check)."""
    return dict(db.session.execute(
        select(Firm.filing_number, Firm.credit_code).where(Firm.filing_number.is_not(None))).all())


def _refuse_out_of_scope(result: ValidationResult, header: HeaderMap, allowed: set[str] | None,
                         held: frozenset[str], pack, stored_count: int | None = None) -> None:
    """Refuse the rows of another city (by the row, or by the firm as stored under the credit code), and
    the rows that would change a filing number a bureau's review assigned, unless the importer holds it."""
    keep_rows, keep_sources = [], []
    connection = db.session.connection()
    stored = _stored_firms(connection, [r["credit_code"] for r in result.rows],
                           [Firm.id, Firm.credit_code, Firm.city_code, Firm.filing_number, Firm.filed_on,
                            Firm.filing_authority_code], stored_count)
    if allowed is None and not stored:  # no city limit, none of the firms stored: every row is in scope
        result.errors.sort(key=lambda e: e.row)
        return
    reviewed = set(connection.execute(select(FilingRequest.firm_id).distinct()
                                      .where(FilingRequest.state.in_(REVIEWED_STATES))).scalars()) if stored else set()
    for row, source in zip(result.rows, result.source_rows, strict=True):
        key, reason = _out_of_scope(row, stored.get(row["credit_code"]), reviewed, allowed, held, pack)
        if reason is None:
            keep_rows.append(row)
            keep_sources.append(source)
        else:
            result.refused_rows.add(source)
            result.errors.append(RowError(source, header.header_for(key), reason, header.index.get(key)))
    result.errors.sort(key=lambda e: e.row)
    result.rows, result.source_rows = keep_rows, keep_sources


def _out_of_scope(row: dict, old, reviewed: set[int], allowed: set[str] | None, held: frozenset[str], pack):
    """(column key, Chinese reason) when the importer may not write this row, else (None, None)."""
    if allowed is not None and row["city_code"] not in allowed:
        return "city", "所在市不属于本机关辖区，无权导入"
    if old is None:
        return None, None
    if allowed is not None and old.city_code not in allowed:
        return "credit_code", "该统一社会信用代码的单位已登记在其他机关辖区，无权修改"
    number = row.get("filing_number")
    if old.id in reviewed and old.filing_number and old.filing_authority_code not in held and number and (
            number != old.filing_number or (row.get("filed_on") is not None and row["filed_on"] != old.filed_on)):
        authority = pack.authority(old.filing_authority_code)
        name = authority.name if authority else (old.filing_authority_code or "公安机关")
        return "filing_number", f"备案编号 {old.filing_number} 是{name}审核备案时核发的，导入不能更改"
    return None, None


def _locality(pack) -> Callable[[str], bool]:
    """Whether a credit code's firm is in the province, computed once per division."""
    known: dict[str, bool] = {}

    def is_local(code: str) -> bool:
        division = credit_code_division(code)
        local = known.get(division)
        if local is None:
            local = known[division] = pack.is_in_province(division)
        return local

    return is_local


def _stored_firms(connection, codes: Sequence[str], columns, count: int | None = None) -> dict:
    """The stored firms of these credit codes (rows of ``columns``, which include the credit code), by code.

    A table holding no more than twice as many firms as there are codes (a first roster, or the same
    roster again) is read in one scan, and an empty one not at all; otherwise the codes are looked up
    CHUNK at a time. The look-ups cost more than the scan: 100,000 codes are 20 statements of 5,000
    parameters each, which SQLAlchemy expands and binds in Python (0.5 s of the import's profile), twice
    (the scope check and the plan). ``count``: the table's firms, when the caller knows them (the streamed
    import counts them once, before its own rows go in: its chunks look their codes up, never scan)."""
    firm = Firm.__table__
    if count is None:
        count = connection.execute(select(func.count()).select_from(firm)).scalar_one()
    if count == 0 or not codes:
        return {}
    query = select(*columns)
    if count <= 2 * len(codes):
        wanted = set(codes)
        return {r.credit_code: r for r in connection.execute(query) if r.credit_code in wanted}
    found = {}
    for start in range(0, len(codes), CHUNK):
        found.update((r.credit_code, r) for r in connection.execute(
            query.where(firm.c.credit_code.in_(codes[start:start + CHUNK]))))
    return found


def _stored_types(connection, ids: Sequence[int], count: int | None = None) -> dict[int, list[str]]:
    """The stored business types of these firms, each firm's sorted: one scan of the table when these
    are at least half the firms (as _stored_firms), else IN look-ups."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    types = select(FirmBusinessType.firm_id, FirmBusinessType.type_code).order_by(
        FirmBusinessType.firm_id, FirmBusinessType.type_code)
    if count is None:
        count = connection.execute(select(func.count()).select_from(Firm.__table__)).scalar_one()
    if 2 * len(ids) >= count:
        wanted = set(ids)
        for firm_id, code in connection.execute(types):
            if firm_id in wanted:
                found.setdefault(firm_id, []).append(code)
        return found
    for start in range(0, len(ids), CHUNK):
        for firm_id, code in connection.execute(types.where(FirmBusinessType.firm_id.in_(ids[start:start + CHUNK]))):
            found.setdefault(firm_id, []).append(code)
    return found


class _Memo(dict):
    """function(value), computed once per distinct value."""

    def __init__(self, function: Callable):
        super().__init__()
        self._function = function

    def __missing__(self, value):
        done = self[value] = self._function(value)
        return done


def plan_filings(connection, rows: Sequence[dict], present: set[str], pack, *, now: dt.datetime | None = None,
                 stored_count: int | None = None) -> Plan:
    """Compare each valid row with the firm stored under its credit code (one read of the stored firms).

    ``now`` stamps new and changed firms; ``stored_count`` is passed on to _stored_firms."""
    plan = Plan()
    firm = Firm.__table__
    fields = [(key, column) for key, column in _FIELDS.items() if key in present]
    columns = [firm.c.id, firm.c.credit_code, *(firm.c[c] for _, c in _FIELDS.items()),
               *(firm.c[c] for c in _ROSTER)]
    authority_of = {c.code: c.authority for c in pack.cities}
    now = now or utcnow()
    new_firm = _NewFirmRows(connection.dialect, pack, now, present).row
    stored = {code: r._mapping for code, r in
              _stored_firms(connection, [r["credit_code"] for r in rows], columns, stored_count).items()}
    stored_types = _stored_types(connection, [s["id"] for s in stored.values()], stored_count)
    for row in rows:
        code = row["credit_code"]
        old = stored.get(code)
        number = row.get("filing_number")
        if old is None:
            plan.inserts.append(new_firm(row))
            plan.insert_types.append(row["business_types"])
            continue
        values = {column: row[_ROW_KEY.get(key, key)] for key, column in fields}
        if number:
            values["filing_number"] = number
            if row.get("filed_on") is not None:
                values["filed_on"] = row["filed_on"]
            if number != old["filing_number"] or old["filing_authority_code"] is None:
                values["filing_authority_code"] = authority_of.get(row["city_code"])
            if old["filing_status"] == "none":
                values["filing_status"] = "in_force"
        changed = {k: v for k, v in values.items() if old[k] != v}
        if changed:
            full = {c: old[c] for c in (*_FIELDS.values(), *_ROSTER)}
            full.update(changed)
            plan.updates.append({"b_" + k: v for k, v in full.items()}
                                | {"b_id": old["id"], "b_credit_code": code, "b_updated_at": now})
            if "name" in changed:
                plan.renamed.append((old["id"], old["name"], changed["name"]))
        if sorted(row["business_types"]) != stored_types.get(old["id"], []):
            plan.types[old["id"]] = row["business_types"]
        elif not changed:
            plan.unchanged += 1
    return plan


class _NewFirmRows:
    """New firms' rows as the firm table takes them (tuples in _INSERT_COLUMNS order) from clean rows: for
    the plan, and in the streamed import's child, which makes them while this process writes the chunks
    before (_run_streamed)."""

    def __init__(self, dialect, pack, now: dt.datetime, present: set[str]):
        # New firms go in through the driver (bulk.insert_rows), past SQLAlchemy's type processing: their
        # time stamp is handed over as SQLAlchemy would store it (SQLite: its text, made once here rather
        # than by the driver's datetime adapter for each of 200,000 values; PostgreSQL: the datetime itself).
        # The processors are the dialect's own (dialect_impl): the generic DateTime and Date have none, and
        # with them every stamp and filing date went through sqlite3's deprecated per-value adapters.
        firm = Firm.__table__
        process = firm.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._stamp = process(now) if process else now
        day_process = firm.c.filed_on.type.dialect_impl(dialect).bind_processor(dialect)
        self._day = _Memo(day_process) if day_process else None  # the filing dates repeat across rows
        self._authority_of = {c.code: c.authority for c in pack.cities}
        self._is_local = _locality(pack)
        # A new firm's fields straight from the clean row into its tuple, one itemgetter call (no dict per
        # row first, which cost a third of the plan); a column the file lacks is empty, as for a stored firm.
        keys = [_ROW_KEY.get(key, key) if key in present else None for key in _FIELDS]
        if None in keys:
            def fields(row: dict) -> tuple:
                return tuple(row[key] if key else "" for key in keys)
        else:
            fields = operator.itemgetter(*keys)
        self._fields = fields

    def row(self, row: dict) -> tuple:
        code, number, day = row["credit_code"], row.get("filing_number"), row.get("filed_on")
        stamp = self._stamp
        return (*self._fields(row), code, stamp, stamp, self._is_local(code), number,
                (self._day[day] if self._day and day else day) if number else None,
                self._authority_of.get(row["city_code"]) if number else None, "in_force" if number else "none", False)

    def rows(self, rows: Sequence[dict]) -> list[tuple]:
        return list(map(self.row, rows))


def apply_plan(connection, plan: Plan, progress: Progress | None = None) -> None:
    """Write the plan with executemany in chunks; the caller owns the transaction."""
    done = 0
    if plan.inserts:
        # New firms have no business types nor grams yet: nothing to delete, nothing to read back. Both are
        # gathered by key (type, piece) with the firms' positions in plan.inserts, ascending, and written per
        # key (insert_groups) once the firms' ids are known. A large import gathers them in a worker process
        # on the other core while this one writes the firms (see _NewFirmGroups).
        gathered = _NewFirmGroups(plan, as_json=groups_as_json(connection.dialect))
        try:
            ids: list[int] = []
            rebuild = _set_plain_indexes_aside(connection, Firm.__table__.name, len(plan.inserts))
            for start in range(0, len(plan.inserts), INSERT_CHUNK):
                chunk = plan.inserts[start:start + INSERT_CHUNK]
                ids += _insert_firms(connection, chunk)
                done += len(chunk)
                if progress:
                    progress(done)
            rebuild()
            groups = gathered.result()
        finally:
            gathered.close()
        _insert_new_firm_groups(connection, groups, ids, [row[_NAME_AT] for row in plan.inserts], plan.insert_types)
    _apply_changes(connection, plan, (lambda n: progress(done + n)) if progress else None)


def _insert_new_firm_groups(connection, groups: tuple, ids: Sequence[int], names: Sequence[str],
                            insert_types: Sequence[list[str]] | None) -> None:
    """Write the business types and name pieces of new firms: ``groups`` as _gather_groups made them from
    ``names`` and ``insert_types`` (None: the name pieces only), whose firms got ``ids``."""
    by_type, by_gram = groups
    offset = ids[0]
    if not _one_run(ids):
        # Not one run of ids: on PostgreSQL another session's insert may take a number of the shared
        # sequence between two chunks. Then the positions become ids one by one.
        by_type, by_gram = _gather_groups(names, insert_types or [[]] * len(names), False)
        by_type, by_gram = ([(key, [ids[i] for i in at]) for key, at in g] for g in (by_type, by_gram))
        offset = 0
    insert_groups(connection, FirmBusinessType.__table__, ("type_code", "firm_id"), by_type, offset=offset)
    insert_groups(connection, FirmNameGram.__table__, ("gram", "firm_id"), by_gram, offset=offset)


def _one_run(ids: Sequence[int]) -> bool:
    """Whether the ids are consecutive and ascending (then a position plus the first id is the id)."""
    return ids[-1] - ids[0] == len(ids) - 1 and not any(map(operator.ge, ids, ids[1:]))


def _insert_new_firm_types(connection, insert_types: Sequence[list[str]], ids: Sequence[int]) -> None:
    """The business types of new firms that got ``ids``, grouped by type (insert_groups)."""
    by_type: dict[str, list[int]] = {}
    for at, codes in enumerate(insert_types):
        for code in codes:
            (by_type.get(code) or by_type.setdefault(code, [])).append(at)
    if _one_run(ids):
        groups, offset = [(key, by_type[key]) for key in sorted(by_type)], ids[0]
    else:
        groups, offset = [(key, [ids[i] for i in by_type[key]]) for key in sorted(by_type)], 0
    insert_groups(connection, FirmBusinessType.__table__, ("type_code", "firm_id"), groups, offset=offset)


def _apply_changes(connection, plan: Plan, progress: Progress | None = None) -> None:
    """Write the plan's changes to stored firms: their fields, business types and names."""
    firm = Firm.__table__
    done = 0
    if plan.updates:
        stmt = (update(firm).where(firm.c.id == bindparam("b_id"))
                .values({c: bindparam("b_" + c) for c in (*_FIELDS.values(), *_ROSTER, "updated_at")}))
        for start in range(0, len(plan.updates), CHUNK):
            connection.execute(stmt, plan.updates[start:start + CHUNK])
            done += len(plan.updates[start:start + CHUNK])
            if progress:
                progress(done)
    if plan.types:
        id_list = sorted(plan.types)
        for start in range(0, len(id_list), CHUNK):
            connection.execute(delete(FirmBusinessType).where(FirmBusinessType.firm_id.in_(id_list[start:start + CHUNK])))
        insert_rows(connection, FirmBusinessType.__table__, ("firm_id", "type_code"),
                    [(firm_id, t) for firm_id in id_list for t in sorted(plan.types[firm_id])])
    if plan.renamed:
        replace_name_grams(connection, plan.renamed)


# An import adding at least this many firms on SQLite, and at least as many as the table holds, builds the
# firm table's plain indexes after its rows rather than row by row (_set_plain_indexes_aside).
REBUILD_INDEXES_FROM = 20_000


def _set_plain_indexes_aside(connection, table: str, adding: int) -> Callable[[], None]:
    """On SQLite, when ``adding`` rows is a large share of ``table``: drop its plain (not unique) indexes
    and return what creates them again, from their own stored SQL; otherwise a function doing nothing.

    Adding a row to an index is a search and an insertion at a random place in its B-tree; building the
    index afterwards sorts the keys once. For the 100,000 firms of a first roster the firm table's two plain
    indexes cost 0.5 s row by row and 0.2 s built afterwards (benchmarks/bench_import_export.py's data).
    Unique indexes stay: they are the duplicate checks. All of it happens inside the import's transaction
    (SQLite's schema changes are transactional), so a failed import rolls the indexes back with the rows,
    and readers meanwhile see the committed state, indexes included (WAL). PostgreSQL would hold the
    table's strongest lock from the drop to the commit, blocking every reader: not there."""
    if connection.dialect.name != "sqlite" or adding < REBUILD_INDEXES_FROM:
        return lambda: None
    if connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() > adding:
        return lambda: None
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
        "AND upper(sql) NOT LIKE 'CREATE UNIQUE%'", (table,)).all()
    raw = connection.connection.dbapi_connection
    if indexes and not raw.in_transaction:
        # sqlite3 opens its transaction only before an INSERT, UPDATE or DELETE, and would run a DROP before
        # any of them on its own, committed at once: open the import's transaction first.
        raw.execute("BEGIN")
    quote = connection.dialect.identifier_preparer.quote
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")

    def rebuild() -> None:
        for _, sql in indexes:
            connection.exec_driver_sql(sql)

    return rebuild


# An import of at least this many new firms gathers their business types and name pieces in a worker
# process: below it the fork costs more than it saves.
PARALLEL_FROM = 20_000


def _gather_groups(names: Sequence[str], insert_types: Sequence[list[str]], as_json: bool):
    """(business type, positions) and (name piece, positions) of new firms (their names and business types
    in plan.inserts order), each sorted by key; the positions (0-based) ascending, as JSON arrays when
    ``as_json`` (insert_groups on SQLite). The same rows whichever process computes them."""
    groups = _GroupsByKey()
    groups.add(names, insert_types)
    return groups.result(as_json)


class _GroupsByKey:
    """_gather_groups a batch at a time: the streamed import adds each chunk's new firms as they come (and
    writes their business types itself: ``insert_types`` None)."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[int]] = {}
        self._by_gram: defaultdict[str, list[int]] = defaultdict(list)
        self.count = 0

    def add(self, names: Sequence[str], insert_types: Sequence[list[str]] | None) -> None:
        by_type, by_gram = self._by_type, self._by_gram
        for at, name in enumerate(names, start=self.count):
            for gram in name_grams(name):
                by_gram[gram].append(at)
        if insert_types is not None:
            for at, codes in enumerate(insert_types, start=self.count):
                for code in codes:
                    (by_type.get(code) or by_type.setdefault(code, [])).append(at)
        self.count += len(names)

    def result(self, as_json: bool):
        if as_json:
            # Each position is written as text once, not once per group holding it: str(int) per id was
            # half of this step for 100,000 firms' 1.4 million name pieces (0.40 s against 0.19 s).
            text = list(map(str, range(self.count))).__getitem__

            def pack(ids):
                return "[" + ",".join(map(text, ids)) + "]"
        else:
            def pack(ids):
                return ids
        return ([(key, pack(self._by_type[key])) for key in sorted(self._by_type)],
                [(key, pack(self._by_gram[key])) for key in sorted(self._by_gram)])


_forked_plan: tuple | None = None  # what the worker process reads (inherited by fork, never pickled)


def _gather_forked_groups():
    assert _forked_plan is not None
    return _gather_groups(*_forked_plan)


class _NewFirmGroups:
    """The grouped business types and name pieces of a plan's new firms (_gather_groups), computed in a
    forked worker process while the caller writes the firms, or here when that cannot help.

    Writing the firms is SQLite's (or the database server's) work in this process; the grouping is pure
    Python over the names — half a second for 100,000 firms — and a thread would only take turns with the
    writer under the GIL, so a process computes it on the other core. The worker only reads what it
    inherited and sends back the groups: every write stays in the caller's one transaction, so the import
    is still all or nothing (a worker that fails raises here, and the caller rolls back). Forking is used
    only where it is safe and worth it: a platform with fork, a process with a single thread (not the web
    app's import thread, where another thread may hold a lock the child would inherit), and a large plan."""

    def __init__(self, plan: Plan, as_json: bool):
        global _forked_plan
        self._args = ([row[_NAME_AT] for row in plan.inserts], plan.insert_types, as_json)
        self._executor = self._future = None
        if len(plan.inserts) < PARALLEL_FROM or not hasattr(os, "fork") or threading.active_count() != 1 \
                or (os.cpu_count() or 1) < 2:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _forked_plan = self._args
        try:
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._executor.submit(_gather_forked_groups)  # forks here, with _forked_plan set
        except OSError:  # pragma: no cover - no process to be had: compute here
            self.close()
        finally:
            _forked_plan = None

    def result(self):
        if self._future is None:
            return _gather_groups(*self._args)
        return self._future.result()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._future = None


def _insert_firms(connection, rows: Sequence[tuple]) -> list[int]:
    """Insert new firms and return their ids in the order of ``rows``.

    On SQLite they follow from the largest id before (see below); elsewhere they are read back in one range scan of the primary key: every id the database hands out from here
    on is above the largest one present now (SQLite: max(rowid) + 1 for a table without AUTOINCREMENT, under
    this transaction's write lock; PostgreSQL: a sequence only goes up). A firm another session commits
    meanwhile may fall in the range too; its credit code is not one of ours (credit codes are unique), so
    it is skipped.
    """
    firm = Firm.__table__
    before = connection.execute(select(func.coalesce(func.max(firm.c.id), 0))).scalar_one()
    insert_rows(connection, firm, _INSERT_COLUMNS, rows)
    if connection.dialect.name == "sqlite":
        # Each row got max(rowid) + 1 in turn, and no other writer could insert in between (the transaction
        # holds the write lock from its first insert; a writer that committed after this transaction's
        # snapshot makes the insert fail): so the ids are before + 1 … before + n in order, which the new
        # maximum confirms without reading 100,000 ids back.
        if connection.execute(select(func.max(firm.c.id))).scalar_one() == before + len(rows):
            return list(range(before + 1, before + len(rows) + 1))
    wanted = {row[_CODE_AT]: i for i, row in enumerate(rows)}
    ids: list[int | None] = [None] * len(rows)
    for firm_id, code in connection.execute(
            select(firm.c.id, firm.c.credit_code).where(firm.c.id > before).order_by(firm.c.id)):
        at = wanted.get(code)
        if at is not None:
            ids[at] = firm_id
    if None in ids:  # pragma: no cover - would mean a write this transaction cannot see
        raise RuntimeError("inserted firms not found")
    return ids  # type: ignore[return-value]


def plan_and_write(plan: Callable, write: Callable | None):
    """``plan(connection)``, then ``write(connection, planned)`` unless ``write`` is None (a preview, or an
    all-or-nothing import with refused rows); returns what was planned.

    Another writer may commit one of these records between the plan and the write (a unique credit code,
    filing number or case number collides; SQLite reports the same race as a busy snapshot). Then the
    transaction is rolled back and planned again against what is stored now, so those records are updated
    rather than doubled; a second collision raises ImportConflict, with nothing written.
    """
    attempt = 1
    while True:
        connection = db.session.connection()
        planned = plan(connection)
        if write is None:
            return planned
        try:
            write(connection, planned)
            return planned
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if attempt == WRITE_ATTEMPTS:
                raise ImportConflict() from exc
            attempt += 1


def _sample(rows: Sequence[dict], pack) -> list[dict]:
    city = {c.code: c.name for c in pack.cities}
    types = {b.code: b.name for b in pack.filing.business_types}
    return [{
        "name": r["name"], "credit_code": r["credit_code"], "city": city.get(r["city_code"], r["city_code"]),
        "business_types": "、".join(types.get(t, t) for t in r["business_types"]),
        "filing_number": r.get("filing_number") or "", "filed_on": (r.get("filed_on") or "") and str(r["filed_on"]),
    } for r in rows[:PREVIEW_ROWS]]


@paused_gc()  # the plan and the write build a few hundred thousand containers (imports/gc_pause.py)
def run_filing_import(path: str | os.PathLike, filename: str, *, mode: str = "all-or-nothing", actor=None,
                      allowed_cities: set[str] | None = None, held_authorities: frozenset[str] = frozenset(),
                      write: bool = True,
                      progress: Progress | None = None, checked: Checked | None = None,
                      finish: Callable[[Outcome], None] | None = None, extra: dict | None = None) -> Outcome:
    """Validate, plan and (unless ``write`` is False, the preview) write; audit and commit once.

    All-or-nothing writes nothing when any row is refused; valid-rows writes the good rows. Either way an
    import that was asked to write leaves an audit entry with the file's name, hash, counts and mode;
    ``finish`` runs just before the commit, so a job's own row commits with the data.
    """
    if mode not in MODES:
        raise ValueError(mode)
    pack = current_app.extensions["jifang.pack"]
    outcome = Outcome(filename=filename, sha256=file_sha256(path), mode=mode)
    if checked is None and write and progress is None and can_stream(path, filename):
        streamed = _run_streamed(path, outcome, pack=pack, mode=mode, actor=actor, allowed=allowed_cities,
                                 held=held_authorities, finish=finish, extra=extra)
        if streamed is not None:
            return streamed
    checked = checked or check_filings(path, filename, pack=pack, allowed_cities=allowed_cities,
                                       held_authorities=held_authorities, progress=progress)
    result = checked.result
    outcome.total, outcome.valid, outcome.refused = result.total_rows, len(result.rows), checked.refused
    outcome.errors = result.errors
    outcome.sample = _sample(result.rows, pack)
    present = set(checked.header.index)
    blocked = mode == "all-or-nothing" and not result.ok
    base = result.total_rows  # the write phase's progress counts on from the rows checked
    restores: list[Callable[[], None]] = []

    def write_plan(connection, plan: Plan) -> None:
        if (restore := _widen_sqlite_cache(connection)) is not None:
            restores.append(restore)
        apply_plan(connection, plan, (lambda n: progress(base + n, "write")) if progress else None)

    try:
        plan = plan_and_write(lambda connection: plan_filings(connection, result.rows, present, pack),
                              write_plan if write and not blocked else None)
        outcome.unchanged = plan.unchanged
        if write and not blocked:
            outcome.inserted, outcome.updated = len(plan.inserts), len(plan.updates)
            outcome.written = plan.written
        elif not write:
            outcome.inserted, outcome.updated = len(plan.inserts), len(plan.updates)
            outcome.written = 0 if blocked else plan.written
        if write:
            _audit_and_commit(outcome, blocked, actor, finish, extra)
        else:
            db.session.rollback()
    finally:
        for restore in restores:
            restore()
    return outcome


def _audit_and_commit(outcome: Outcome, blocked: bool, actor, finish: Callable[[Outcome], None] | None,
                      extra: dict | None) -> None:
    audit.record("import_filings", object_type="firm", actor=actor, detail={
        "file": outcome.filename, "sha256": outcome.sha256, "mode": outcome.mode, **outcome.counts(),
        "result": "refused" if blocked else "written", **(extra or {}),
    })
    if finish is not None:
        finish(outcome)
    db.session.commit()
    if not blocked and outcome.written >= ANALYZE_AFTER:
        refresh_statistics()


def _run_streamed(path, outcome: Outcome, *, pack, mode: str, actor, allowed: set[str] | None,
                  held: frozenset[str], finish, extra) -> Outcome | None:
    """The import with the reading and validation in a child process (imports/streamed_validation.py) while
    this one checks the file and then plans and writes each chunk of clean rows as it comes: the same
    outcome and the same rows written as run_filing_import's ordinary way, in one transaction.

    Each chunk is planned against the firms stored before the import (counted once: a chunk's credit
    codes are never another chunk's, the validator refuses repeats). All-or-nothing stops writing at the
    first refused row and rolls back what it wrote; the rest is still validated and planned for the counts
    and the error report. Returns None, with nothing written, when the stream cannot deliver the rows or
    another writer's rows collide with these (the caller then imports the ordinary way, which reads the
    file again and raises the file's own error, or retries the collision); raises the checks' error."""
    connection = db.session.connection()
    stored_count = connection.execute(select(func.count()).select_from(Firm.__table__)).scalar_one()
    validator = FilingRowValidator.from_rules(filing_rules(pack), china_today(), _existing_numbers())
    result = ValidationResult()
    writes = _StreamedWrites(connection)
    inserted = updated = unchanged = written = 0
    blocked = False
    now = utcnow()
    # Into an empty register and with no city limit every clean row is a new firm: the child then makes
    # the firm table's rows itself (_NewFirmRows, the plan's own), on its core, and sends those.
    new_only = stored_count == 0 and allowed is None
    makers: dict[int, _NewFirmRows] = {}

    def prepare(rows: list[dict], header: HeaderMap):
        """In the child: the chunk's firm rows, column by column (text columns travel as one string each,
        imports/split_validation.py), and their business types."""
        maker = makers.get(id(header)) or makers.setdefault(id(header), _NewFirmRows(
            connection.dialect, pack, now, set(header.index)))
        columns = zip(*maker.rows(rows), strict=True) if rows else ()
        return [pack_column(list(column)) for column in columns], [row["business_types"] for row in rows]

    try:
        with StreamedValidation(path, validator, prepare if new_only else None, PREVIEW_ROWS) as stream:
            stream.check()
            for chunk, prepared in stream.chunks():
                if new_only:
                    plan = _prepared_plan(prepared)
                else:
                    _refuse_out_of_scope(chunk, stream.header, allowed, held, pack, stored_count)
                    plan = plan_filings(connection, chunk.rows, set(stream.header.index), pack, now=now,
                                        stored_count=stored_count)
                result.extend(chunk)
                blocked = blocked or (mode == "all-or-nothing" and not chunk.ok)
                inserted, updated = inserted + len(plan.inserts), updated + len(plan.updates)
                unchanged, written = unchanged + plan.unchanged, written + plan.written
                if not blocked:
                    writes.write(plan, stream.height or 0)
            if not blocked:
                writes.finish()
    except (StreamFailed, IntegrityError, OperationalError):
        db.session.rollback()
        return None
    except BaseException:
        db.session.rollback()
        raise
    finally:
        writes.restore()
    if blocked:
        db.session.rollback()  # what was written before the first refused row
    outcome.total, outcome.valid = result.total_rows, len(result.source_rows)  # rows: the sample's only
    outcome.refused = len(result.refused_rows)
    outcome.errors = result.errors
    outcome.sample = _sample(result.rows, pack)
    outcome.unchanged = unchanged
    if not blocked:
        outcome.inserted, outcome.updated, outcome.written = inserted, updated, written
    _audit_and_commit(outcome, blocked, actor, finish, extra)
    return outcome


class _StreamedWrites:
    """The streamed import's writes, chunk by chunk: new firms with their business types, and changes to
    stored firms, as they come; the new firms' name pieces gathered as they come and written once, in key
    order, at the end (written chunk by chunk they would scatter into the middle of their B-tree, whose key
    is the piece: 2.6 s against 1.4 s for 100,000 firms with their types). A business type row's keys
    follow the firm's id, so each chunk's go at the end of their B-trees, once the index by type is set
    aside: written while the child validates, they leave the end 0.5 s shorter."""

    def __init__(self, connection):
        self._connection = connection
        self._grouped = _GroupsByKey()
        self._ids: list[int] = []
        self._names: list[str] = []
        self._rebuild: Callable[[], None] | None = None
        self._restores: list[Callable[[], None]] = []

    def write(self, plan: Plan, height: int) -> None:
        connection = self._connection
        if self._rebuild is None:  # the first write: a wide page cache, the plain indexes set aside
            if (restore := _widen_sqlite_cache(connection)) is not None:
                self._restores.append(restore)
            rebuild_firm = _set_plain_indexes_aside(connection, Firm.__table__.name, height)
            rebuild_types = _set_plain_indexes_aside(connection, FirmBusinessType.__table__.name, height)
            self._rebuild = lambda: (rebuild_firm(), rebuild_types())
        if plan.inserts:
            ids = _insert_firms(connection, plan.inserts)
            _insert_new_firm_types(connection, plan.insert_types, ids)
            names = [row[_NAME_AT] for row in plan.inserts]
            self._ids += ids
            self._names += names
            self._grouped.add(names, None)
        _apply_changes(connection, plan)

    def finish(self) -> None:
        if self._rebuild is not None:
            self._rebuild()
        if self._ids:
            groups = self._grouped.result(groups_as_json(self._connection.dialect))
            _insert_new_firm_groups(self._connection, groups, self._ids, self._names, None)

    def restore(self) -> None:
        for restore in self._restores:
            restore()


def _prepared_plan(prepared) -> Plan:
    """The plan of a chunk of new firms from what the streamed import's child prepared."""
    columns, insert_types = prepared
    return Plan(inserts=list(zip(*map(unpack_column, columns), strict=True)), insert_types=insert_types)


# PostgreSQL plans queries from table statistics that autovacuum refreshes only some time after a bulk
# write: right after a first roster of 50,000 firms went in, the roster's first page took 62 ms (planned
# for an empty table) instead of 1.6 ms. So an import that wrote this many firms analyses what it wrote,
# after its commit (a fraction of a second for 100,000 firms). SQLite's plans need no statistics here.
ANALYZE_AFTER = 5_000


def refresh_statistics() -> None:
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE firm, firm_business_type, firm_name_gram"))
        connection.commit()


IMPORT_CACHE_KIB = 64 * 1024


def _widen_sqlite_cache(connection) -> Callable[[], None] | None:
    """On SQLite, give this connection a 64 MB page cache for the import's transaction (the default 2 MB
    cannot hold the firm table's indexes, so each new firm's index entries miss it); returns what puts the
    old size back after the commit. Other databases: None."""
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.dbapi_connection
    old = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    return lambda: raw.execute(f"PRAGMA cache_size = {int(old)}")


def preview(path, filename: str, *, pack, user, progress: Progress | None = None) -> Outcome:
    """Validate and plan without writing: what the preview page shows."""
    return run_filing_import(path, filename, allowed_cities=cities_of(user, pack),
                             held_authorities=authorities_of(user, pack), write=False, progress=progress)


def run_import(path, filename: str, *, mode: str, user, progress=None, finish=None, job_id=None) -> Outcome:
    pack = current_app.extensions["jifang.pack"]
    return run_filing_import(path, filename, mode=mode, actor=user, allowed_cities=cities_of(user, pack),
                             held_authorities=authorities_of(user, pack),
                             progress=progress, finish=finish, extra={"job": job_id})


def write_filing_report(target, path: str | os.PathLike, filename: str, errors: Sequence[RowError]) -> int:
    """The error report workbook for a roster file (the file is read again; its rows are not kept)."""
    header, rows = HeaderMatcher().find(open_sheet(path, filename).rows())
    return write_error_report(target, header.values, rows, errors)



write_report = write_filing_report


def write_template(target, pack) -> None:
    """The roster import template: the canonical headers, one example row, the credit code column as text
    (so Excel never turns a code into a number), and a sheet of notes."""
    from app.demo import credit_code
    from reports.export import ROSTER_HEADERS, ROSTER_WIDTHS, XlsxExport

    city = pack.cities[0]
    types = [b.name for b in pack.filing.business_types[:2]]
    example = ("（示例，导入前请删除）示例安防科技有限公司", credit_code(city.code, "MA0EXAMPL"), "张三",
               f"{city.name}某区某路1号", f"{city.name}某区某路2号", city.name, "、".join(types), "李四",
               "13800000000", "", None)
    with XlsxExport(target, ROSTER_HEADERS, sheet_name="备案名录", widths=ROSTER_WIDTHS) as out:
        out.sheet.set_column(1, 1, ROSTER_WIDTHS[1], out.book.add_format({"num_format": "@"}))
        out.write_rows([example])
        notes = out.book.add_worksheet("填写说明")
        lines = [
            "必填：单位名称、统一社会信用代码、法定代表人、所在市、业务类型。",
            f"所在市：{'、'.join(c.name for c in pack.cities)}。",
            f"业务类型：{'、'.join(b.name for b in pack.filing.business_types)}；多个用顿号、逗号或空格分隔。",
            "备案日期：2025-03-01、2025/3/1 或 2025年3月1日，不能晚于今天。",
            "已在系统中的单位按统一社会信用代码更新，不会重复添加；备案编号为空不会清除已有备案。",
        ]
        for row, text in enumerate(lines):
            notes.write_string(row, 0, text)
        notes.set_column(0, 0, 100)

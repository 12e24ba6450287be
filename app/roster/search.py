"""The roster's queries: filters, keyset pages by filing number, batches for the downloads.

Choices, written down once (see also benchmarks/bench_roster.py):

- Order: by filing number only. It is neutral (the bureau's own sequence) and unique, so it is also the
  keyset: a page asks for `filing_number > last` (or `< first` going back) with LIMIT size + 1. No OFFSET,
  no COUNT(*) per request; deep pages cost the same as the first.
- Only firms whose filing is in force or cancelled appear; a firm that never filed ("none") never does.
- Name: a substring of at least two characters, found through the firm-name bigram index
  (app/services/name_index.py: every two-character piece of each name, primary key (gram, firm_id)), then
  confirmed with LIKE. Without it a name matching nothing read every filed firm (140–190 ms on SQLite with
  100,000 firms); see benchmarks/bench_roster.py for the figures with it.
- Credit code: 18 characters is an exact match on the unique index; fewer is a prefix, served as a range
  on that index (`>= p AND < next(p)`) because SQLite's case-insensitive LIKE cannot use it.
- City, status and business type are equalities on indexed columns (business type as EXISTS on the
  firm_business_type primary key).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from app.complaints.warnings import listed_notice_column
from app.models import Firm
from app.models.firm import FirmBusinessType
from app.services.name_index import name_filter, name_plan
from forms import N_

PUBLIC_STATUSES = ("in_force", "cancelled")
STATUS_LABELS = {"in_force": N_("有效"), "cancelled": N_("已注销")}
PAGE_SIZE = 50
EXPORT_BATCH = 1000
NAME_MIN, NAME_MAX = 2, 60
_CODE_RE = re.compile(r"^[0-9A-Z]{2,18}$")
_CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Filters:
    """A roster search as the public typed it, checked; `errors` are shown beside the form (Chinese, translated in the template)."""

    name: str = ""
    credit_code: str = ""
    business_type: str = ""
    city: str = ""
    status: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping[str, str], pack) -> Filters:
        errors: dict[str, str] = {}
        name = " ".join((args.get("name") or "").split())[:NAME_MAX]
        if name and len(name) < NAME_MIN:
            errors["name"] = f"单位名称请至少输入{NAME_MIN}个字"  # glossary: run-time strings
            name = ""
        code = (args.get("credit_code") or "").strip().upper()
        if code and not _CODE_RE.match(code):
            errors["credit_code"] = N_("统一社会信用代码只含数字和大写字母，请至少输入前2位、至多18位")
            code = ""
        business_type = args.get("business_type") or ""
        if business_type and pack.business_type(business_type) is None:
            errors["business_type"] = N_("没有这一业务类型")
            business_type = ""
        city = args.get("city") or ""
        if city and pack.city(city) is None:
            errors["city"] = N_("没有这一城市")
            city = ""
        status = args.get("status") or ""
        if status and status not in PUBLIC_STATUSES:
            errors["status"] = N_("备案状态只能是有效或已注销")
            status = ""
        return cls(name, code, business_type, city, status, errors)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for pager and download links)."""
        pairs = {"name": self.name, "credit_code": self.credit_code, "business_type": self.business_type,
                 "city": self.city, "status": self.status}
        return {k: v for k, v in pairs.items() if v}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefix_upper_bound(prefix: str) -> str | None:
    """The smallest code-alphabet string above every string starting with prefix (None: no bound)."""
    chars = list(prefix)
    while chars:
        position = _CODE_CHARS.index(chars[-1])
        if position + 1 < len(_CODE_CHARS):
            chars[-1] = _CODE_CHARS[position + 1]
            return "".join(chars)
        chars.pop()
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    """A roster line: the public columns of a firm, read as plain rows (no ORM objects, no personal
    columns ever loaded). Attribute names match Firm's, so public_row and the certificate take either."""

    id: int
    name: str
    credit_code: str
    filing_number: str
    filed_on: object
    filing_authority_code: str | None
    filing_status: str
    business_type_codes: tuple[str, ...] = ()
    # The newest warning notice in force (the roster's mark); read for pages and entries, not downloads.
    notice_id: int | None = None


PUBLIC_COLUMNS = (Firm.id, Firm.name, Firm.credit_code, Firm.filing_number, Firm.filed_on,
                  Firm.filing_authority_code, Firm.filing_status)


_PLAIN = object()


# The parts every roster statement shares, built once (statements are immutable; building them per request
# cost about as much as SQLite's running them).
_FILED = select(*PUBLIC_COLUMNS).where(Firm.filing_number.is_not(None))
_IN_PUBLIC = Firm.filing_status.in_(PUBLIC_STATUSES)


def roster_select(filters: Filters, name_clause=_PLAIN) -> Select:
    """The filtered roster's public columns, not yet ordered or limited. A name is narrowed by the bigram
    index's plain filter, or by name_clause (a page's plan: name_index.name_plan)."""
    stmt = _FILED
    if filters.status:
        stmt = stmt.where(Firm.filing_status == filters.status)
    else:
        stmt = stmt.where(_IN_PUBLIC)
    if filters.name:
        # The bigram index narrows to the firms having every two-character piece of the query (an index
        # lookup, app/services/name_index.py); LIKE then confirms the order. Case only matters for Latin
        # letters: ILIKE costs a case fold per row, so plain LIKE serves Chinese names.
        indexed = name_filter(filters.name) if name_clause is _PLAIN else name_clause
        if indexed is not None:
            stmt = stmt.where(indexed)
        pattern = f"%{_like_escape(filters.name)}%"
        if any("a" <= c.lower() <= "z" for c in filters.name):
            stmt = stmt.where(Firm.name.ilike(pattern, escape="\\"))
        else:
            stmt = stmt.where(Firm.name.like(pattern, escape="\\"))
    if len(filters.credit_code) == 18:
        stmt = stmt.where(Firm.credit_code == filters.credit_code)
    elif filters.credit_code:
        stmt = stmt.where(Firm.credit_code >= filters.credit_code)
        upper = _prefix_upper_bound(filters.credit_code)
        if upper is not None:
            stmt = stmt.where(Firm.credit_code < upper)
    if filters.city:
        stmt = stmt.where(Firm.city_code == filters.city)
    if filters.business_type:
        stmt = stmt.where(
            exists().where(FirmBusinessType.firm_id == Firm.id, FirmBusinessType.type_code == filters.business_type)
        )
    return stmt


# Each firm's business-type codes, read in the same statement (one correlated index lookup per row).
_TYPE_CODES = (
    select(func.aggregate_strings(FirmBusinessType.type_code, ","))
    .where(FirmBusinessType.firm_id == Firm.id)
    .scalar_subquery()
    .label("type_codes")
)


# Each firm's warning mark (app/complaints/warnings.py), for the pages: in the same statement too.
_NOTICE_ID = listed_notice_column(Firm.id).label("notice_id")


def _entries(session: Session, stmt, *, notices: bool = True) -> list[Entry]:
    """Run a roster select, each firm with its business types and (notices) its warning mark: one statement."""
    if not notices:
        return [
            Entry(*row[:-1], business_type_codes=tuple(sorted(row[-1].split(","))) if row[-1] else ())
            for row in session.connection().execute(stmt.add_columns(_TYPE_CODES))
        ]
    # Plain columns: read through the session's connection, without the ORM's layer (~50 µs a statement).
    return [_entry(row) for row in session.connection().execute(stmt.add_columns(_TYPE_CODES, _NOTICE_ID))]


def _entry(row) -> Entry:
    """An Entry from PUBLIC_COLUMNS, the type codes and the notice id."""
    return Entry(*row[:-2], business_type_codes=tuple(sorted(row[-2].split(","))) if row[-2] else (), notice_id=row[-1])


@dataclass(frozen=True)
class Page:
    firms: list[Entry]
    next_after: str | None
    prev_before: str | None


# A name search whose pieces are all common first looks for its page among this many firms of the roster.
NAME_WINDOW = 2_000


# The first page's window edge, kept for a minute: any edge gives the same page (only a full page is taken
# from the window, and no edge means no bound at all), so a stale one costs at most a fallback.
EDGE_FOR = 60.0
_first_edges: dict[int, tuple[float, str | None]] = {}


def _edge(session: Session, page, first: bool) -> str | None:
    if first:
        seen, edge = _first_edges.get(NAME_WINDOW, (-EDGE_FOR, None))
        if time.monotonic() - seen < EDGE_FOR:
            return edge
    edge = session.scalar(page(select(Firm.filing_number).where(Firm.filing_number.is_not(None)))
                          .limit(1).offset(NAME_WINDOW))
    if first:
        _first_edges[NAME_WINDOW] = (time.monotonic(), edge)
    return edge


def _page_query(session: Session, filters: Filters, keyset, descending: bool, limit: int) -> list[Entry]:
    """The rows of one page in filing-number order (descending: going back), after the keyset condition."""
    order = Firm.filing_number.desc() if descending else Firm.filing_number
    plan = name_plan(session, filters.name) if filters.name else None

    def page(stmt):
        if keyset is not None:
            stmt = stmt.where(keyset)
        return stmt.order_by(order).limit(limit)

    if plan is not None and plan.walk is not None:
        # The window ends NAME_WINDOW filing numbers from here (read from the filing-number index alone); the
        # page is sought up to it, and the database stops as soon as the page is full.
        edge = _edge(session, page, keyset is None and not descending)
        stmt = page(roster_select(filters, plan.walk))
        if edge is not None:
            stmt = stmt.where(Firm.filing_number >= edge if descending else Firm.filing_number <= edge)
        rows = _entries(session, stmt)
        if len(rows) == limit or edge is None:  # a full page, or the rest of the roster was in the window
            return rows
    return _entries(session, page(roster_select(filters, plan.driven if plan is not None else _PLAIN)))


def roster_page(
    session: Session, filters: Filters, *, after: str | None = None, before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One keyset page: forward from `after`, or backward from `before`; never OFFSET, never COUNT."""
    if before:
        rows = _page_query(session, filters, Firm.filing_number < before, True, size + 1)
        more_before = len(rows) > size
        firms = list(reversed(rows[:size]))
        return Page(firms, firms[-1].filing_number if firms else None,
                    firms[0].filing_number if firms and more_before else None)
    rows = _page_query(session, filters, Firm.filing_number > after if after else None, False, size + 1)
    firms = rows[:size]
    return Page(firms, firms[-1].filing_number if len(rows) > size else None,
                firms[0].filing_number if firms and after else None)


def iter_roster(session: Session, filters: Filters, batch: int = EXPORT_BATCH) -> Iterator[Entry]:
    """Every firm of a search, in filing-number order, read in keyset batches (constant memory)."""
    after = None
    while True:
        stmt = roster_select(filters)  # the plain name filter: an export reads every match anyway
        if after is not None:
            stmt = stmt.where(Firm.filing_number > after)
        entries = _entries(session, stmt.order_by(Firm.filing_number).limit(batch), notices=False)
        yield from entries
        if len(entries) < batch:
            return
        after = entries[-1].filing_number


def public_row(firm: Entry | Firm, pack) -> dict:
    """What the public may see of a firm, and nothing else: no people, phones, addresses or ID numbers."""
    authority = pack.authority(firm.filing_authority_code)
    types = [pack.business_type(code) for code in firm.business_type_codes]
    return {
        "name": firm.name,
        "credit_code": firm.credit_code,
        "filing_number": firm.filing_number,
        "filed_on": firm.filed_on,
        "authority": authority.name if authority else (firm.filing_authority_code or ""),
        "business_types": "、".join(t.name if t else "" for t in types if t),
        "in_force": firm.filing_status == "in_force",
        "status": STATUS_LABELS.get(firm.filing_status, ""),
    }


# Built once: building the statement cost as much as running it.
_ENTRY = select(*PUBLIC_COLUMNS, _TYPE_CODES, _NOTICE_ID).where(
    Firm.credit_code == bindparam("token"), Firm.filing_status.in_(PUBLIC_STATUSES), Firm.filing_number.is_not(None))


def find_entry(session: Session, token: str) -> Entry | None:
    """The firm a roster entry (and a certificate's QR code) names; never one that has not filed."""
    token = token.strip().upper()
    if len(token) != 18 or not _CODE_RE.match(token):
        return None
    row = session.connection().execute(_ENTRY, {"token": token}).first()  # plain columns: no ORM layer needed
    return _entry(row) if row is not None else None

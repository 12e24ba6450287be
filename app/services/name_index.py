"""The firm-name bigram index behind the roster's name search.

A substring search (LIKE '%x%') cannot use a B-tree index, so with 100,000 firms a name that matches
nothing would read every row. Instead every two-character piece of each normalised name is stored in
firm_name_gram (primary key gram, firm_id); a search for "安防科技" asks for the firms that have all of
安防, 防科 and 科技 — index range scans — and LIKE then confirms the order. It works alike on SQLite and
PostgreSQL (pg_trgm would need three characters, and most Chinese searches are two or three).

The pieces of the legal-form words every firm carries (有限公司, 股份, 集团…) are not indexed: they select
nearly every firm, so they would only cost rows; a query made of nothing else falls back to LIKE, which
then fills a page at once.

Every ORM write of a firm's name updates the index through the after_flush hook below, which also drops
the pieces of a firm the ORM deletes (the table has no foreign key to cascade them; app/models/firm.py says
why); bulk writers that bypass the ORM (the Excel import) call add_name_grams / replace_name_grams;
`flask roster reindex` rebuilds it.
"""

from __future__ import annotations

import operator
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, delete, event, exists, false, func, select, tuple_
from sqlalchemy.orm import Session

from app.models.firm import Firm, FirmNameGram
from app.services.bulk import insert_groups, insert_rows

# Pieces of 有限公司, 有限责任公司, 股份有限公司, 集团, 分公司.
STOP_GRAMS = frozenset({"有限", "限公", "公司", "限责", "责任", "任公", "股份", "份有", "集团", "分公"})


_concat = operator.add


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").lower().split())


def name_grams(name: str) -> set[str]:
    """The indexed pieces of a name (or of a query)."""
    text = normalise_name(name)
    if len(text) < 2:
        return {text} if text else set()
    # Each character joined to the next by map (in C): a third faster than slicing in a comprehension,
    # which counts in an import of 100,000 firms.
    grams = set(map(_concat, text, text[1:]))
    grams -= STOP_GRAMS
    return grams


def _insert_sorted(connection, pairs: list[tuple[str, int]]) -> None:
    """Insert in primary-key order: appends to the B-tree instead of scattering writes across it."""
    pairs.sort()
    insert_rows(connection, FirmNameGram.__table__, ("gram", "firm_id"), pairs)


def add_name_grams(connection, firms: Iterable[tuple[int, str]]) -> None:
    """Index new firms: (firm_id, name) pairs."""
    grams = NameGrams()
    for firm_id, name in sorted(firms):
        grams.add(firm_id, name)
    grams.insert(connection)


class NameGrams:
    """The grams of many new firms, gathered for one insert in primary-key order without a list of every
    (gram, firm_id) pair: each gram keeps the list of its firm ids, and firms must be added in
    ascending id order, so walking the grams in sorted order yields the keys already sorted (a bucket sort;
    str order is code point order, which is UTF-8 byte order, SQLite's BINARY collation)."""

    def __init__(self) -> None:
        self._ids: defaultdict[str, list[int]] = defaultdict(list)
        self._last = None

    def add(self, firm_id: int, name: str) -> None:
        if self._last is not None and firm_id <= self._last:
            raise ValueError("firms must be added in ascending id order")
        self._last = firm_id
        ids = self._ids
        for gram in name_grams(name):
            ids[gram].append(firm_id)

    def pairs(self) -> Iterator[tuple[str, int]]:
        for gram in sorted(self._ids):
            for firm_id in self._ids[gram]:
                yield gram, firm_id

    def insert(self, connection) -> None:
        ids = self._ids
        insert_groups(connection, FirmNameGram.__table__, ("gram", "firm_id"), ((g, ids[g]) for g in sorted(ids)))
        ids.clear()


def replace_name_grams(connection, renamed: Iterable[tuple[int, str | None, str]]) -> None:
    """Re-index renamed firms: (firm_id, old_name, new_name); deletes by primary key, never a scan."""
    stale, fresh = [], []
    for firm_id, old, new in renamed:
        before, after = name_grams(old or ""), name_grams(new)
        stale += [(gram, firm_id) for gram in before - after]
        fresh += [(gram, firm_id) for gram in after - before]
    for start in range(0, len(stale), 500):
        connection.execute(
            delete(FirmNameGram).where(
                tuple_(FirmNameGram.gram, FirmNameGram.firm_id).in_(stale[start : start + 500])
            )
        )
    _insert_sorted(connection, fresh)


def rebuild_all(connection) -> int:
    connection.execute(delete(FirmNameGram))
    firms = connection.execute(select(Firm.id, Firm.name)).all()
    add_name_grams(connection, firms)
    return len(firms)


def name_filter(query: str):
    """A WHERE clause for Firm: has every indexed piece of the query (LIKE still checks the order), or
    None when the query has no indexed piece (only legal-form words)."""
    grams = name_grams(query)
    if not grams:
        return None
    matching = (
        select(FirmNameGram.firm_id)
        .where(FirmNameGram.gram.in_(grams))
        .group_by(FirmNameGram.firm_id)
        .having(func.count(FirmNameGram.gram) == len(grams))
    )
    return Firm.id.in_(matching)


# A gram on at least this many firms is "common": reading its firm ids costs more than walking the roster
# in its own order until a page is full.
COMMON = 1_000


def gram_counts(session: Session, grams: Iterable[str], cap: int = COMMON) -> dict[str, int]:
    """How many firms have each gram, counted up to cap (an index range scan of at most cap entries each),
    in one statement."""
    grams = sorted(grams)
    counts = [
        select(func.count()).select_from(
            select(FirmNameGram.firm_id).where(FirmNameGram.gram == gram).limit(cap).subquery()
        ).scalar_subquery()
        for gram in grams
    ]
    return dict(zip(grams, session.execute(select(*counts)).one(), strict=True))


# Pieces seen on COMMON firms or more are taken as common for a while without counting them again (科技 on
# every page of a busy roster). Only "common" is remembered: it changes slowly and either plan is correct
# for any piece; a rare or absent piece is counted on every search, so a firm is found as soon as it is
# written (an absent piece answers "none" at once).
COMMON_FOR = 600.0
_common_seen: dict[tuple[str, int], float] = {}


@lru_cache(maxsize=4096)
def probe(gram: str):
    """Does the firm have this piece: one primary-key probe (built once per piece; clauses are immutable)."""
    return exists().where(FirmNameGram.gram == gram, FirmNameGram.firm_id == Firm.id)


@dataclass(frozen=True)
class NamePlan:
    """How a page of the roster narrows to a name: `driven` always answers (alone, it is the whole plan);
    `walk`, when set, is tried first on a window of the roster in its own order (see roster_page). The
    driven clause is built only when asked for: a page found by the walk never needs it, and building it
    cost a quarter of the page's query."""

    build_driven: Callable[[], object]
    walk: object | None = None

    @property
    def driven(self):
        return self.build_driven()


def name_plan(session: Session, query: str) -> NamePlan | None:
    """Plan a name search for a page in filing-number order; None when the query has no indexed piece.

    The plain filter (name_filter) reads the firm ids of every piece and groups them: for a piece most
    firms carry (科技, 沈阳) that is every firm, grouped and sorted again on every page — 80 ms with 100,000
    firms. So the pieces are counted first, up to COMMON each (one statement of index range scans). A piece
    no firm has answers at once. When one piece is rare, its few firms are the candidates and each other
    piece is one primary-key probe per candidate. When every piece is common, the page is first sought in
    the next few thousand firms of the roster (one probe per piece per firm): a page of a common word is
    full long before; a rare combination of common pieces (第50000) is not, and then the plain filter runs."""
    grams = name_grams(query)
    if not grams:
        return None
    now = time.monotonic()
    known = {g for g in grams if now - _common_seen.get((g, COMMON), -COMMON_FOR) < COMMON_FOR}
    counts = dict.fromkeys(known, COMMON)
    if grams - known:
        counts.update(gram_counts(session, grams - known))
        _common_seen.update({(g, COMMON): now for g in grams - known if counts[g] >= COMMON})
    rarest = min(grams, key=lambda g: (counts[g], g))
    if counts[rarest] == 0:
        return NamePlan(false)

    if counts[rarest] < COMMON:
        candidates = select(FirmNameGram.firm_id).where(FirmNameGram.gram == rarest)
        return NamePlan(lambda: and_(Firm.id.in_(candidates), *(probe(g) for g in sorted(grams - {rarest}))))
    return NamePlan(lambda: name_filter(query), walk=and_(*(probe(g) for g in sorted(grams))))


@event.listens_for(Session, "after_flush")
def _reindex_after_flush(session: Session, flush_context) -> None:
    from sqlalchemy import inspect

    added, renamed = [], []
    for obj in session.new:
        if isinstance(obj, Firm) and obj.id is not None:
            added.append((obj.id, obj.name))
    for obj in session.dirty:
        if isinstance(obj, Firm) and obj.id is not None:
            history = inspect(obj).attrs.name.history
            if history.added or history.deleted:
                old = history.deleted[0] if history.deleted else None
                renamed.append((obj.id, old, obj.name))
    deleted = [obj.id for obj in session.deleted if isinstance(obj, Firm) and obj.id is not None]
    connection = session.connection() if added or renamed or deleted else None
    if deleted:
        connection.execute(delete(FirmNameGram).where(FirmNameGram.firm_id.in_(deleted)))
    if added:
        add_name_grams(connection, added)
    if renamed:
        replace_name_grams(connection, renamed)

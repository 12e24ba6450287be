"""The firm-name bigram index behind the roster's name search.

A substring search (LIKE '%x%') cannot use a B-tree index, so with 100,000 firms a name that matches
nothing would read every row. Instead every two-character piece of each normalised name is stored in
firm_name_gram (primary key gram, firm_id); a search for "安防科技" asks for the firms that have all of
安防, 防科 and 科技 — index range scans — and LIKE then confirms the order. It works alike on SQLite and
PostgreSQL (pg_trgm would need three characters, and most Chinese searches are two or three).

Every ORM write of a firm's name refreshes the index through the after_flush hook below; bulk writers that
bypass the ORM (the Excel import) call refresh_name_grams themselves; `flask roster reindex` rebuilds it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from app.models.firm import Firm, FirmNameGram

CHUNK = 5000


def normalise_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").lower().split())


def name_grams(name: str) -> set[str]:
    text = normalise_name(name)
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def refresh_name_grams(connection, firm_ids: Iterable[int]) -> None:
    """Rebuild the grams of these firms from their current names (a Core connection or a Session)."""
    ids = list(firm_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        connection.execute(delete(FirmNameGram).where(FirmNameGram.firm_id.in_(chunk)))
        names = connection.execute(select(Firm.id, Firm.name).where(Firm.id.in_(chunk))).all()
        rows = [{"firm_id": firm_id, "gram": gram} for firm_id, name in names for gram in name_grams(name)]
        if rows:
            connection.execute(insert(FirmNameGram), rows)


def rebuild_all(connection) -> int:
    connection.execute(delete(FirmNameGram))
    ids = connection.execute(select(Firm.id)).scalars().all()
    refresh_name_grams(connection, ids)
    return len(ids)


def name_filter(query: str):
    """A WHERE clause for Firm: has every gram of the query (LIKE still checks the order)."""
    grams = name_grams(query)
    matching = (
        select(FirmNameGram.firm_id)
        .where(FirmNameGram.gram.in_(grams))
        .group_by(FirmNameGram.firm_id)
        .having(func.count(FirmNameGram.gram) == len(grams))
    )
    return Firm.id.in_(matching)


@event.listens_for(Session, "after_flush")
def _refresh_after_flush(session: Session, flush_context) -> None:
    changed = [
        obj.id
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Firm) and obj.id is not None and _name_changed(obj)
    ]
    if changed:
        refresh_name_grams(session.connection(), changed)


def _name_changed(firm: Firm) -> bool:
    from sqlalchemy import inspect

    history = inspect(firm).attrs.name.history
    return bool(history.added or history.deleted)

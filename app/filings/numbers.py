"""Filing numbers: sequential per authority and year, no gaps and no duplicates, even under load.

The counter row is created if missing (INSERT .. ON CONFLICT DO NOTHING) and incremented with one
UPDATE .. RETURNING inside the approval's own transaction. On PostgreSQL the UPDATE holds the row lock
until that transaction commits, so a concurrent approval waits for it and reads the committed value; a
rolled-back approval rolls its increment back with it, so no number is skipped. SQLite serialises writers
anyway. The unique constraint on firm.filing_number is the last line of defence.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import FilingNumberCounter


def next_sequence(authority_code: str, year: int) -> int:
    """Take the next number of `authority_code` in `year`; the caller's commit makes it final."""
    session = db.session
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(FilingNumberCounter)
        .values(authority_code=authority_code, year=year, last_seq=0)
        .on_conflict_do_nothing(index_elements=["authority_code", "year"])
    )
    table = FilingNumberCounter.__table__
    return session.execute(
        update(table)
        .where(table.c.authority_code == authority_code, table.c.year == year)
        .values(last_seq=table.c.last_seq + 1)
        .returning(table.c.last_seq)
    ).scalar_one()

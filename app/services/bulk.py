"""Bulk inserts straight through the driver's executemany.

SQLAlchemy's executemany builds and processes a parameter dict per row (about 3 µs each); for the
million-odd rows of a 100,000-firm import (firms, business types, name pieces) that is seconds of pure
Python. Here rows are plain tuples in column order and the statement is written once in the driver's
own parameter style; the caller's connection and transaction are used, so it commits or rolls back with
everything else. Values must already be what the driver accepts (str, int, bool, date, datetime, None).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table

CHUNK = 20_000
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_rows(connection, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    dialect = connection.dialect
    marker = _MARKERS.get(dialect.paramstyle)
    if marker is None:  # pragma: no cover - named/numeric styles: let SQLAlchemy bind them
        keys = list(columns)
        for start in range(0, len(rows), CHUNK):
            connection.execute(table.insert(), [dict(zip(keys, r, strict=True)) for r in rows[start:start + CHUNK]])
        return
    quote = dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
           f"VALUES ({', '.join([marker] * len(columns))})")
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, list(rows[start:start + CHUNK]))

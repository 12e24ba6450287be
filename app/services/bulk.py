"""Bulk inserts straight through the driver's executemany.

SQLAlchemy's executemany builds and processes a parameter dict per row (about 3 µs each); for the
million-odd rows of a 100,000-firm import (firms, business types, name pieces) that is seconds of pure
Python. Here rows are plain tuples in column order and the statement is written once in the driver's
own parameter style; the caller's connection and transaction are used, so it commits or rolls back with
everything else. Values must already be what the driver accepts (str, int, bool, date, datetime, None).

On PostgreSQL the rows go through COPY FROM STDIN (psycopg 3's copy.write_row, which adapts and escapes
each value in C) instead: executemany there is a round of protocol messages per row, and a 100,000-firm
import with its business types and 1.4 million name pieces took 15 s to write that COPY writes in a few.
COPY runs on the same connection inside the same transaction, so nothing changes for the caller.

insert_groups writes the two-column tables of many rows per key (a name piece and its firms, a business
type and its firms). On SQLite each key is one statement that expands a JSON array of ids in SQL
(json_each), so the rows never pass through Python's parameter binding one by one: the 1.4 million name
pieces of 100,000 firms went in in 0.5 s instead of 1.7-1.9 s, the 200,000 business types in 0.18 s
instead of 0.4 s (benchmarks/bench_import_export.py's data, measured alone).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

CHUNK = 20_000
_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def insert_rows(connection, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        _copy_rows(connection, table, columns, rows)
        return
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


# json_each is built into SQLite from 3.38 (before that only where it was compiled in).
_SQLITE_JSON = sqlite3.sqlite_version_info >= (3, 38)


def insert_groups(connection, table: Table, columns: tuple[str, str],
                  groups: Iterable[tuple[object, Sequence[int] | str]], *, offset: int = 0) -> None:
    """Insert the rows (key, offset + id) for each (key, ids) of ``groups``, in that order: columns are the
    key's column and the id's. Ids must be ints (they travel as JSON numbers on SQLite); on SQLite they may
    also come as the JSON array itself (json_ids), built elsewhere (roster_import builds them in a worker
    process while the firms are written)."""
    dialect = connection.dialect
    if groups_as_json(dialect):
        quote = dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {quote(table.name)} ({quote(columns[0])}, {quote(columns[1])}) "
               "SELECT ?, value + ? FROM json_each(?)")
        params = [(key, offset, ids if isinstance(ids, str) else json_ids(ids)) for key, ids in groups if len(ids)]
        if params:
            connection.exec_driver_sql(sql, params)
        return
    pairs = _pairs(groups, offset)
    while batch := list(islice(pairs, CHUNK)):
        insert_rows(connection, table, columns, batch)


def groups_as_json(dialect) -> bool:
    """Whether insert_groups sends each group's ids as one JSON array on this database (json_ids)."""
    return dialect.name == "sqlite" and _SQLITE_JSON


def json_ids(ids: Sequence[int]) -> str:
    return f"[{','.join(map(str, ids))}]"


def _pairs(groups: Iterable[tuple[object, Sequence[int]]], offset: int) -> Iterator[tuple[object, int]]:
    for key, ids in groups:
        for one in ids:
            yield key, offset + one


def _copy_rows(connection, table: Table, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = connection.connection.dbapi_connection
    dbapi = connection.dialect.loaded_dbapi
    try:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
    except dbapi.Error as exc:
        # COPY bypasses SQLAlchemy's execution, so wrap the driver's error the way SQLAlchemy would have
        # (a duplicate key is an sqlalchemy.exc.IntegrityError for the callers, whichever way it was written).
        raise DBAPIError.instance(sql, None, exc, dbapi.Error) from exc

"""The roster list's results (table rows, pager), rendered once per data version and kept in a small LRU.

The public roster is read far more than it changes; most requests repeat one whose data has not changed
(the first page, a common name). The results part of /roster, what is computed from the query (the page's
rows as HTML and its pager links), is cached; the page's chrome (header with the logged-in user, CSRF
tokens, the search form) is rendered per request as before.

Key: (data version, today's Beijing date, locale and language switch, jurisdiction, script root, the
normalised filters, the page cursor, page size). The data version is the head of the audit trail, its id
and hash (app/audit.py): every change the roster shows is recorded there in the transaction that makes it
(filing approval, change and cancellation through the workflow listener; imports; warning notices through
the warning workflow; demo loading; restore; `flask roster reindex`), so a committed change and its new
version become visible together. The head's hash, not only its id, names the whole chain: after a restore
an id may be reused by a different entry, never a hash. The version is read before the data, so an entry
is never older than its key (at worst newer: the next request sees a new version and recomputes).

The public entry a certificate's QR code opens (/roster/<credit code>) has its result part (its title and
the verdict with the firm's facts, or that there is no such entry) cached the same way under the same kind
of key with the normalised code in place of the filters, in an LRU of its own so that QR scans of many
firms never push the list's pages out.

Per process, bounded (ROSTER_CACHE_SIZE entries each, 0 disables them): correctness comes from the version in the
key, so several workers or servers each keep their own without coordination.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from flask import current_app
from sqlalchemy import make_url

from app.extensions import db
from app.models.audit import AuditEntry

DEFAULT_SIZE = 256
HEAD_BIND = "roster_head"  # the head reader's engine on PostgreSQL (head_reader_bind)
T = TypeVar("T")
# The head of the audit trail as plain SQL: fixed text, no parameters, the same in SQLite and PostgreSQL.
# Through a DB-API cursor it takes ~0.02 ms, through SQLAlchemy Core's connection, compiled-statement cache
# and result ~0.08 ms; it runs on every roster page and entry served.
_AUDIT = AuditEntry.__table__
_HEAD_SQL = f"SELECT {_AUDIT.c.id.name}, {_AUDIT.c.hash.name} FROM {_AUDIT.name} ORDER BY {_AUDIT.c.id.name} DESC LIMIT 1"


class LRU:
    """A bounded least-recently-used map, safe across threads.

    Hand-written (a dozen lines over OrderedDict) because cachetools is not among the locked requirements
    and functools.lru_cache cannot take a key computed apart from the call nor be sized per app."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


LIST = "jifang.roster_cache"
ENTRY = "jifang.roster_entry_cache"


def results_cache(name: str = LIST) -> LRU | None:
    """This app's cache of that name in this process (None: disabled with ROSTER_CACHE_SIZE = 0)."""
    app = current_app
    found = app.extensions.get(name)
    size = int(app.config.get("ROSTER_CACHE_SIZE", DEFAULT_SIZE) or 0)
    if found is None or found.size != size:
        found = app.extensions[name] = LRU(size)
    return found if size > 0 else None


def data_version(session) -> tuple[int, str] | None:
    """The audit trail's head (id, hash): changes with every recorded change; None before the first one."""
    registry = getattr(session, "registry", None)  # a scoped session (db.session): the request's own
    if registry is not None and not registry.has():  # no ORM session yet: none is made for this query
        idle, bind = True, db.engine
    else:
        session = registry() if registry is not None else session
        idle, bind = not session.in_transaction(), session.get_bind()
    if idle:  # the pool's driver connection: an ORM session's transaction and teardown cost more than it
        row = _read_head(bind)
    else:  # this request has read or written already: the version in the same view of the data
        row = session.connection().exec_driver_sql(_HEAD_SQL).first()
    return (row[0], row[1]) if row is not None else None


def head_reader_bind(config: Mapping) -> dict | None:
    """On PostgreSQL, the engine options of the head reader (a Flask-SQLAlchemy bind, HEAD_BIND), else None.

    Every roster page and entry served reads the head. Through the application's pool that is three round
    trips to the server: the pool's pre-ping on checkout, then psycopg's BEGIN and the statement (and a
    ROLLBACK when the connection goes back). The reader's own small pool of autocommit connections is not
    pre-pinged: one round trip. A connection the server dropped (a restart) fails that statement, is
    discarded, and the head is read through the application's pool, which pings (_read_head)."""
    url = config.get("SQLALCHEMY_DATABASE_URI")
    if not url or make_url(url).get_backend_name() != "postgresql":
        return None
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    return {**options, "url": url, "pool_pre_ping": False, "isolation_level": "AUTOCOMMIT", "pool_size": 2,
            "max_overflow": 8}


def _read_head(engine) -> tuple | None:
    """The head through a driver connection: the head reader's where there is one (head_reader_bind), else
    the application pool's."""
    reader = db.engines.get(HEAD_BIND)
    if reader is not None:
        connection = reader.raw_connection()
        try:
            return _fetch_head(connection)
        except reader.dialect.loaded_dbapi.OperationalError:
            connection.invalidate()  # dropped by the server: read below through the pool that pings
        finally:
            connection.close()
    return _read_head_pooled(engine)


def _read_head_pooled(engine) -> tuple | None:
    """The head through the application pool's driver connection. On PostgreSQL the one statement runs in
    autocommit: psycopg would otherwise send BEGIN before it and the pool ROLLBACK on its return, two more
    round trips (the flag is psycopg's own, set and restored without a round trip, and restored before the
    connection goes back). SQLite opens no transaction for a SELECT."""
    connection = engine.raw_connection()
    try:
        driver = connection.driver_connection
        autocommit = engine.dialect.name == "postgresql" and not driver.autocommit
        if autocommit:
            driver.autocommit = True
        try:
            row = _fetch_head(connection)
        finally:
            if autocommit:
                driver.autocommit = False
    finally:
        connection.close()  # back to the pool
    return row


def _fetch_head(connection) -> tuple | None:
    cursor = connection.cursor()
    try:
        cursor.execute(_HEAD_SQL)
        return cursor.fetchone()
    finally:
        cursor.close()


def cached(session, key: tuple, compute: Callable[[], T], name: str = LIST) -> T:
    """compute()'s result (never None) for key under the current data version: from the cache named, or
    computed and kept. The version is read first, then compute() reads the data."""
    cache = results_cache(name)
    if cache is None:
        return compute()
    full_key = (data_version(session), *key)
    found = cache.get(full_key)
    if found is None:
        found = compute()
        cache.put(full_key, found)
    return found

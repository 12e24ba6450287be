"""Shared column helpers."""

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC, called per row (never once at import): stored alike on SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)

"""Validating a large roster on two cores: a forked child validates the rows after a split point while this
process validates the rows before it.

The child is forked once the sheet has been read (calamine's values are in memory, shared copy-on-write)
and the header found. It advances its own copy of the row iterator past the parent's part, validates the
rest with its own copy of the validator, and sends back the clean rows column by column (each text column
as one joined string, split again here in C: unpickling 50,000 row dicts cost half as much as validating
them) with the errors and the credit codes and filing numbers it saw.

The result is the same as validating every row here, in order: a row's checks depend on the rows before
it only through the first row of each credit code and filing number (the other state is caches of pure
functions), so the child's part is used only when none of its codes or numbers occurs in the parent's
part. Otherwise — and whenever the child fails, reads the sheet differently, or cannot be forked — this
process simply validates the rest itself from where it stopped.

Forking only where it is safe and worth it (as app/transfer/roster_import._NewFirmGroups): a platform with
fork, a process with a single thread (never the web app's import thread: another thread may hold a lock the
child would inherit), two cores or more, no progress callback, and at least SPLIT_FROM rows.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Iterator
from itertools import islice

from imports.filing_rows import FilingRowValidator, ValidationResult
from imports.headers import HeaderMap
from imports.workbook import Cell

SPLIT_FROM = 20_000
"""Rows below which the fork costs more than it saves."""
PARENT_SHARE = 0.6
"""The parent's share of the rows: the child also steps past the parent's rows and packs its own, and the
parent unpacks them (about 60/40 balanced best on 100,000 rows)."""
_SEP = "\x00"


class SplitStats:
    """How the last split validation went, for tests: "child" when the child's rows were used."""

    last: str | None = None


def can_split(rows: int | None) -> bool:
    return (rows is not None and rows >= SPLIT_FROM and hasattr(os, "fork") and threading.active_count() == 1
            and (os.cpu_count() or 1) >= 2)


def validate_split(validator: FilingRowValidator, rows: Iterator[tuple[int, list[Cell]]], header: HeaderMap,
                   expected: int | None) -> ValidationResult:
    """``validator.validate_rows(rows, header)``, on two processes when ``can_split(expected)`` (``expected``:
    about how many rows ``rows`` will yield)."""
    if not can_split(expected):
        SplitStats.last = "here"
        return validator.validate_rows(rows, header)
    mine = int(expected * PARENT_SHARE)
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # pragma: no cover - no process to be had
        os.close(read_fd)
        os.close(write_fd)
        SplitStats.last = "here"
        return validator.validate_rows(rows, header)
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(validator, rows, header, mine, write_fd)
    os.close(write_fd)
    reaped = False
    try:
        first = validator.validate_rows(islice(rows, mine), header)
        payload = _read_all(read_fd)
        _, status = os.waitpid(pid, 0)
        reaped = True
        rest = _unpack(payload, validator) if status == 0 and payload else None
        if rest is None:
            SplitStats.last = "fallback"
            rest = validator.validate_rows(rows, header)
        else:
            SplitStats.last = "child"
        return _joined(first, rest)
    finally:
        os.close(read_fd)
        if not reaped:  # this process failed first (an unusable sheet, an interrupt): the child is not needed
            try:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            except OSError:  # pragma: no cover
                pass


def _child(validator: FilingRowValidator, rows, header: HeaderMap, skip: int, write_fd: int) -> None:
    """Validate the rows after the parent's ``skip``, write the packed result to ``write_fd``, exit. Exits
    without Python's clean-up (os._exit): the inherited database connections and files are the parent's."""
    code = 1
    try:
        for _ in islice(rows, skip):  # the parent's rows, through the same checks of the sheet's rows
            pass
        result = validator.validate_rows(rows, header)
        data = _pack(result, validator)
        with os.fdopen(write_fd, "wb", closefd=True) as out:
            out.write(data)
        code = 0
    except BaseException:  # noqa: BLE001 - any failure: the parent validates these rows itself
        code = 1
    finally:
        os._exit(code)


def _pack(result: ValidationResult, validator: FilingRowValidator) -> bytes:
    """The child's result: each column of text as one string joined by NUL (None kept apart), other
    columns (business type lists, dates) pickled as lists."""
    keys = list(result.rows[0]) if result.rows else []
    columns = []
    for key in keys:
        values = [row[key] for row in result.rows]
        columns.append(_pack_column(values))
    return pickle.dumps((keys, columns, result.source_rows, result.errors, result.refused_rows, result.total_rows,
                         validator._first_row_of_code, validator._first_row_of_number),
                        protocol=pickle.HIGHEST_PROTOCOL)


def _pack_column(values: list) -> tuple:
    nones = [i for i, v in enumerate(values) if v is None]
    texts = [v for v in values if v is not None] if nones else values
    if all(v.__class__ is str for v in texts):
        joined = _SEP.join(texts)
        if joined.count(_SEP) == max(len(texts) - 1, 0):  # no text holds the separator itself
            return ("text", joined, len(texts), nones)
    return ("list", values)


def _unpack_column(packed: tuple) -> list:
    if packed[0] == "list":
        return packed[1]
    _, joined, count, nones = packed
    values: list = joined.split(_SEP) if count else []
    if not nones:
        return values
    absent, texts = set(nones), iter(values)
    return [None if at in absent else next(texts) for at in range(len(values) + len(nones))]


def _unpack(payload: bytes, validator: FilingRowValidator) -> ValidationResult | None:
    """The child's result as a ValidationResult, or None when one of its credit codes or filing numbers
    also occurs in this process's part (then its duplicate checks would have read otherwise)."""
    keys, columns, sources, errors, refused, total, codes, numbers = pickle.loads(payload)
    if not validator._first_row_of_code.keys().isdisjoint(codes) \
            or not validator._first_row_of_number.keys().isdisjoint(numbers):
        return None
    validator._first_row_of_code.update(codes)
    validator._first_row_of_number.update(numbers)
    values = [_unpack_column(c) for c in columns]
    result = ValidationResult(source_rows=sources, errors=errors, refused_rows=refused, total_rows=total)
    result.rows = [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)] if keys else []
    if len(result.rows) != len(sources):  # pragma: no cover - a packing fault: do not trust it
        return None
    return result


def _joined(first: ValidationResult, rest: ValidationResult) -> ValidationResult:
    first.rows += rest.rows
    first.source_rows += rest.source_rows
    first.errors += rest.errors
    first.refused_rows |= rest.refused_rows
    first.total_rows += rest.total_rows
    return first


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)

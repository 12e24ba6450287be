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
import select
import signal
import struct
import threading
import time
from collections.abc import Iterator
from itertools import islice, repeat

from imports.filing_rows import FilingRowValidator, ValidationResult
from imports.headers import HeaderMap
from imports.workbook import Cell

SPLIT_FROM = 20_000
"""Rows below which the fork costs more than it saves."""
PARENT_SHARE = 0.6
"""The parent's share of the rows: the child also steps past the parent's rows and packs its own, and the
parent unpacks them (about 60/40 balanced best on 100,000 rows)."""
PROGRESS_EVERY = 2000
"""Rows between the child's reports of its pace."""
PACK_SHARE = 0.4
"""Packing the child's rows costs about this share of validating them (measured: 0.22 s for 44,000 rows
validated in 0.55 s); unpacking them here about UNPACK_SHARE."""
UNPACK_SHARE = 0.35
WAIT: bool | None = None
"""Tests: True waits for the child whatever its pace, False never does; None decides by its pace."""
_SEP = "\x00"


class SplitStats:
    """How the last split validation went, for tests: "child" when the child's rows were used, "fallback"
    when they could not be, "not waited" when this process did not wait for them, "here" without a child."""

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
    tick_read, tick_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # pragma: no cover - no process to be had
        for fd in (read_fd, write_fd, tick_read, tick_write):
            os.close(fd)
        SplitStats.last = "here"
        return validator.validate_rows(rows, header)
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        os.close(tick_read)
        _child(validator, rows, header, mine, write_fd, tick_write)
    os.close(write_fd)
    os.close(tick_write)
    reaped = False
    try:
        started = time.monotonic()
        first = validator.validate_rows(islice(rows, mine), header)
        per_row = (time.monotonic() - started) / max(mine, 1)
        payload = _await_child(read_fd, tick_read, max(expected - mine, 0), per_row)
        if payload is None:  # the child would finish later than this process alone: not needed
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        reaped = True
        rest = _unpack(payload, validator) if status == 0 and payload else None
        if rest is None:
            SplitStats.last = "fallback" if payload else "not waited"
            rest = validator.validate_rows(rows, header)
        else:
            SplitStats.last = "child"
        return first.extend(rest)
    finally:
        os.close(read_fd)
        os.close(tick_read)
        if not reaped:  # this process failed first (an unusable sheet, an interrupt): the child is not needed
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:  # pragma: no cover
                pass


def _await_child(read_fd: int, tick_fd: int, rows: int, per_row: float) -> bytes | None:
    """The child's packed result, or None when waiting for it would cost more than validating its ``rows``
    here (at this process's own pace, ``per_row`` seconds).

    The child runs at the lowest priority, so that where the other core is busy (another program) it
    takes no time from this process; it then falls behind, and this process does the rest itself. It
    reports each PROGRESS_EVERY rows it has validated, with the time (one monotonic clock for all
    processes): this process waits while the child's pace says it will finish and pack sooner than this
    process could validate the rows and save unpacking them (UNPACK_SHARE of validating them)."""
    if WAIT is not None:
        return _read_all(read_fd) if WAIT else None
    os.set_blocking(tick_fd, False)
    ticks = b""
    here = rows * per_row * (1 - UNPACK_SHARE)
    while True:
        ready, _, _ = select.select([read_fd], [], [], 0)
        if ready:  # the child writes only once it has finished
            return _read_all(read_fd)
        try:
            while chunk := os.read(tick_fd, 65536):
                ticks += chunk
        except BlockingIOError:
            pass
        times = struct.unpack(f"{len(ticks) // 8}d", ticks[:len(ticks) - len(ticks) % 8])
        if len(times) < 2:  # not yet validating its rows at a measurable pace: it has had no core
            return None
        pace = (times[-1] - times[0]) / ((len(times) - 1) * PROGRESS_EVERY)  # seconds a row
        left = max(rows - len(times) * PROGRESS_EVERY, 0) * pace + rows * pace * PACK_SHARE
        if left >= here:
            return None
        select.select([read_fd], [], [], min(left, 0.05))


def _ticking(rows: Iterator, tick_fd: int) -> Iterator:
    """The rows, with the time written to ``tick_fd`` after each PROGRESS_EVERY of them."""
    now, pack = time.monotonic, struct.pack
    for n, row in enumerate(rows, start=1):
        yield row
        if n % PROGRESS_EVERY == 0:
            try:
                os.write(tick_fd, pack("d", now()))
            except BlockingIOError:  # pragma: no cover - the pipe is full: the parent has stopped reading
                pass


def _child(validator: FilingRowValidator, rows, header: HeaderMap, skip: int, write_fd: int,
           tick_fd: int) -> None:
    """Validate the rows after the parent's ``skip``, write the packed result to ``write_fd``, exit. Exits
    without Python's clean-up (os._exit): the inherited database connections and files are the parent's."""
    code = 1
    try:
        os.nice(19)
        for _ in islice(rows, skip):  # the parent's rows, through the same checks of the sheet's rows
            pass
        result = validator.validate_rows(_ticking(rows, tick_fd), header)
        os.close(tick_fd)
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
        columns.append(pack_column(values))
    return pickle.dumps((keys, columns, result.source_rows, result.errors, result.refused_rows, result.total_rows,
                         validator._first_row_of_code, validator._first_row_of_number),
                        protocol=pickle.HIGHEST_PROTOCOL)


def pack_column(values: list) -> tuple:
    """A column of texts (None among them) as one joined string, else as the list itself. The scan for None
    and the join run in C (checking each value's class in a generator first cost as much as the rest of
    the packing); a str subclass comes back as str."""
    if None in values:
        nones = [i for i, v in enumerate(values) if v is None]
        texts = [v for v in values if v is not None]
    else:
        nones, texts = [], values
    try:
        joined = _SEP.join(texts)  # TypeError unless every value is a str
    except TypeError:
        return ("list", values)
    if joined.count(_SEP) == max(len(texts) - 1, 0):  # no text holds the separator itself
        return ("text", joined, len(texts), nones)
    return ("list", values)


def unpack_column(packed: tuple) -> list:
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
    values = [unpack_column(c) for c in columns]
    result = ValidationResult(source_rows=sources, errors=errors, refused_rows=refused, total_rows=total)
    if any(len(column) != len(sources) for column in values):  # pragma: no cover - a packing fault
        return None
    # dict(zip(keys, row)) for each row, the loops in C: a third faster than the comprehension
    result.rows = list(map(dict, map(zip, repeat(keys), zip(*values, strict=True)))) if keys else []
    return result


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)

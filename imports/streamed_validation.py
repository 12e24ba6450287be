"""Reading and validating a large .xlsx roster in a forked child while this process checks the file and
writes what the child has validated so far.

The import's steps, one after another, are: the checks of the file (imports/workbook.check_xlsx), calamine's
reading, validation, and the database writes. On two cores the last three can overlap, and the checks with
calamine's reading: the child reads the sheet with calamine at once, finds the header and validates the rows
CHUNK_ROWS at a time, sending each chunk's clean rows (packed by column as imports/split_validation.py
does). Meanwhile this process checks the file; then it takes the chunks as they come and writes them.

Why calamine may start before the checks pass: the checks exist so that a hostile file (a zip bomb, a sheet
spanning millions of cells, one huge shared string in every cell) never makes calamine allocate without
bound in the application's process. Here calamine runs in a child whose address space is capped
(CHILD_MEMORY above what it inherited, RLIMIT_AS), and the child is killed as soon as the checks refuse the
file; the caller then raises the checks' own error. Nothing the child reads is used before the checks
pass. A child that fails (a file the checks pass but calamine refuses, the cap reached, a missing header)
makes ``chunks()`` raise StreamFailed, and the caller reads the file the ordinary way, which raises the
proper error or succeeds.

The child validates every row in order with its own copy of the caller's validator, so a repeated credit
code or filing number is found exactly as when one process validates the whole sheet.

Streaming is used only where forking is safe and worth it (as imports/split_validation.py): a platform with
fork and /proc, a single-threaded process, two cores, an .xlsx of at least STREAM_FROM_BYTES.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import struct
import threading
from collections.abc import Callable, Iterator
from itertools import islice, repeat

from imports import split_validation
from imports.filing_rows import FilingRowValidator, ValidationResult
from imports.headers import HeaderMap, HeaderMatcher
from imports.workbook import MAX_FILE_BYTES, check_xlsx, is_xlsx, read_checked_xlsx

STREAM_FROM_BYTES = 1_000_000
"""An .xlsx roster of this size holds about 10,000 rows; below it the fork costs more than it saves."""
CHUNK_ROWS = 2000
"""Sheet rows per chunk: small enough that writing starts soon, large enough that each write is a batch."""
CHILD_MEMORY = 2 * 1024 ** 3
"""The child's address space above what it inherited. A file the checks pass needs far less: at most
MAX_CELLS cells of 32 bytes in calamine and MAX_TEXT_BYTES of text, held one chunk at a time in Python."""
_LENGTH = struct.Struct("q")


class StreamFailed(Exception):
    """The child could not deliver the sheet's rows; the caller reads the file the ordinary way."""


def can_stream(path: str | os.PathLike, filename: str | None = None) -> bool:
    try:
        size = os.path.getsize(path)
    except OSError:
        return False
    return (STREAM_FROM_BYTES <= size <= MAX_FILE_BYTES and hasattr(os, "fork") and os.path.exists("/proc/self/statm")
            and threading.active_count() == 1 and (os.cpu_count() or 1) >= 2 and is_xlsx(path, filename))


class StreamedValidation:
    """``with StreamedValidation(path, validator) as stream``: forks the child on entry and always reaps it
    on exit. Then ``stream.check()`` (raises UnusableWorkbook), and ``for result, prepared in
    stream.chunks()``; ``stream.header`` and ``stream.height`` are known once the first chunk has come.

    With ``prepare``, the child sends ``prepare(clean rows, header)`` (what the caller will write, made on
    the child's core) instead of the clean rows, and of these only the first ``keep_rows``: then a chunk's
    ``result.rows`` holds those, and ``result.source_rows`` still one sheet row per clean row."""

    def __init__(self, path: str | os.PathLike, validator: FilingRowValidator,
                 prepare: Callable[[list[dict], HeaderMap], object] | None = None, keep_rows: int = 0):
        self._path = os.fspath(path)
        self._validator = validator
        self._prepare = prepare
        self._keep_rows = keep_rows
        self._pid: int | None = None
        self._pipe = None
        self.header: HeaderMap | None = None
        self.height: int | None = None
        self._sheet_name: str | None = None

    def __enter__(self) -> StreamedValidation:
        read_fd, write_fd = os.pipe()
        _widen_pipe(write_fd)
        try:
            pid = os.fork()
        except OSError as exc:  # pragma: no cover - no process to be had
            os.close(read_fd)
            os.close(write_fd)
            raise StreamFailed() from exc
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            _child(self._path, self._validator, self._prepare, self._keep_rows, write_fd)
        os.close(write_fd)
        self._pid = pid
        self._pipe = os.fdopen(read_fd, "rb")
        return self

    def __exit__(self, *exc_info) -> None:
        self._pipe.close()
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:  # pragma: no cover - already gone
                pass
            os.waitpid(self._pid, 0)
            self._pid = None

    def check(self) -> None:
        """The file's checks, here, while the child reads it; the child is killed when they fail."""
        try:
            name, _ = check_xlsx(self._path)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        self._sheet_name = name

    def chunks(self) -> Iterator[tuple[ValidationResult, object]]:
        """The child's chunks in sheet order, each (its clean rows and errors, what ``prepare`` made of the
        rows or None); raises StreamFailed."""
        kind, *payload = self._receive()
        if kind != "header":
            raise StreamFailed(payload)
        sheet_name, self.header, self.height = payload
        if sheet_name != self._sheet_name:  # calamine chose another sheet than the checks: do not guess
            raise StreamFailed("sheet")
        while True:
            kind, *payload = self._receive()
            if kind == "end":
                return
            if kind != "chunk":
                raise StreamFailed(payload)
            packed, prepared = payload
            yield _unpack(packed), prepared

    def _receive(self) -> tuple:
        head = self._pipe.read(_LENGTH.size)
        if len(head) < _LENGTH.size:  # the child died (its cap, a crash)
            raise StreamFailed("ended")
        (size,) = _LENGTH.unpack(head)
        data = self._pipe.read(size)
        if len(data) < size:
            raise StreamFailed("cut")
        return pickle.loads(data)


PIPE_BYTES = 1024 * 1024
"""The pipe's buffer (Linux: F_SETPIPE_SZ, up to /proc/sys/fs/pipe-max-size, 1 MB by default): the child
goes on validating while a chunk or two waits for this process, instead of waiting on every write."""


def _widen_pipe(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):  # not Linux, or a lower limit: the default buffer works, with more waits
        pass


def _child(path: str, validator: FilingRowValidator, prepare, keep_rows: int, write_fd: int) -> None:
    """Read, validate and send; exit without Python's clean-up (os._exit): the inherited database
    connections and files are the parent's."""
    code = 1
    out = os.fdopen(write_fd, "wb")
    try:
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (size + CHILD_MEMORY, size + CHILD_MEMORY))
        sheet = read_checked_xlsx(path, None)
        header, rows = HeaderMatcher().find(sheet.rows())
        _send(out, ("header", sheet.sheet_name, header, sheet.height))
        while True:
            result = validator.validate_rows(islice(rows, CHUNK_ROWS), header)
            if not result.total_rows:
                rest = next(rows, None)  # a chunk of only empty rows is not the end unless the rows are
                if rest is None:
                    break
                rows = _chain_one(rest, rows)
                continue
            if prepare is None:
                _send(out, ("chunk", _pack(result), None))
            else:
                prepared = prepare(result.rows, header)
                result.rows = result.rows[:keep_rows]
                _send(out, ("chunk", _pack(result), prepared))
        _send(out, ("end",))
        code = 0
    except BaseException as exc:  # noqa: BLE001 - any failure: the parent reads the file itself
        try:
            _send(out, ("error", type(exc).__name__))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        try:
            out.close()
        finally:
            os._exit(code)


def _chain_one(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def _send(out, message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)))
    out.write(data)
    out.flush()


def _pack(result: ValidationResult) -> tuple:
    keys = list(result.rows[0]) if result.rows else []
    columns = [split_validation.pack_column([row[key] for row in result.rows]) for key in keys]
    return keys, columns, len(result.rows), result.source_rows, result.errors, result.refused_rows, result.total_rows


def _unpack(packed: tuple) -> ValidationResult:
    keys, columns, count, sources, errors, refused, total = packed
    values = [split_validation.unpack_column(c) for c in columns]
    result = ValidationResult(source_rows=sources, errors=errors, refused_rows=refused, total_rows=total)
    if any(len(column) != count for column in values):  # pragma: no cover - a packing fault
        raise StreamFailed("rows")
    # dict(zip(keys, row)) for each row, the loops in C: a third faster than the comprehension
    result.rows = list(map(dict, map(zip, repeat(keys), zip(*values, strict=True)))) if keys else []
    return result

"""Pausing the cyclic garbage collector while a large import builds its rows.

Validating 100,000 rows creates a few million objects (cell texts, a dict per row, the planned tuples).
Each allocation burst wakes the cycle collector, which walks every live container again; an import makes
no reference cycles worth collecting (reference counting frees its garbage), so those walks are pure cost
— about a tenth of the validation's time and more of the write plan's (benchmarks/bench_import_export.py).

The collector is a switch of the whole process, and the web app runs imports in a background thread, so
the pause is counted: nested or concurrent imports re-enable it only when the last one ends, and only if
it was on before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

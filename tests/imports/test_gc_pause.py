"""The import pauses the cycle collector (imports/gc_pause.py) and must always give it back: a web worker
left without it would grow with every request that makes a reference cycle."""

from __future__ import annotations

import gc
import threading

import pytest

from imports.gc_pause import paused_gc


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_collector_off_inside_and_back_on_after():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_resume_only_at_the_outermost_end():
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_after_an_exception():
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("bad row")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_overlapping_imports_in_two_threads_resume_when_the_last_ends():
    first_inside, release_first = threading.Event(), threading.Event()

    def first_import():
        with paused_gc():
            first_inside.set()
            release_first.wait(5)

    worker = threading.Thread(target=first_import)
    worker.start()
    first_inside.wait(5)
    with paused_gc():
        pass
    assert not gc.isenabled()  # the first import is still running
    release_first.set()
    worker.join(5)
    assert gc.isenabled()


def test_validation_runs_with_the_collector_paused_and_resumes_it(monkeypatch):
    from imports.filing_rows import FilingRowValidator
    from imports.headers import HeaderMatcher

    seen = []
    validator = FilingRowValidator({"沈阳市": "210100"}, {"安装": "install"}, __import__("datetime").date(2025, 1, 1))
    header, rows = HeaderMatcher().find(iter([
        (1, ["单位名称", "统一社会信用代码", "法定代表人", "所在市", "业务类型"]),
        (2, ["甲公司", "91210100MA0XY1234W", "张三", "沈阳市", "安装"]),
    ]))

    def watching(rows):
        for row in rows:
            seen.append(gc.isenabled())
            yield row

    validator.validate_rows(watching(rows), header)
    assert seen == [False]
    assert gc.isenabled()

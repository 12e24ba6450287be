"""Hostile workbooks through `flask import filings`, timed, beside the plain way on the same files.

    .venv/bin/python benchmarks/bench_hostile.py

Builds each file of tests/hostile_files.py, then runs, each in its own process:
  ours   `flask --app app import filings FILE` on a fresh SQLite database: exit code, the one line it
         printed, seconds and peak memory (VmHWM, interpreter and imports included);
  plain  pandas.read_excel(FILE) (openpyxl) under a 60 s timeout and a 4 GB address-space cap: what it
         made of the file, and how long it took to say so.

Target (issue 5): every hostile file refused with exit code 2 in under a few seconds; the million
formatted empty rows are not hostile once recognised (the real rows import, exit 0).
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

PLAIN_TIMEOUT = 60
PLAIN_MEMORY = 4 * 1024 ** 3
FAST_ENOUGH = 5.0  # seconds: "a few"
EXPECTED_EXIT = {"a million formatted empty rows": 0}  # every other file: 2


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(path: str, database: str) -> None:
    """The real command in this process; its peak memory is written to stderr as the process exits."""
    atexit.register(lambda: print(f"BENCH_PEAK {_peak_mb():.0f}", file=sys.stderr))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    from flask.cli import main

    sys.argv = ["flask", "--app", "app", "import", "filings", path]
    main()


def child_plain(path: str) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (PLAIN_MEMORY, PLAIN_MEMORY))
    import pandas as pd

    try:
        frame = pd.read_excel(path, engine="openpyxl")
        outcome = f"read {len(frame):,} rows × {len(frame.columns)} columns"
    except MemoryError:
        outcome = "MemoryError at the 4 GB cap"
    except Exception as exc:  # noqa: BLE001 - whatever the plain way raises is what we report
        outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:60] if str(exc) else ''}"
    print(json.dumps({"outcome": outcome}))


def run_ours(path: Path, work: Path) -> dict:
    database = work / f"{path.stem}.sqlite"
    # Schema first, in its own process, so the timed run is the command alone.
    subprocess.run([sys.executable, __file__, "--schema", str(database)], check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--ours", str(path), str(database)],
                          capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    stream = done.stdout if done.returncode == 0 else done.stderr
    lines = [line for line in stream.splitlines() if line and not line.startswith("BENCH_PEAK")]
    said = (lines or [""])[-1]
    peak = next((float(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("BENCH_PEAK")), 0)
    return {"exit": done.returncode, "seconds": seconds, "peak_mb": peak, "said": said,
            "traceback": "Traceback" in done.stderr}


def run_plain(path: Path) -> dict:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, __file__, "--plain", str(path)], capture_output=True, text=True,
                              timeout=PLAIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still reading after {PLAIN_TIMEOUT} s (stopped)", "seconds": PLAIN_TIMEOUT}
    seconds = time.perf_counter() - started
    try:
        outcome = json.loads(done.stdout.strip().splitlines()[-1])["outcome"]
    except (IndexError, ValueError):
        outcome = f"process died (exit {done.returncode})"
    return {"outcome": outcome, "seconds": seconds}


def main() -> None:
    if sys.argv[1:2] == ["--ours"]:
        child_ours(*sys.argv[2:4])
        return
    if sys.argv[1:2] == ["--plain"]:
        child_plain(sys.argv[2])
        return
    if sys.argv[1:2] == ["--schema"]:
        os.environ["DATABASE_URL"] = f"sqlite:///{sys.argv[2]}"
        from flask_migrate import upgrade

        from app import create_app

        with create_app().app_context():
            upgrade()
        return

    from tests.hostile_files import HOSTILE

    failures = 0
    with tempfile.TemporaryDirectory(prefix="jifang-hostile-") as tmp:
        work = Path(tmp)
        print(f"{'file':<36}{'size':>9}  {'ours: exit, seconds, peak MB, what it said':<78}  plain: pandas.read_excel")
        for n, (name, build) in enumerate(HOSTILE.items()):
            path = build(work / f"hostile{n}.xlsx")
            ours, plain = run_ours(path, work), run_plain(path)
            expected = EXPECTED_EXIT.get(name, 2)
            ok = ours["exit"] == expected and ours["seconds"] < FAST_ENOUGH and not ours["traceback"]
            failures += not ok
            size = path.stat().st_size
            print(f"{name:<36}{size / 1024:>8.0f}K  {'PASS' if ok else 'FAIL'} {ours['exit']} {ours['seconds']:5.2f} s "
                  f"{ours['peak_mb']:4.0f} MB  {ours['said'][:46]:<46}  {plain['seconds']:5.1f} s  {plain['outcome']}")
    print(f"\n{len(HOSTILE) - failures} of {len(HOSTILE)} files handled as expected in under {FAST_ENOUGH:.0f} s "
          "each, with one line and no traceback")


if __name__ == "__main__":
    main()

"""imports/split_validation.py: a large roster validated on two processes gives exactly the result of one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: the validation forks only from a single-threaded process, and the test process
# may have other threads by now (earlier tests', pytest-xdist's), where it rightly does not fork.
_SPLIT = """
import datetime as dt, json, sys
from imports import split_validation
from imports.filing_rows import FilingRowValidator, FilingRules
from imports.headers import HeaderMatcher
from imports.workbook import open_sheet

rules = FilingRules.from_directory(sys.argv[1])
existing = {"辽公技备〔2020〕210100-0099号": "91210100MA0ZZZZZZZ"}
split_validation.SPLIT_FROM = 1
split_validation.WAIT = {"wait": True, "never": False}[sys.argv[2]]
out = {}
for path in sys.argv[3:]:
    answers = []
    for split in (False, True):
        validator = FilingRowValidator.from_rules(rules, dt.date(2025, 6, 30), existing)
        sheet = open_sheet(path)
        header, rows = HeaderMatcher().find(sheet.rows())
        if split:
            result = split_validation.validate_split(validator, rows, header, sheet.height - header.row_number)
        else:
            result = validator.validate_rows(rows, header)
        answers.append({"rows": [[list(r), [str(v) if isinstance(v, dt.date) else v for v in r.values()],
                                  [type(v).__name__ for v in r.values()]] for r in result.rows],
                        "sources": result.source_rows, "errors": [[e.row, e.column, e.reason, e.position]
                                                                  for e in result.errors],
                        "refused": sorted(result.refused_rows), "total": result.total_rows})
    out[path] = {"here": answers[0], "split": answers[1], "how": split_validation.SplitStats.last}
print(json.dumps(out, ensure_ascii=False))
"""


def _run(*paths, wait="wait") -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _SPLIT, str(ROOT / "workflows" / "jurisdictions" / "liaoning"),
                           wait, *map(str, paths)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_validate_a_roster_as_one_does(tmp_path):
    """Errors in both parts, rows without a filing number or date, a date column with gaps: the child's
    part (packed column by column) comes back equal, value for value and type for type; and it was used."""
    from tests.app.transfer_support import code, roster_file, roster_row

    rows = [roster_row(n, number=n % 3 != 0, types=("设计、安装", "维护", "设计")[n % 3]) for n in range(1, 81)]
    rows[5] = roster_row(6, city="广州市")  # an error in the parent's part
    rows[70] = roster_row(71, 联系电话="电话号码")  # and in the child's
    rows[75] = roster_row(76, 统一社会信用代码=code(74))  # a repeat inside the child's part
    rows[60] = roster_row(61, 备案编号="辽公技备〔2020〕210100-0099号")  # another firm's number
    path = roster_file(tmp_path / "roster.xlsx", rows)
    messy = ROOT / "tests" / "fixtures" / "filings_messy.xlsx"
    found = _run(path, messy)
    for name in (path, str(messy)):
        assert found[name]["split"] == found[name]["here"]
    assert found[path]["how"] == "child"
    here = found[path]["here"]
    assert here["total"] == 80 and here["refused"] == [7, 62, 72, 77]
    assert {"NoneType", "date", "list", "str"} <= {t for row in here["rows"] for t in row[2]}


def test_a_repeat_across_the_split_is_validated_here(tmp_path):
    """A credit code of the parent's part repeated in the child's: the child could not know the first row,
    so this process validates the rest itself — the same reasons as in one pass."""
    from tests.app.transfer_support import code, roster_file, roster_row

    rows = [roster_row(n) for n in range(1, 41)]
    rows[35] = roster_row(36, 统一社会信用代码=code(2))
    path = roster_file(tmp_path / "roster.xlsx", rows)
    found = _run(path)[path]
    assert found["how"] == "fallback"
    assert found["split"] == found["here"]
    assert [e[:3] for e in found["here"]["errors"]] == [
        [37, "统一社会信用代码", "统一社会信用代码与第 3 行重复（以第 3 行为准）"]]


def test_rows_the_child_is_not_waited_for_are_validated_here(tmp_path):
    """Where the child falls behind (no free core), this process validates its rows too: the same result."""
    from tests.app.transfer_support import roster_file, roster_row

    rows = [roster_row(n, number=n % 3 != 0) for n in range(1, 61)]
    rows[50] = roster_row(51, city="广州市")
    path = roster_file(tmp_path / "roster.xlsx", rows)
    found = _run(path, wait="never")[path]
    assert found["how"] == "not waited"
    assert found["split"] == found["here"] and found["here"]["refused"] == [52]

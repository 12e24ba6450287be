"""Which package may import which (issue 13 point 4): the pure rules never reach into the web app, its
forms or the database, the sheets' layout never into the importer, and the job queue into no service.
Every import counts, also one deferred inside a function: a deferred import is still a dependency, and a
circle of them is how app/jobs.py and app/services/transfer_jobs.py once needed each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _offending(paths, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    bad = {}
    for path in paths:
        hits = sorted(m for m in imported_modules(path) if any(m == f or m.startswith(f + ".") for f in forbidden))
        if hits:
            bad[str(path.relative_to(ROOT))] = hits
    return bad


@pytest.mark.parametrize(("package", "forbidden"), [
    ("workflows", ("app", "forms", "imports", "reports", "flask", "sqlalchemy")),
    ("reports", ("app", "forms", "imports", "flask")),
    ("imports", ("app", "forms", "flask")),
])
def test_a_package_imports_only_what_lies_beneath_it(package, forbidden):
    assert _offending(sorted((ROOT / package).rglob("*.py")), forbidden) == {}


def test_the_job_queue_imports_no_service():
    assert _offending([ROOT / "app" / "jobs.py"], ("app.services", "app.transfer")) == {}

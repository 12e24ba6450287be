"""Which package may import which (issue 13 point 4): the pure rules never reach into the web app, its
forms or the database, the sheets' layout never into the importer, and the job queue into no service. Each
area of the app (app/filings, app/cases, ...) keeps its services beside its views: a service never imports a view (routes,
panels, commands), and app/services, which holds only what several areas use, imports no area. Every
import counts, also one deferred inside a function: a deferred import is still a dependency, and a circle
of them is how app/jobs.py and app/transfer/import_jobs.py once needed each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path, *, with_names: bool = False) -> set[str]:
    """The modules a file imports; with_names, also each `from package import name` as package.name (the name
    may be a submodule: `from app.cases import routes` imports app.cases.routes)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if with_names:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
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


AREAS = ("accounts", "admin", "api", "auth", "cases", "complaints", "dashboard", "diagrams", "filings", "main",
         "penalties", "register", "review", "roster", "transfer")


def is_view(module: str) -> bool:
    """A view module of an area: its pages (routes.py, *_routes.py), error handlers (errors.py), home panels,
    or commands (cli.py)."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "app" or parts[1] not in AREAS:
        return False
    last = parts[2]
    return last in ("routes", "errors", "panels", "cli") or last.endswith("_routes")


def area_services() -> list[Path]:
    """Every module of an area that is neither a view nor its package's __init__ (the blueprint)."""
    return sorted(
        path for area in AREAS for path in (ROOT / "app" / area).glob("*.py")
        if path.stem != "__init__" and not is_view(f"app.{area}.{path.stem}")
    )


def test_the_job_queue_imports_no_service():
    forbidden = ("app.services", *(f"app.{area}" for area in AREAS))
    assert _offending([ROOT / "app" / "jobs.py"], forbidden) == {}


def test_the_areas_have_services_to_check():
    names = {f"{path.parent.name}/{path.name}" for path in area_services()}
    assert {"filings/service.py", "cases/service.py", "complaints/warnings.py", "transfer/import_jobs.py",
            "accounts/claims.py", "auth/login_guard.py", "penalties/regulations.py"} <= names


def test_a_service_imports_no_view():
    """Views import services, never the other way: a service that imported a view would load the pages (and
    their forms and blueprint) wherever the service is used, in a command or a background job, and a circle
    of imports is one step away."""
    bad = {}
    for path in area_services():
        hits = sorted(m for m in imported_modules(path, with_names=True) if is_view(m) or m.endswith(".bp"))
        if hits:
            bad[str(path.relative_to(ROOT))] = hits
    assert bad == {}


def test_the_shared_services_import_no_area():
    """app/services holds only what several areas use, so it lies beneath every area."""
    paths = sorted((ROOT / "app" / "services").glob("*.py"))
    assert paths
    assert _offending(paths, tuple(f"app.{area}" for area in AREAS)) == {}


def test_every_area_is_named():
    """A new area joins AREAS, so the rules above cover it."""
    packages = {p.parent.name for p in (ROOT / "app").glob("*/__init__.py")}
    assert packages - {"models", "services", "translations", "templates", "static"} == set(AREAS)

"""jifang (技防): the application factory, in the manner of Flask's tutorial."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from imports.gc_pause import paused_gc

# The cycle collector is paused while the application's modules load and while create_app builds it:
# start-up makes tens of thousands of long-lived objects (modules, classes, tables, routes) and no garbage
# cycles worth collecting, and the collector walked them again and again, 0.15-0.2 s of every command's
# start (`import app; app.create_app()` 0.82-0.93 s with it, 0.71 s without).
with paused_gc():
    from flask import Flask, session
    from flask_babel import gettext
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from app.config import Config, check_deployment, default_database_url, from_environment
    from app.extensions import (
        babel,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        quiet_remember_cookie_check,
        skip_csrf_check_on_safe_methods,
        skip_limiter_for_unthrottled,
    )
    from app.flask_app import JifangFlask

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


@paused_gc()
def create_app(config: Mapping | None = None) -> Flask:
    # JIFANG_INSTANCE_PATH: another instance folder than ./instance (the browser test of `./run demo`, benchmarks).
    instance = os.environ.get("JIFANG_INSTANCE_PATH")
    app = JifangFlask(__name__, instance_path=os.path.abspath(instance) if instance else None,
                      instance_relative_config=True)
    app.config.from_object(Config)
    app.config.update(from_environment())
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = default_database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    check_deployment(app.config, app.logger)  # a weak key or the debugger outside development: refuse
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")

    _add_head_reader(app)
    register_jurisdiction(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    register_serving(app)
    return app


def _add_head_reader(app: Flask) -> None:
    """On PostgreSQL, the roster's data-version reader gets an engine of its own (app/roster/cache.py)."""
    from app.roster.cache import HEAD_BIND, head_reader_bind

    reader = head_reader_bind(app.config)
    if reader is not None:
        app.config["SQLALCHEMY_BINDS"] = {**(app.config.get("SQLALCHEMY_BINDS") or {}), HEAD_BIND: reader}


def _instance_secret(app: Flask) -> str:
    """A deployment without SECRET_KEY keeps a random one in its instance folder (never in the repo).

    Created with O_EXCL so that several workers starting at once agree on one key."""
    from app.instance_files import random_value_file

    return random_value_file(Path(app.instance_path) / "secret_key")


def register_jurisdiction(app: Flask) -> None:
    from workflows.rules import load_pack

    app.extensions["jifang.pack"] = load_pack(app.config["JIFANG_JURISDICTION"])


# How long a SQLite writer waits for another's write lock before "database is locked" (answered with a 503
# "busy, try again" page by app/errors.py, never a 500).
SQLITE_BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys and use WAL so readers never block the writer."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_plan_each_query(dbapi_connection, connection_record):
    """PostgreSQL (psycopg 3): never prepare statements, so every query is planned for the table as it is.

    psycopg prepares a query after its fifth run and PostgreSQL may then keep one generic plan for it. The
    import looks firms up by 5,000 credit codes at a time; when a bureau's first roster goes into an empty
    table, the cached plan is a sequential scan comparing every row with 5,000 parameters one by one, and
    the next import on that connection took 8 s per lookup (160 s for 100,000 firms) instead of 0.1 s.
    Planning afresh costs well under a millisecond for this application's queries.
    """
    if type(dbapi_connection).__module__.startswith("psycopg") and hasattr(dbapi_connection, "prepare_threshold"):
        dbapi_connection.prepare_threshold = None


def _select_locale():
    """Simplified Chinese unless the user chose English (the choice lives in the session)."""
    chosen = session.get("lang")
    return chosen if chosen in ("zh_Hans_CN", "en") else "zh_Hans_CN"


def register_extensions(app: Flask) -> None:
    from app import (
        models,  # noqa: F401 - registers every table
        security,
        template_i18n,
        workflow_hooks,
    )
    from app.services import name_index  # noqa: F401 - keeps the roster's name index on every flush

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    # Role checks run before the CSRF check: a stranger is refused before anything else is said.
    security.init_app(app)
    workflow_hooks.register(app)
    csrf.init_app(app)
    skip_csrf_check_on_safe_methods(app)  # Flask-WTF checks a GET's exemptions before its method
    limiter.init_app(app)
    skip_limiter_for_unthrottled(app)  # the busiest public views have no limit (extensions.unthrottled)
    babel.init_app(app, locale_selector=_select_locale)
    template_i18n.init_app(app)  # templates' _() find the request's translations once, not per call
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    quiet_remember_cookie_check(app)

    @login_manager.user_loader
    def load_user(user_id: str):
        from app.models import User

        return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def register_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    for name in ("filings", "review", "roster", "complaints", "penalties", "transfer", "dashboard", "api", "accounts",
                 "register"):
        _register_optional(app, name)
    _register_optional(app, "cases")  # penalty cases (app/cases/)
    _register_optional(app, "diagrams")  # process diagrams drawn from workflows/definitions (/workflows/)


def _register_optional(app: Flask, name: str) -> None:
    """Blueprints of later areas register themselves when their package exists."""
    import importlib
    import importlib.util

    if importlib.util.find_spec(f"app.{name}") is None:
        return
    module = importlib.import_module(f"app.{name}")
    module.register(app)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_serving(app: Flask) -> None:
    """Proxy headers, /healthz and one log line per request with its id (app/serving.py)."""
    from app import serving

    serving.init_app(app)


def register_template_helpers(app: Flask) -> None:
    from app.templating import register

    register(app)

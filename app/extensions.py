"""Extension objects, created here and initialised in the factory (no app bound at import time)."""

import click
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class LazyMigrate:
    """Flask-Migrate, imported when something migrates: importing it imports Alembic (a fifth of a second),
    which every command and worker paid at start-up though only `flask init-db`, `flask db …` and the
    backup's schema check use it. ``init_app`` takes Flask-Migrate's arguments; the first use of
    ``app.extensions["migrate"]`` or of `flask db` runs Flask-Migrate's own ``init_app`` with them."""

    def init_app(self, app, db, **kwargs) -> None:
        app.extensions["migrate"] = _PendingMigrateConfig(app, db, kwargs)
        app.cli.add_command(_MigrateCommands())


class _PendingMigrateConfig:
    """Stands in for Flask-Migrate's config in ``app.extensions["migrate"]`` until an attribute is read."""

    def __init__(self, app, db, kwargs: dict) -> None:
        self._pending = (app, db, kwargs)
        self._real = None

    def __getattr__(self, name: str):  # only attributes this object lacks: Flask-Migrate's own
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def _load(self):
        if self._real is None:
            from flask_migrate import Migrate

            app, db, kwargs = self._pending
            Migrate().init_app(app, db, **kwargs)  # replaces this stand-in and the `db` command with its own
            self._real = app.extensions["migrate"]
        return self._real


class _MigrateCommands(click.Group):
    """`flask db`, listed without importing Alembic and resolved to Flask-Migrate's group when run."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db

        return db.make_context(info_name, args, parent=parent, **extra)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Per-address throttles (log-in, sign-up, expensive exports). Storage: memory by default, Redis when
# JIFANG_REDIS_URL is set so that several app servers count together (config.from_environment).
limiter = Limiter(key_func=get_remote_address)



def unthrottled(view):
    """No per-address limit applies to this view (like limiter.exempt), and Flask-Limiter is not even asked:
    its before-request check cost ~0.07 ms a request (a tenth of an API calculation) for views that have no
    limit at all. For the busiest public pages and the API's calculator; see skip_limiter_for_unthrottled."""
    view.unthrottled = True
    return view


def skip_limiter_for_unthrottled(app) -> None:
    """After limiter.init_app: its before-request check (Limiter._check_request_limit, Flask-Limiter 4) is
    skipped for the views marked unthrottled. Should a later Flask-Limiter register its check otherwise,
    nothing is changed and those views are merely checked as before (they have no limit)."""
    from flask import request

    hooks = app.before_request_funcs.setdefault(None, [])
    check = getattr(limiter, "_check_request_limit", None)
    if check is None or check not in hooks:
        return

    def unthrottled_view() -> bool:
        return getattr(app.view_functions.get(request.endpoint or ""), "unthrottled", False)

    _skip_hook(hooks, lambda hook: hook == check, unthrottled_view)  # bound methods: equal, not the same
    # Its after-request hook (rate-limit headers, conditional deductions) and teardown (the request's limiter
    # state reset) have nothing to do for a view it never checked: skipped too (~0.02 ms a request).
    for registry, name in ((app.after_request_funcs, "__inject_headers"), (app.teardown_request_funcs,
                                                                          "__release_context")):
        _skip_hook(registry.get(None, []),
                   lambda hook, name=name: getattr(getattr(hook, "func", hook), "__name__", "") == name,
                   unthrottled_view)


def quiet_remember_cookie_check(app) -> None:
    """After login_manager.init_app: Flask-Login's after-request hook (_update_remember_cookie) reads the session
    through flask.session on every response, and that read alone marks the session accessed, so every answer,
    an API client's included, carried "Vary: Cookie" and had the header set rebuilt (~0.03 ms a request). The
    hook is skipped when it has nothing to do by its own first test: no "_remember" mark in the session and no
    refresh of the cookie on each request (the mark is read without marking the session accessed). Anything
    else that reads the session still adds Vary: Cookie, as before."""
    from flask import current_app
    from flask.globals import _cv_request

    def nothing_to_remember() -> bool:
        opened = getattr(_cv_request.get(None), "_session", None)
        return (opened is not None and "_remember" not in opened
                and not current_app.config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST"))

    _skip_hook(app.after_request_funcs.get(None, []),
               lambda hook: getattr(hook, "__func__", None) is LoginManager._update_remember_cookie,
               nothing_to_remember)


def skip_csrf_check_on_safe_methods(app) -> None:
    """After csrf.init_app: Flask-WTF's before-request check looks up the view's exemption before it looks at
    the method, so every GET paid for the blueprint and view look-ups (~0.01 ms) to then do nothing. Requests
    whose method it does not check (WTF_CSRF_METHODS) now skip it; every other request is checked as before."""
    from flask import current_app, request

    _skip_hook(app.before_request_funcs.setdefault(None, []),
               lambda hook: getattr(hook, "__qualname__", "") == "CSRFProtect.init_app.<locals>.csrf_protect",
               lambda: request.method not in current_app.config["WTF_CSRF_METHODS"])


def _skip_hook(hooks: list, matches, skip) -> None:
    """Replace each hook in ``hooks`` that ``matches`` by one that does nothing while ``skip()`` is true: a
    before-request hook then returns None (the request goes on), an after-request or teardown hook returns
    what it was given (the response)."""
    for index, hook in enumerate(hooks):
        if matches(hook):

            def run(*args, _hook=hook):
                if skip():
                    return args[0] if args else None
                return _hook(*args)

            hooks[index] = run

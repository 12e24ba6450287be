"""Extension objects, created here and initialised in the factory (no app bound at import time)."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
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

    def check_request_limit():
        if getattr(app.view_functions.get(request.endpoint or ""), "unthrottled", False):
            return None
        return check()

    hooks[hooks.index(check)] = check_request_limit

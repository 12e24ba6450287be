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
    """No per-address limit applies to this view (like limiter.exempt), decided before Flask-Limiter looks
    for any: its before- and after-request work cost ~0.1 ms a request (an eighth of an API calculation)
    for views that have no limit. For the busiest public pages and the API's calculator."""
    view.unthrottled = True
    return view


@limiter.request_filter
def _unthrottled_view() -> bool:
    from flask import current_app, request

    return getattr(current_app.view_functions.get(request.endpoint or ""), "unthrottled", False)

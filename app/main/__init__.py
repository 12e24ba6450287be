"""Home page per role, language choice."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.main import panels, routes  # noqa: E402,F401

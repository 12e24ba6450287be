"""Log-in, log-out and firm self-registration."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import routes  # noqa: E402,F401 - routes attach to bp

"""Administration: accounts and the audit trail (read-only: nothing here edits or deletes an entry)."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import routes  # noqa: E402,F401

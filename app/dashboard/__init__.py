"""The statistics dashboard for clerks: the annual figures as server-rendered SVG charts and tables."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates")


def register(app):
    from app.dashboard import routes  # noqa: F401 - attach the views

    app.register_blueprint(bp, url_prefix="/dashboard")

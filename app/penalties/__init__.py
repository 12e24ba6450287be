"""Penalties for clerks: the calculator page (cases follow in the case workflow)."""

from flask import Blueprint

bp = Blueprint("penalties", __name__, template_folder="templates")


def register(app):
    from app.penalties import routes  # noqa: F401 - attach views and template filters

    app.register_blueprint(bp, url_prefix="/penalties")

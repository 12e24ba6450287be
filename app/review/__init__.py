"""The clerks' side of filing: the queue of their bureau, the review page and the decisions."""

from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates")


def register(app):
    from app.review import panels, routes  # noqa: F401 - attach views and the home panel

    app.register_blueprint(bp, url_prefix="/review")

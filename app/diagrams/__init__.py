"""Each workflow drawn from its declaration (issue 13 point 6): /workflows/<name> and /workflows/<name>.svg.

Clerks and other officials see every definition; a firm sees the filing workflow, with its own request's
current state and path when it names one (?request=<id>, scoped like every filing page)."""

from flask import Blueprint

bp = Blueprint("diagrams", __name__, template_folder="templates")


def register(app):
    from app.diagrams import routes  # noqa: F401 - attach the views

    app.register_blueprint(bp, url_prefix="/workflows")

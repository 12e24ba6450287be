"""The public roster of filed firms (Liaoning art. 18, Inner Mongolia art. 16) and its QR check page."""

from flask import Blueprint

bp = Blueprint("roster", __name__, template_folder="templates")


def register(app):
    from app.roster import panels, routes  # noqa: F401 - attach views and the home panel

    app.register_blueprint(bp)

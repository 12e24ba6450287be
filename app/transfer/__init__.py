"""Import and export in the web UI: legacy rosters and historical cases in, roster and lists out."""

from flask import Blueprint

bp = Blueprint("transfer", __name__, template_folder="templates")


def register(app):
    from app import jobs
    from app.transfer import cli, routes  # noqa: F401 - attach the views

    jobs.init_app(app)
    cli.register(app)
    app.register_blueprint(bp, url_prefix="/transfer")

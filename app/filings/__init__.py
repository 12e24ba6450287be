"""The firm's side of filing (备案): its requests, the form, uploads, and the certificate."""

from flask import Blueprint

bp = Blueprint("filings", __name__, template_folder="templates")


def register(app):
    from app.filings import panels, routes  # noqa: F401 - attach views and the home panel
    from app.filings.cli import filings_cli

    app.register_blueprint(bp, url_prefix="/filings")
    app.cli.add_command(filings_cli)

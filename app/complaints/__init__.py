"""Complaints (anyone, no account), their verification by the bureau, and the warning list (Liaoning art. 28)."""

from flask import Blueprint

bp = Blueprint("complaints", __name__, template_folder="templates")


def register(app):
    from app.complaints import panels, routes, warning_routes  # noqa: F401 - attach views and home panels
    from app.complaints.cli import complaints_cli, warnings_cli

    app.register_blueprint(bp, url_prefix="/complaints")
    app.cli.add_command(warnings_cli)
    app.cli.add_command(complaints_cli)

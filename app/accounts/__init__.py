"""Firm accounts and their firms: claim codes, claim requests, flagged old bindings, reset codes (issue 9)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")
# The public reset page lives under /auth beside log-in, where a firm that forgot its password looks.
reset_bp = Blueprint("password_reset", __name__, template_folder="templates")


def register(app):
    from app.accounts import panels, routes  # noqa: F401 - attach views and the home panels
    from app.accounts.cli import accounts_cli

    app.register_blueprint(bp, url_prefix="/accounts")
    app.register_blueprint(reset_bp, url_prefix="/auth/reset")
    app.before_request(routes.pending_account_checks)
    app.cli.add_command(accounts_cli)

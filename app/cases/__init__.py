"""Penalty cases (行政处罚案件): orders to correct, opening, the procedure to the decision and its service.

Other areas add their pages to this blueprint (the case documents: app/cases/document_routes.py).
"""

import importlib.util

from flask import Blueprint

bp = Blueprint("cases", __name__, template_folder="templates")


def register(app):
    from app.cases import panels, routes  # noqa: F401 - attach views and home panels

    for optional in ("document_routes", "payment_routes", "hearing_routes"):
        if importlib.util.find_spec(f"app.cases.{optional}") is not None:
            importlib.import_module(f"app.cases.{optional}")
    app.register_blueprint(bp, url_prefix="/cases")

"""The JSON API for other systems (/api/v1): the penalty calculator and the lists it draws on.

Every route is public (the law is public and no personal data passes through it) and exempt from CSRF,
since no cookie gives it authority. The contract is the OpenAPI document at /api/v1/openapi.json.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")


def register(app):
    from app.api import errors, routes  # noqa: F401 - attach views and error handlers
    from app.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)

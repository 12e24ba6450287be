"""One error shape for the whole API, compatible with app/errors.py:

    {"error": {"code": 422, "type": "act_date_out_of_range", "field": "act_date",
               "message": "<Chinese>", "message_en": "<English>"}}

``code`` is the HTTP status and ``message`` is always present, as in the site-wide JSON errors that
app/errors.py gives for unknown URLs under /api/; the API's own errors add ``type``, ``field`` and
``message_en`` so that a client can point at the input at fault.
"""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

from app.api import bp
from app.errors import MESSAGES
from workflows.penalty import CalculationError

# Short English texts for the HTTP errors the API may raise itself.
MESSAGES_EN = {
    400: "bad request",
    404: "not found",
    405: "method not allowed",
    413: "the request body is too large",
    415: "unsupported media type",
    422: "the request could not be processed",
    500: "internal server error",
}


class ApiError(Exception):
    """An input the API refuses before the calculator sees it (body not JSON, unknown key…)."""

    def __init__(self, status: int, type_: str, field: str | None, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.type = type_
        self.field = field
        self.message = message
        self.message_en = message_en


def error_response(status: int, type_: str, field: str | None, message: str, message_en: str):
    body = {
        "error": {"code": status, "type": type_, "field": field, "message": message, "message_en": message_en}
    }
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    return error_response(exc.status, exc.type, exc.field, exc.message, exc.message_en)


@bp.errorhandler(CalculationError)
def calculation_error(exc: CalculationError):
    return error_response(exc.http_status, exc.code, exc.field, exc.message, exc.message_en)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    status = exc.code or 500
    return error_response(
        status, "http_error", None, MESSAGES.get(status, "请求出错"), MESSAGES_EN.get(status, exc.name.lower())
    )

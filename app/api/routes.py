"""The API's views: thin, each one call into workflows.penalty and a JSON answer checked against the
contract's models (app/api/models.py) on its way out."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, jsonify, render_template, request
from pydantic import ValidationError

from app.api import bp
from app.api.errors import ApiError
from app.api.models import (
    JURISDICTIONS,
    VIOLATIONS,
    AmountDueRequest,
    AmountDueResult,
    CalculationRequest,
    answer,
    calculation_json,
    openapi_document,
    schema_type,
)
from app.extensions import unthrottled
from app.security import PUBLIC, allow
from workflows.case_periods import CalendarNotCovered, InvalidPayment, Pause, amount_due
from workflows.penalty import CalculationError, Facts, StatedFacts, calculate, invalid_facts, pack_for
from workflows.penalty_pack import all_penalty_packs
from workflows.rules import load_pack
from workflows.time_limits import china_today

# A calculation request is a few hundred bytes; anything near this is not one.
MAX_BODY_BYTES = 16 * 1024
STATED_FIELDS = frozenset(StatedFacts.model_fields)
# Lists drawn from the rule packs change only with a release of the application.
LIST_CACHE = "public, max-age=3600"


def _json(data: Any, cache_control: str):
    response = jsonify(data)
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/openapi.json")
@allow(PUBLIC)
def openapi():
    return _json(openapi_document(), LIST_CACHE)


@bp.get("/docs")
@allow(PUBLIC)
def docs():
    """The contract as a readable page, rendered on the server from the same document (no CDN, no script)."""
    document = openapi_document()
    page = render_template(
        "api/docs.html", doc=document, schemas=document["components"]["schemas"], schema_type=schema_type
    )
    return page, 200, {"Cache-Control": LIST_CACHE}


@bp.get("/jurisdictions")
@allow(PUBLIC)
def jurisdictions():
    """Every jurisdiction the application knows, whatever the deployment's own."""
    packs = all_penalty_packs()
    return _json(
        answer(JURISDICTIONS, [
            {
                "code": code,
                "name": load_pack(code).name,
                "regulation": packs[code].regulation.title,
                "in_force_from": packs[code].regulation.in_force_from.isoformat(),
            }
            for code in packs
        ]),
        LIST_CACHE,
    )


@bp.get("/jurisdictions/<code>/violations")
@allow(PUBLIC)
def violations(code: str):
    packs = all_penalty_packs()
    if code not in packs:
        shown = code[:64]
        raise ApiError(
            404, "unknown_jurisdiction", "jurisdiction",
            f"没有辖区 {shown!r}；可选：{'、'.join(packs)}",
            f"no jurisdiction {shown!r}; known: {', '.join(packs)}",
        )
    return _json(answer(VIOLATIONS, packs[code].violations()), LIST_CACHE)


@bp.post("/penalties/calculate")
@allow(PUBLIC)
@unthrottled
def calculate_penalty():
    data = CalculationRequest(**_json_object())  # or the CalculationError naming the field: 422
    # The facts the request stated (its values, not a dump of them); omitted ones take their defaults.
    stated = {name: getattr(data, name) for name in data.model_fields_set if name in STATED_FIELDS}
    # The request was validated as StatedFacts (CalculationRequest is one): its values are already checked, so
    # the facts are built without validating them a second time (~6% of a calculation). Today is the server's,
    # never the client's.
    facts = Facts.model_construct(**stated, today=china_today())
    result = calculate(pack_for(data.jurisdiction), data.violation, facts)
    body = calculation_json(result.to_dict())
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})


@bp.post("/penalties/amount-due")
@allow(PUBLIC)
def penalty_amount_due():
    """What a party owes on `as_of`: the same function a case uses (workflows.case_periods.amount_due)."""
    data = _amount_due_request(_json_object())
    try:
        result = amount_due(
            data.fine, data.served_on, data.as_of, [Pause(span.start, span.end) for span in data.paused]
        )
    except InvalidPayment as exc:
        raise ApiError(422, exc.code, exc.field, exc.message, exc.message_en) from None
    except CalendarNotCovered as exc:
        raise ApiError(422, "calendar_not_covered", "served_on", exc.message, exc.message_en) from None
    return _json(answer(AmountDueResult, result.to_dict()), "no-store")


def _amount_due_request(body: dict[str, Any]) -> AmountDueRequest:
    """The request, or the ApiError (422) naming the first field at fault, an unknown key first. Anything
    wrong inside `paused` is reported as the field `paused`, its message saying which entry."""
    try:
        return AmountDueRequest(**body)
    except ValidationError as exc:
        errors = exc.errors()
        nested = next((e for e in errors if e["loc"] and e["loc"][0] == "paused"), None)
        if nested is None or any(e["type"] == "extra_forbidden" and len(e["loc"]) == 1 for e in errors):
            error = invalid_facts(exc, AmountDueRequest)
            kind = "unknown_field" if error.code == "unknown_field" else "invalid_value"
            raise ApiError(422, kind, error.field, error.message, error.message_en) from None
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in nested["loc"])
        where = where.lstrip(".")[:80]
        original = (nested.get("ctx") or {}).get("error")
        if nested["type"] == "extra_forbidden":
            raise ApiError(422, "unknown_field", "paused", f"未知的字段 {where}；暂停期间只有 from 和 to",
                           f"unknown field {where}; a pause has only from and to") from None
        detail = "not a valid YYYY-MM-DD date" if isinstance(original, CalculationError) else nested["msg"]
        raise ApiError(422, "invalid_value", "paused", f"{where} 无效：须为 {{\"from\": 日期, \"to\": 日期或null}}",
                       f"{where} is invalid: {detail}") from None


def _json_object() -> dict[str, Any]:
    """The request body as a JSON object, or an ApiError (400) saying what is wrong with it.

    Read from the WSGI environ itself (PEP 3333: CONTENT_TYPE, CONTENT_LENGTH, wsgi.input read no further than
    the length): werkzeug's request.mimetype, content_length and guarded stream cost ~0.04 ms together, a
    twentieth of a calculation. The media type is the Content-Type before any parameter, lower-cased, as
    request.mimetype gives it. A body without a plain length (chunked) is read through werkzeug's stream."""
    environ = request.environ
    mimetype = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise _bad_body("请求须为 JSON（Content-Type: application/json）", "Content-Type must be application/json")
    length = environ.get("CONTENT_LENGTH", "")
    if length.isascii() and length.isdigit():
        if int(length) > MAX_BODY_BYTES:
            raise _too_large()
        raw = environ["wsgi.input"].read(int(length))
    else:
        raw = request.stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise _too_large()
    if not raw.strip():
        raise _bad_body("请求体为空，须为JSON对象", "the request body is empty; send a JSON object")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad_body("请求体不是有效的JSON", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _bad_body("请求体须为JSON对象", "the request body must be a JSON object")
    return body


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity are Python's extension, not JSON


def _bad_body(message: str, message_en: str) -> ApiError:
    return ApiError(400, "invalid_body", "body", message, message_en)


def _too_large() -> ApiError:
    return _bad_body(
        f"请求体超过 {MAX_BODY_BYTES} 字节，不是一份计算请求",
        f"the request body exceeds {MAX_BODY_BYTES} bytes",
    )

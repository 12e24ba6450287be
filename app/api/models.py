"""The API's contract as pydantic models: the request is validated by them, every answer is passed through
them on its way out, and the OpenAPI document (:func:`openapi_document`) is generated from their JSON
Schemas, so the document cannot say one thing while the API does another.

Why no library does the wiring: spectree and flask-openapi3 each bring their own view decorators (and, for
flask-openapi3, their own Blueprint and app classes) that would sit beside @allow and the blueprint's CSRF
exemption, and both serve Swagger/Redoc pages that load scripts from a CDN, which the page's CSP forbids.
The part worth a library, the JSON Schema, is pydantic's own (``models_json_schema``); assembling five
paths around it is the few lines below.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from pydantic.json_schema import SkipJsonSchema, models_json_schema

from workflows.penalty import (
    IsoDate,
    NoPenaltyReason,
    StatedFacts,
    UnknownJurisdiction,
    UnknownViolation,
)
from workflows.penalty_pack import MEASURE_LABELS, all_penalty_packs, all_violation_codes
from workflows.rules import jurisdiction_codes

VERSION = "1.3.0"
# The largest fine the amount-due endpoint takes, in yuan: in fen it stays exact in a JavaScript client.
MAX_FINE = 10**12
Yuan = Annotated[int, Field(ge=0, description="whole yuan (元)")]
ERROR_TYPES = (
    "invalid_body", "unknown_field", "invalid_facts", "unknown_jurisdiction", "unknown_violation",
    "act_date_out_of_range", "http_error",
    # POST /penalties/amount-due (1.2.0)
    "invalid_value", "as_of_before_service", "invalid_pause", "overlapping_pauses", "calendar_not_covered",
)


def _violation_codes() -> list[str]:
    return list(all_violation_codes())


class _Answer(BaseModel):
    """An answer the API gives: strict, so that an int sent where the contract says boolean is a 500 in
    the tests, not a surprise for a client."""

    model_config = ConfigDict(strict=True, extra="forbid")


# -- the request ----------------------------------------------------------------------------------------------


class CalculationRequest(StatedFacts):
    """Unknown keys are refused (422) so that a misspelt flag is never silently defaulted. A null optional
    value takes its default. `today` is the server's date in Asia/Shanghai and cannot be sent."""

    error_types: ClassVar[dict[str, type]] = {
        "jurisdiction": UnknownJurisdiction,
        "violation": UnknownViolation,
    }

    # Checked against the packs the loader finds (not a Literal fixed at import): a pack added as a folder is
    # accepted without a code change; the document lists the codes as an enum (openapi_document).
    jurisdiction: str = Field(description="a jurisdiction code (GET /jurisdictions)")
    violation: str = Field(description="a provision code of that jurisdiction (GET …/violations)")

    @field_validator("jurisdiction")
    @classmethod
    def _known_jurisdiction(cls, value: str) -> str:
        return _one_of("jurisdiction", value, all_penalty_packs(), UnknownJurisdiction)

    @field_validator("violation")
    @classmethod
    def _known_violation(cls, value: str) -> str:
        return _one_of("violation", value, all_violation_codes(), UnknownViolation)


def _one_of(field: str, value: str, known: Iterable[str], error: type) -> str:
    if value not in known:
        known = list(known)
        raise error(field, f"{field} 须为以下之一：{'、'.join(known)}", f"{field} must be one of: {', '.join(known)}")
    return value


class PausePeriod(BaseModel):
    """A review or lawsuit during which no surcharge accrues (行政处罚法 art. 73(3)); both ends inclusive."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    start: IsoDate = Field(alias="from", description="first paused day")
    end: IsoDate | None = Field(None, alias="to", description="last paused day; null while still pending")


class AmountDueRequest(BaseModel):
    """A fine served on a day, and the day to reckon on. Unknown keys are refused (422)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)
    error_types: ClassVar[dict[str, type]] = {}  # read by workflows.penalty.invalid_facts

    fine: int = Field(ge=1, le=MAX_FINE, description="the fine in whole yuan (元)")
    served_on: IsoDate = Field(description="day the decision was served (送达); the payment period starts the "
                               "day after")
    as_of: IsoDate = Field(description="day to reckon on; not before served_on")
    paused: list[PausePeriod] = Field(
        [], max_length=100,
        description="reviews and lawsuits (行政处罚法 art. 73(3)): no surcharge accrues on these days; may not "
        "overlap nor start before served_on",
    )


# -- the lists ------------------------------------------------------------------------------------------------


class Jurisdiction(_Answer):
    code: str = Field(description="the pack's code (its folder's name)")
    name: str = Field(description="行政区域名称")
    regulation: str = Field(description="title of the regulation")
    in_force_from: IsoDate = Field(
        description="date from which the text in force applies (latest amendment); acts before it are refused"
    )


class ItemChoice(_Answer):
    number: int = Field(ge=1)
    title: str
    citation: str
    violates: list[str]


class Violation(_Answer):
    code: str = Field(description="provision code to send as `violation`")
    title: str
    article: int = Field(ge=1)
    paragraph: int | None = Field(ge=1)
    items: list[Annotated[int, Field(ge=1)]]
    item_choices: list[ItemChoice] = Field(description="the values `item` accepts for this provision")


# -- the result -----------------------------------------------------------------------------------------------


class Citation(_Answer):
    regulation: str
    article: int = Field(ge=1)
    paragraph: int | None = Field(ge=1)
    item: int | None = Field(ge=1)
    label: str = Field(description="《…》第×条第×款第（×）项")
    violates: list[str]


class FineLine(_Answer):
    target: Literal["unit", "individual", "responsible_person"]
    label: str = Field(
        description="who is fined in the article's own words (e.g. LN 31 单位负责人及相关责任人, LN 34 直接责任人)"
    )
    min: Yuan
    max: Yuan
    recommended: Yuan
    basis: Literal["illegal_gains"] | SkipJsonSchema[None] = Field(
        None, description="present on a fine computed as a multiple of the illegal gains"
    )


class Measure(_Answer):
    code: Literal[tuple(MEASURE_LABELS)]
    label: str
    condition: str | None = Field(description="the finding the measure depends on; null when it always applies")
    citation: str
    note: str | None = Field(
        description="how the measure is carried out (e.g. forced removal only by application to the people's "
        "court, 行政强制法 arts. 13, 53)"
    )


class TraceStep(_Answer):
    step: str
    description: str
    citation: str | None
    value: Any = Field(description="the value the step decided (boolean, integer, date, list…)")


class Overlap(_Answer):
    provision: str
    citation: str
    fine_max: Yuan
    higher_fine: str
    higher_fine_citation: str
    reading: str


class CalculationResult(_Answer):
    citation: Citation
    order_to_correct_first: bool
    fine_applies: bool
    no_fine_provision: bool
    fines: list[FineLine] = Field(
        description="the targets that apply to the party: a unit's directly responsible persons come with the unit"
    )
    confiscate_illegal_gains: Yuan
    measures: list[Measure]
    hearing_notice: bool
    summary_procedure: bool
    limitation_expires_on: IsoDate
    no_penalty_reason: NoPenaltyReason | None = Field(
        description="why no penalty is imposed at all (行政处罚法 arts. 33, 36); null otherwise"
    )
    may_waive_fine: bool = Field(
        description="初次违法且危害后果轻微并及时改正: the fines are shown, the bureau may waive them"
    )
    time_barred: bool | None = Field(
        description="discovered after limitation_expires_on (art. 36): no penalty; null when discovered_on was "
        "not given"
    )
    limitation_years: Literal[2, 5]
    proposed_amount: Yuan | None = Field(description="the amount proposed, echoed when it was used")
    legal_review_required: bool = Field(
        description="the result rests on a disputed reading and needs legal review before a decision "
        "(行政处罚法 art. 58)"
    )
    overlaps: list[Overlap] = Field(
        description="other provisions the same act falls under; per art. 29 one fine, under the provision with "
        "the higher fine (higher_fine)"
    )
    trace: list[TraceStep]


class AmountDueResult(_Answer):
    due_on: IsoDate = Field(
        description="last day to pay: 15 days after service, the service day not counted; a last day on a rest "
        "day or public holiday moves to the next working day (行政处罚法 art. 67(3))"
    )
    days_overdue: int = Field(ge=0, description="days after due_on up to as_of, paused days excluded")
    surcharge_fen: int = Field(
        ge=0, description="3% of the fine a day from the day after due_on, never more than the fine "
        "(行政处罚法 art. 72(1)(1); 行政强制法 art. 45(2)), in fen (分)"
    )
    total_fen: int = Field(ge=0, description="fine + surcharge, in fen (分)")


# -- errors ---------------------------------------------------------------------------------------------------


class ErrorDetail(_Answer):
    code: int = Field(description="the HTTP status")
    type: Literal[ERROR_TYPES] | SkipJsonSchema[None] = None
    field: str | None = Field(None, description="the request field at fault (`body` for the body as a whole)")
    message: str = Field(description="Chinese")
    message_en: str | SkipJsonSchema[None] = None


class Error(_Answer):
    """Every error under /api/. `code` and `message` are always there; the API's own errors add `type`,
    `field` and `message_en` (an unknown URL or method answered by the site-wide handler carries only `code`
    and `message`)."""

    error: ErrorDetail


def answer(model: type[BaseModel] | TypeAdapter, data: Any) -> Any:
    """``data`` checked against the contract and as JSON-ready values; keys left out stay out."""
    if isinstance(model, TypeAdapter):
        return model.dump_python(model.validate_python(data), mode="json", exclude_unset=True)
    return model.model_validate(data).model_dump(mode="json", exclude_unset=True)


def calculation_json(data: dict[str, Any]) -> bytes:
    """The calculator's answer (Result.to_dict()) as its JSON body, written by pydantic-core straight from the
    dict, without building the contract's models first: validating into CalculationResult and dumping it
    took five times as long (~0.04 ms, a fifth of the view's own work). The engine's dict already holds the
    contract's keys in its order: tests/app/api/test_api_answers.py proves the bytes are those that
    CalculationResult.model_validate(data).model_dump_json(exclude_unset=True) writes, for every provision of
    every pack over many facts, and every answer the tests receive is checked against the OpenAPI document."""
    return pydantic_core.to_json(data) + b"\n"


JURISDICTIONS = TypeAdapter(list[Jurisdiction])
VIOLATIONS = TypeAdapter(list[Violation])


# -- the document ---------------------------------------------------------------------------------------------

CHANGES = (
    "Changed in 1.3.0 (issue 13): optional `decided_on` (the decision date; default today in Asia/Shanghai; not "
    "before `act_date`, else 422 `invalid_facts` naming `decided_on`). A provision's fines may carry dated "
    "amendments; the values in force on `act_date` apply, or per 行政处罚法 art. 37 those in force on `decided_on` "
    "where they are lighter (a lower maximum fine for the party, then a lower minimum) or the act is no longer "
    "punished: then `no_penalty_reason` is the new value `no_longer_punishable` and no measures apply. The trace's "
    "step `values_in_force` says which values were used and why (its value: the date they took effect, null for "
    "the text's own). `jurisdiction` and `violation` accept every pack the server finds (the enums list them).\n\n"
    "Added in 1.2.0 (issue 11): `POST /penalties/amount-due`, what a party owes on a day for a fine served on "
    "another: `due_on` (15 days after service, the service day not counted; a last day on a rest day or public "
    "holiday moves to the next working day per the State Council's holiday notice, make-up working days "
    "counting as working days; art. 67(3)), `days_overdue` (paused days excluded), `surcharge_fen` (3% of the "
    "fine a day from the day after `due_on`, never more than the fine: art. 72(1)(1), 行政强制法 art. 45(2); "
    "nothing on the days of a review or lawsuit given in `paused`, both ends inclusive, `to: null` while "
    "pending: art. 73(3)) and `total_fen`, all money in integer fen. New error types `invalid_value`, "
    "`as_of_before_service`, `invalid_pause`, `overlapping_pauses` and `calendar_not_covered` (a due date in a "
    "year whose holidays are not yet published is refused, never counted Monday to Friday).\n\n"
    "Changed in 1.1.0 (issue 10, the national Administrative Penalty Law 2021 applied right):\n"
    "- `first_minor` no longer removes the fine: it needs `corrected_promptly` and then keeps the fines with "
    "`may_waive_fine: true` (art. 33(1) 可以不予行政处罚). New facts `corrected_promptly`, `minor_no_harm` and "
    "`no_fault` (no penalty, art. 33); new result keys `no_penalty_reason` (minor_no_harm | no_fault | "
    "time_barred | null) and `may_waive_fine`; a no-penalty result keeps the order to correct (art. 28) and adds "
    "the measure `educate` (art. 33(3)).\n"
    "- Art. 36 is applied: `discovered_on` and `endangers_life_health_or_finance` (five years); result keys "
    "`time_barred` (null when discovered_on is omitted) and `limitation_years`.\n"
    "- Citations to the item (art. 59): optional `item` (see a violation's `item_choices`); `citation` gains "
    "`item`, `label` and `violates`.\n"
    "- Fine lines carry `label`, who is fined in the article's own words.\n"
    "- `proposed_amount` (whole yuan, within the range) drives the hearing (art. 63) and summary (art. 51) "
    "tests; result keys `proposed_amount`, `legal_review_required` (art. 58) and `overlaps` (art. 29: the "
    "provision with the higher fine); measures carry a `note`.\n"
    "- The trace is written as sentences, each with its citation; the national overlays come from one dated "
    "file (workflows/national/administrative_penalty_law.yaml).\n"
    "- The request and every answer are validated by the same pydantic models this document is generated "
    "from; an error's `type` for a value of the wrong type or out of range is `invalid_facts` (a jurisdiction "
    "or violation not in the lists: `unknown_jurisdiction`, `unknown_violation`)."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, **extra, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict[str, Any]:
    """The document for the packs found now (the loader's codes are part of the contract)."""
    return _document(jurisdiction_codes())


@cache
def _document(codes: tuple[str, ...]) -> dict[str, Any]:
    """OpenAPI 3.1 (whose schemas are JSON Schema 2020-12, pydantic's dialect) from the models above."""
    _, definitions = models_json_schema(
        [(CalculationRequest, "validation"), (CalculationResult, "serialization"),
         (Jurisdiction, "serialization"), (Violation, "serialization"), (Error, "serialization"),
         (AmountDueRequest, "validation"), (AmountDueResult, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    request = definitions["$defs"]["CalculationRequest"]["properties"]
    request["jurisdiction"]["enum"] = list(codes)
    request["violation"]["enum"] = _violation_codes()
    definitions["$defs"]["Jurisdiction"]["properties"]["code"]["enum"] = list(codes)
    list_headers = {"Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=3600"}}
    error = _ref("Error")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "技防 penalty calculator API",
            "version": VERSION,
            "description": "Penalties under the regional security-technology regulations of Liaoning, Inner "
            "Mongolia, Shanxi and Qinhuangdao, with the trace of every decision; and the amount due on a fine "
            "with its late-payment surcharge. Public: no authentication, no cookies. Amounts are whole yuan, "
            "except the amount due's, which are integer fen (分).\n\n" + CHANGES,
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "the OpenAPI document")},
            }},
            "/docs": {"get": {
                "operationId": "docs",
                "summary": "This document as a readable page (server-rendered HTML, no scripts)",
                "responses": {"200": {"description": "the documentation page",
                                      "content": {"text/html": {"schema": {"type": "string"}}}}},
            }},
            "/jurisdictions": {"get": {
                "operationId": "listJurisdictions", "summary": "All jurisdictions, whatever the deployment's own",
                "responses": {"200": _json({"type": "array", "items": _ref("Jurisdiction")}, "the jurisdictions",
                                           headers=list_headers)},
            }},
            "/jurisdictions/{code}/violations": {"get": {
                "operationId": "listViolations", "summary": "The penalty provisions of one jurisdiction",
                "parameters": [{"name": "code", "in": "path", "required": True,
                                "schema": {"type": "string", "enum": list(codes)}}],
                "responses": {
                    "200": _json({"type": "array", "items": _ref("Violation")}, "the provisions",
                                 headers=list_headers),
                    "404": _json(error, "no such jurisdiction (type unknown_jurisdiction)"),
                },
            }},
            "/penalties/calculate": {"post": {
                "operationId": "calculatePenalty", "summary": "Calculate the penalty for one violation",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("CalculationRequest")}}},
                "responses": {
                    "200": _json(_ref("CalculationResult"), "the result and its trace (Cache-Control: no-store)"),
                    "400": _json(error, "the body is not a JSON object: wrong Content-Type, empty, invalid JSON, "
                                 "NaN/Infinity, not an object, or larger than 16 KiB (type invalid_body, field body)"),
                    "422": _json(error, "a key is unknown, or a value is missing, unknown, of the wrong type or out "
                                 "of range; the act date precedes the text in force or lies in the future (field "
                                 "names it)"),
                },
            }},
            "/penalties/amount-due": {"post": {
                "operationId": "penaltyAmountDue",
                "summary": "The amount due on a fine on a day: due date, days overdue, surcharge and total in fen",
                "description": "行政处罚法 arts. 67(3), 72(1)(1), 73(3); 行政强制法 art. 45(2). Example: fine 30000, "
                "served_on 2025-09-16 → due_on 2025-10-09 (the 15th day, 10-01, is National Day); surcharge_fen "
                "0 on 10-09, 90000 on 10-10, 2970000 on 11-11, 3000000 (the cap) from 11-12.",
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("AmountDueRequest")}}},
                "responses": {
                    "200": _json(_ref("AmountDueResult"), "the amount due (Cache-Control: no-store)"),
                    "400": _json(error, "the body is not a JSON object (type invalid_body, field body)"),
                    "422": _json(error, "a key is unknown (unknown_field); a value is missing, of the wrong type "
                                 "or out of range, e.g. a fine not a positive whole number (invalid_value); as_of "
                                 "before served_on (as_of_before_service); a pause reversed or before service "
                                 "(invalid_pause) or overlapping another (overlapping_pauses); the due date in a "
                                 "year without published holidays (calendar_not_covered). `field` names the "
                                 "input at fault (`paused` for anything within it)"),
                },
            }},
        },
        "components": {"schemas": definitions["$defs"]},
    }


def schema_type(schema: dict[str, Any]) -> tuple[str, list[str]]:
    """A property's JSON Schema as the docs page writes it: the type in words, and the schemas it refers to
    (linked on the page)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return name, [name]
    if "anyOf" in schema:
        parts = [schema_type(option) for option in schema["anyOf"]]
        return " | ".join(text for text, _ in parts), [ref for _, refs in parts for ref in refs]
    kind = schema.get("type", "any")
    text = " | ".join(kind) if isinstance(kind, list) else kind
    refs: list[str] = []
    if kind == "array" and "items" in schema:
        inner, refs = schema_type(schema["items"])
        text = f"array of {inner}"
    if "format" in schema:
        text += f" ({schema['format']})"
    bounds = [f"≥ {schema['minimum']}" if "minimum" in schema else "",
              f"> {schema['exclusiveMinimum']}" if "exclusiveMinimum" in schema else "",
              f"≤ {schema['maximum']}" if "maximum" in schema else ""]
    if any(bounds):
        text += " " + ", ".join(bound for bound in bounds if bound)
    if "enum" in schema:
        text += ": " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        text += f": {schema['const']}"
    return text, refs

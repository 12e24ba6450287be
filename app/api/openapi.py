"""The API's contract as an OpenAPI 3.1 document, written by hand and served at /api/v1/openapi.json.

Enumerations (jurisdictions, violations, parties, tiers) are read from the rule packs, so the document
cannot drift from the calculator; tests/app/test_api_openapi.py checks that every route is described.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from workflows.penalty import MAX_ILLEGAL_GAINS, PARTIES, TIERS
from workflows.penalty_pack import MEASURE_LABELS, all_penalty_packs
from workflows.rules import JURISDICTION_CODES

# The keys a calculation request may carry, in the order the errors name them.
REQUEST_FIELDS = (
    "jurisdiction",
    "violation",
    "party",
    "act_date",
    "corrected_by_deadline",
    "severe",
    "illegal_gains",
    "tier",
    "corrected_promptly",
    "minor_no_harm",
    "first_minor",
    "no_fault",
    "discovered_on",
    "endangers_life_health_or_finance",
    "item",
    "proposed_amount",
)

_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_YUAN = {"type": "integer", "minimum": 0, "description": "whole yuan (元)"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_json_content(_ref("Error"))}


def _schemas() -> dict[str, Any]:
    packs = all_penalty_packs()
    violation_codes = [p.code for code in JURISDICTION_CODES for p in packs[code].provisions]
    return {
        "Jurisdiction": {
            "type": "object",
            "required": ["code", "name", "regulation", "in_force_from"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": list(JURISDICTION_CODES)},
                "name": {"type": "string", "description": "行政区域名称"},
                "regulation": {"type": "string", "description": "title of the regulation"},
                "in_force_from": {
                    **_DATE,
                    "description": "date from which the text in force applies (latest amendment); "
                    "acts before it are refused",
                },
            },
        },
        "Violation": {
            "type": "object",
            "required": ["code", "title", "article", "paragraph", "items", "item_choices"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "provision code to send as `violation`"},
                "title": {"type": "string"},
                "article": {"type": "integer", "minimum": 1},
                "paragraph": {"type": ["integer", "null"], "minimum": 1},
                "items": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                "item_choices": {
                    "type": "array",
                    "description": "the values `item` accepts for this provision",
                    "items": {
                        "type": "object",
                        "required": ["number", "title", "citation", "violates"],
                        "additionalProperties": False,
                        "properties": {
                            "number": {"type": "integer", "minimum": 1},
                            "title": {"type": "string"},
                            "citation": {"type": "string"},
                            "violates": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
        "CalculationRequest": {
            "type": "object",
            "required": ["jurisdiction", "violation", "party", "act_date"],
            "additionalProperties": False,
            "description": "Unknown keys are refused (422) so that a misspelt flag is never silently "
            "defaulted. A null optional value takes its default. `today` is the server's date in "
            "Asia/Shanghai and cannot be sent.",
            "properties": {
                "jurisdiction": {"type": "string", "enum": list(JURISDICTION_CODES)},
                "violation": {
                    "type": "string",
                    "enum": violation_codes,
                    "description": "a provision code of that jurisdiction (GET …/violations)",
                },
                "party": {"type": "string", "enum": list(PARTIES)},
                "act_date": {**_DATE, "description": "date of the act; not before in_force_from, not after today"},
                "corrected_by_deadline": {
                    "type": "boolean",
                    "default": False,
                    "description": "corrected within the deadline the bureau ordered",
                },
                "severe": {
                    "type": "boolean",
                    "default": False,
                    "description": "情节严重 or 造成严重后果 (the aggravated variant, where the article has one)",
                },
                "illegal_gains": {**_YUAN, "maximum": MAX_ILLEGAL_GAINS, "default": 0},
                "tier": {
                    "type": "string",
                    "enum": list(TIERS),
                    "default": "normal",
                    "description": "discretion tier; the recommended amount is the midpoint of the tier's "
                    "share of the range (0–30 %, 30–70 %, 70–100 %)",
                },
                "corrected_promptly": {
                    "type": "boolean",
                    "default": False,
                    "description": "及时改正: the party corrected the act promptly of its own accord (行政处罚法 "
                    "art. 33(1)); not the same as obeying an order to correct (corrected_by_deadline)",
                },
                "minor_no_harm": {
                    "type": "boolean",
                    "default": False,
                    "description": "违法行为轻微…没有造成危害后果 (art. 33(1)): with corrected_promptly, no penalty",
                },
                "first_minor": {
                    "type": "boolean",
                    "default": False,
                    "description": "初次违法且危害后果轻微 (art. 33(1)): with corrected_promptly the fines are "
                    "still calculated and may_waive_fine is true (可以不予行政处罚)",
                },
                "no_fault": {
                    "type": "boolean",
                    "default": False,
                    "description": "当事人有证据足以证明没有主观过错 (art. 33(2)): no penalty",
                },
                "discovered_on": {
                    **_DATE,
                    "description": "the day the act was discovered (行政处罚法 art. 36); not before act_date, "
                    "not after today. Omitted: time_barred is null and the limitation is not checked",
                },
                "item": {
                    "type": ["integer", "null"],
                    "minimum": 1,
                    "description": "the item the act falls under (one of the violation's item_choices); "
                    "omitted, the citation stops at the article (行政处罚法 art. 59)",
                },
                "proposed_amount": {
                    **_YUAN,
                    "minimum": 1,
                    "maximum": MAX_ILLEGAL_GAINS,
                    "description": "the fine the bureau proposes for the party (whole yuan); must lie within the "
                    "article's range (422 otherwise, or where no fine on the party applies). The hearing "
                    "(art. 63) and summary-procedure (art. 51) tests then run on this amount",
                },
                "endangers_life_health_or_finance": {
                    "type": "boolean",
                    "default": False,
                    "description": "涉及公民生命健康安全、金融安全且有危害后果: the period is five years, not two",
                },
            },
        },
        "FineLine": {
            "type": "object",
            "required": ["target", "label", "min", "max", "recommended"],
            "additionalProperties": False,
            "properties": {
                "target": {"type": "string", "enum": ["unit", "individual", "responsible_person"]},
                "label": {
                    "type": "string",
                    "description": "who is fined in the article's own words (e.g. LN 31 单位负责人及相关责任人, "
                    "LN 34 直接责任人)",
                },
                "min": _YUAN,
                "max": _YUAN,
                "recommended": _YUAN,
                "basis": {
                    "type": "string",
                    "enum": ["illegal_gains"],
                    "description": "present on a fine computed as a multiple of the illegal gains",
                },
            },
        },
        "Measure": {
            "type": "object",
            "required": ["code", "label", "condition", "citation", "note"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "enum": list(MEASURE_LABELS)},
                "note": {
                    "type": ["string", "null"],
                    "description": "how the measure is carried out (e.g. forced removal only by application "
                    "to the people's court, 行政强制法 arts. 13, 53)",
                },
                "label": {"type": "string"},
                "condition": {
                    "type": ["string", "null"],
                    "description": "the finding the measure depends on; null when it always applies",
                },
                "citation": {"type": "string"},
            },
        },
        "TraceStep": {
            "type": "object",
            "required": ["step", "description", "citation", "value"],
            "additionalProperties": False,
            "properties": {
                "step": {"type": "string"},
                "description": {"type": "string"},
                "citation": {"type": ["string", "null"]},
                "value": {"description": "the value the step decided (boolean, integer, date, list…)"},
            },
        },
        "CalculationResult": {
            "type": "object",
            "required": [
                "citation", "order_to_correct_first", "fine_applies", "no_fine_provision", "fines",
                "confiscate_illegal_gains", "measures", "hearing_notice", "summary_procedure",
                "limitation_expires_on", "no_penalty_reason", "may_waive_fine", "time_barred", "limitation_years",
                "proposed_amount", "legal_review_required", "overlaps", "trace",
            ],
            "additionalProperties": False,
            "properties": {
                "citation": {
                    "type": "object",
                    "required": ["regulation", "article", "paragraph", "item", "label", "violates"],
                    "additionalProperties": False,
                    "properties": {
                        "regulation": {"type": "string"},
                        "article": {"type": "integer", "minimum": 1},
                        "paragraph": {"type": ["integer", "null"], "minimum": 1},
                        "item": {"type": ["integer", "null"], "minimum": 1},
                        "label": {"type": "string", "description": "《…》第×条第×款第（×）项"},
                        "violates": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "order_to_correct_first": {"type": "boolean"},
                "fine_applies": {"type": "boolean"},
                "no_fine_provision": {"type": "boolean"},
                "fines": {
                    "type": "array",
                    "items": _ref("FineLine"),
                    "description": "the targets that apply to the party: a unit's directly responsible "
                    "persons come with the unit",
                },
                "confiscate_illegal_gains": _YUAN,
                "measures": {"type": "array", "items": _ref("Measure")},
                "hearing_notice": {"type": "boolean"},
                "summary_procedure": {"type": "boolean"},
                "limitation_expires_on": _DATE,
                "no_penalty_reason": {
                    "type": ["string", "null"],
                    "enum": ["minor_no_harm", "no_fault", "time_barred", None],
                    "description": "why no penalty is imposed at all (行政处罚法 arts. 33, 36); null otherwise",
                },
                "may_waive_fine": {
                    "type": "boolean",
                    "description": "初次违法且危害后果轻微并及时改正: the fines are shown, the bureau may waive them",
                },
                "time_barred": {
                    "type": ["boolean", "null"],
                    "description": "discovered after limitation_expires_on (art. 36): no penalty; null when "
                    "discovered_on was not given",
                },
                "limitation_years": {"type": "integer", "enum": [2, 5]},
                "proposed_amount": {**_YUAN, "type": ["integer", "null"], "description": "the amount proposed, "
                                    "echoed when it was used"},
                "legal_review_required": {
                    "type": "boolean",
                    "description": "the result rests on a disputed reading and needs legal review before a "
                    "decision (行政处罚法 art. 58)",
                },
                "overlaps": {
                    "type": "array",
                    "description": "other provisions the same act falls under; per art. 29 one fine, under the "
                    "provision with the higher fine (higher_fine)",
                    "items": {
                        "type": "object",
                        "required": ["provision", "citation", "fine_max", "higher_fine", "higher_fine_citation",
                                     "reading"],
                        "additionalProperties": False,
                        "properties": {
                            "provision": {"type": "string"},
                            "citation": {"type": "string"},
                            "fine_max": _YUAN,
                            "higher_fine": {"type": "string"},
                            "higher_fine_citation": {"type": "string"},
                            "reading": {"type": "string"},
                        },
                    },
                },
                "trace": {"type": "array", "items": _ref("TraceStep")},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "additionalProperties": False,
            "description": "Every error under /api/. `code` and `message` are always there; the API's "
            "own errors add `type`, `field` and `message_en` (an unknown URL or method answered by the "
            "site-wide handler carries only `code` and `message`).",
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "integer", "description": "the HTTP status"},
                        "type": {
                            "type": "string",
                            "enum": [
                                "invalid_body", "unknown_field", "invalid_facts", "unknown_jurisdiction",
                                "unknown_violation", "act_date_out_of_range", "http_error",
                            ],
                        },
                        "field": {
                            "type": ["string", "null"],
                            "description": "the request field at fault (`body` for the body as a whole)",
                        },
                        "message": {"type": "string", "description": "Chinese"},
                        "message_en": {"type": "string"},
                    },
                },
            },
        },
    }


@cache
def openapi_document() -> dict[str, Any]:
    list_headers = {"Cache-Control": {"schema": {"type": "string"}, "description": "public, max-age=3600"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "技防 penalty calculator API",
            "version": "1.1.0",
            "description": "Penalties under the regional security-technology regulations of Liaoning, "
            "Inner Mongolia, Shanxi and Qinhuangdao, with the trace of every decision. Public: no "
            "authentication, no cookies. Amounts are whole yuan.\n\n"
            "Changed in 1.1.0 (issue 10, the national Administrative Penalty Law 2021 applied right):\n"
            "- `first_minor` no longer removes the fine: it needs `corrected_promptly` and then keeps the "
            "fines with `may_waive_fine: true` (art. 33(1) 可以不予行政处罚). New facts `corrected_promptly`, "
            "`minor_no_harm` and `no_fault` (no penalty, art. 33); new result keys `no_penalty_reason` "
            "(minor_no_harm | no_fault | time_barred | null) and `may_waive_fine`; a no-penalty result keeps "
            "the order to correct (art. 28) and adds the measure `educate` (art. 33(3)).\n"
            "- Art. 36 is applied: `discovered_on` and `endangers_life_health_or_finance` (five years); "
            "result keys `time_barred` (null when discovered_on is omitted) and `limitation_years`.\n"
            "- Citations to the item (art. 59): optional `item` (see a violation's `item_choices`); "
            "`citation` gains `item`, `label` and `violates`.\n"
            "- Fine lines carry `label`, who is fined in the article's own words.\n"
            "- `proposed_amount` (whole yuan, within the range) drives the hearing (art. 63) and summary "
            "(art. 51) tests; result keys `proposed_amount`, `legal_review_required` (art. 58) and "
            "`overlaps` (art. 29: the provision with the higher fine); measures carry a `note`.\n"
            "- The trace is written as sentences, each with its citation; the national overlays come from "
            "one dated file (workflows/national/administrative_penalty_law.yaml).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "the OpenAPI document", **_json_content({"type": "object"})}},
                }
            },
            "/docs": {
                "get": {
                    "operationId": "docs",
                    "summary": "This document as a readable page (server-rendered HTML, no scripts)",
                    "responses": {"200": {"description": "the documentation page",
                                          "content": {"text/html": {"schema": {"type": "string"}}}}},
                }
            },
            "/jurisdictions": {
                "get": {
                    "operationId": "listJurisdictions",
                    "summary": "All jurisdictions, whatever the deployment's own",
                    "responses": {
                        "200": {
                            "description": "the jurisdictions",
                            "headers": list_headers,
                            **_json_content({"type": "array", "items": _ref("Jurisdiction")}),
                        }
                    },
                }
            },
            "/jurisdictions/{code}/violations": {
                "get": {
                    "operationId": "listViolations",
                    "summary": "The penalty provisions of one jurisdiction",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": list(JURISDICTION_CODES)},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the provisions",
                            "headers": list_headers,
                            **_json_content({"type": "array", "items": _ref("Violation")}),
                        },
                        "404": _error("no such jurisdiction (type unknown_jurisdiction)"),
                    },
                }
            },
            "/penalties/calculate": {
                "post": {
                    "operationId": "calculatePenalty",
                    "summary": "Calculate the penalty for one violation",
                    "requestBody": {"required": True, **_json_content(_ref("CalculationRequest"))},
                    "responses": {
                        "200": {
                            "description": "the result and its trace (Cache-Control: no-store)",
                            **_json_content(_ref("CalculationResult")),
                        },
                        "400": _error(
                            "the body is not a JSON object: wrong Content-Type, empty, invalid JSON, "
                            "NaN/Infinity, not an object, or larger than 16 KiB (type invalid_body, field body)"
                        ),
                        "422": _error(
                            "a value is missing, unknown, of the wrong type or out of range; the act date "
                            "precedes the text in force or lies in the future (field names it)"
                        ),
                    },
                }
            },
        },
        "components": {"schemas": _schemas()},
    }

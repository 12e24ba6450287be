"""The OpenAPI document: generated from the pydantic models, well formed, describing every /api/v1 route,
and the real answers match it (validated with jsonschema by tests/app/api/api_contract.py, as in every API
test module)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator

from app.api.models import CalculationRequest, openapi_document
from tests.app.api.api_contract import api_contract, assert_valid, component, response_schema  # noqa: F401
from tests.support import page_text, parse
from workflows.penalty import Facts, StatedFacts, calculate
from workflows.penalty_pack import all_penalty_packs

SPEC_URL = "/api/v1/openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def spec(client):
    response = client.get(SPEC_URL)
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        assert schema["$ref"].startswith("#/components/schemas/"), schema["$ref"]
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


# -- structure ---------------------------------------------------------------------------------------------


def test_document_is_openapi_3_1_with_info_servers_and_components(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert set(spec["components"]["schemas"]) >= {
        "Jurisdiction", "Violation", "CalculationRequest", "CalculationResult", "FineLine", "Measure",
        "TraceStep", "Error",
    }


def test_every_operation_is_well_formed_and_every_ref_resolves(spec):
    operation_ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        for parameter in re.findall(r"{(\w+)}", path):
            for method in set(item) & METHODS:
                names = [p["name"] for p in item[method].get("parameters", []) if p["in"] == "path"]
                assert parameter in names, f"{method} {path} does not describe {{{parameter}}}"
        for method, operation in item.items():
            assert method in METHODS, f"{path}: {method}"
            operation_ids.append(operation["operationId"])
            assert operation["responses"], f"{method} {path} has no responses"
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                assert response["description"]
    assert len(operation_ids) == len(set(operation_ids))

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(spec, node)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(spec)


def test_every_api_route_is_documented_and_nothing_else(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("static"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert routes == documented


def test_the_served_document_is_the_generated_one_and_valid_json_schema(spec):
    """One contract: what /openapi.json serves is generated from the models, nothing written by hand."""
    assert spec == openapi_document()
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert "Changed in 1.1.0" in spec["info"]["description"]
    assert not (Path(__file__).parents[3] / "app" / "api" / "openapi.py").exists()
    # The request model and the calculator's facts are one description of the input.
    assert issubclass(CalculationRequest, StatedFacts) and issubclass(Facts, StatedFacts)
    assert set(Facts.model_fields) - set(StatedFacts.model_fields) == {"today"}


def test_request_schema_lists_the_fields_the_api_accepts(spec):
    schema = spec["components"]["schemas"]["CalculationRequest"]
    assert sorted(schema["properties"]) == sorted(CalculationRequest.model_fields)
    assert "today" not in schema["properties"]  # the server's clock, never the client's
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == sorted(["jurisdiction", "violation", "party", "act_date"])
    properties = schema["properties"]
    assert properties["party"]["enum"] == ["unit", "individual"]
    assert properties["tier"] == {**properties["tier"], "enum": ["lenient", "normal", "severe"], "default": "normal"}
    for flag in ("corrected_by_deadline", "severe", "first_minor", "corrected_promptly", "minor_no_harm",
                 "no_fault", "endangers_life_health_or_finance"):
        assert properties[flag]["type"] == "boolean" and properties[flag]["default"] is False
    assert properties["illegal_gains"]["type"] == "integer" and properties["illegal_gains"]["default"] == 0
    assert properties["act_date"]["format"] == "date" and properties["act_date"]["pattern"]
    codes = [p.code for pack in all_penalty_packs().values() for p in pack.provisions]
    assert sorted(properties["violation"]["enum"]) == sorted(codes)


# -- the real answers match the document ------------------------------------------------------------------------


def test_list_answers_match_their_schemas(client):
    """The contract client validates each answer; this walks every list."""
    rows = client.get("/api/v1/jurisdictions").get_json()
    for row in rows:
        assert client.get(f"/api/v1/jurisdictions/{row['code']}/violations").status_code == 200
    assert client.get("/api/v1/jurisdictions/atlantis/violations").status_code == 404


def test_every_provision_answers_as_documented(client):
    request_schema = component("CalculationRequest")
    for code, pack in all_penalty_packs().items():
        for provision in pack.provisions:
            for party in ("unit", "individual"):
                data = {"jurisdiction": code, "violation": provision.code, "party": party,
                        "act_date": "2024-06-01", "severe": True, "illegal_gains": 1000, "tier": "severe"}
                assert_valid(request_schema, data)
                response = client.post("/api/v1/penalties/calculate", json=data)
                assert response.status_code == 200, response.get_json()


def test_a_result_that_breaks_the_contract_is_caught():
    """The check is not vacuous: a wrong type, a missing key and an extra key are each refused."""
    schema = response_schema("/api/v1/penalties/calculate", "POST", 200)
    facts = Facts(party="unit", act_date=dt.date(2024, 6, 1), today=dt.date(2026, 11, 30))
    result = calculate(all_penalty_packs()["liaoning"], "liaoning-35", facts).to_dict()
    assert_valid(schema, result)
    with pytest.raises(AssertionError, match="hearing_notice"):
        assert_valid(schema, {**result, "hearing_notice": 1})
    with pytest.raises(AssertionError, match="trace"):
        assert_valid(schema, {key: value for key, value in result.items() if key != "trace"})
    with pytest.raises(AssertionError, match="severity"):
        assert_valid(schema, {**result, "severity": True})
    with pytest.raises(AssertionError, match="limitation_expires_on"):
        assert_valid(schema, {**result, "limitation_expires_on": "2026-02-30"})
    error = {"error": {"code": 422, "type": "invalid_facts", "field": "party", "message": "x", "message_en": "x"}}
    assert_valid(component("Error"), error)
    with pytest.raises(AssertionError):
        assert_valid(component("Error"), {"error": {**error["error"], "type": "oops"}})
    with pytest.raises(AssertionError):
        assert_valid(component("Error"), {"error": error["error"], "extra": True})


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": b"[]", "content_type": "application/json"}, 400),
        ({"json": {"jurisdiction": "liaoning"}}, 422),
        ({"json": {"jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit",
                   "act_date": "2000-01-01"}}, 422),
    ],
)
def test_errors_match_the_error_schema(client, kwargs, status):
    assert client.post("/api/v1/penalties/calculate", **kwargs).status_code == status


def test_site_wide_api_errors_match_the_error_schema(client):
    assert client.get("/api/v1/nowhere").status_code == 404
    assert client.get("/api/v1/penalties/calculate").status_code == 405


def test_the_docs_page_is_served_from_the_project_without_scripts(client, spec):
    """/api/v1/docs: a readable page rendered from the same document; no CDN, no script (CSP)."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = parse(response)
    assert not page.find_all("script") and not page.select("[style]")
    links = [tag.get(attr) for tag in page.find_all(True) for attr in ("src", "href") if tag.has_attr(attr)]
    assert links and not [url for url in links if urlsplit(url).netloc or url.startswith("//")], links  # all local
    for name, schema in spec["components"]["schemas"].items():
        section = page.find("section", id=f"schema-{name}")
        assert section is not None, name
        fields = [page_text(code) for code in section.select("tbody tr > td:first-child > code")]
        assert sorted(fields) == sorted(schema.get("properties", {})), name
    assert "Changed in 1.1.0" in page_text(page)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"].split("script-src")[-1].split(";")[0]

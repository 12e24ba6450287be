"""The OpenAPI document: well formed, describing every /api/v1 route, and the real answers match it.

openapi-spec-validator and jsonschema are not dependencies, so the structure is checked here and the
answers are checked with a small validator for the JSON Schema keywords the document uses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.api.openapi import REQUEST_FIELDS
from workflows.penalty_pack import all_penalty_packs

SPEC_URL = "/api/v1/openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}
KEYWORDS = {
    "type", "enum", "required", "properties", "additionalProperties", "items", "$ref", "minimum", "maximum",
    "pattern", "format", "description", "default",
}


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


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def validate(spec: dict, schema: dict, value: Any, where: str = "$") -> None:
    """The subset of JSON Schema 2020-12 the document uses; fails naming the path."""
    schema = resolve(spec, schema)
    assert set(schema) <= KEYWORDS, f"{where}: keywords outside the checked subset: {set(schema) - KEYWORDS}"
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(_TYPES[t](value) for t in types), f"{where}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in enum"
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value), f"{where}: below minimum"
        assert value <= schema.get("maximum", value), f"{where}: above maximum"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} does not match"
    if isinstance(value, dict):
        missing = set(schema.get("required", ())) - set(value)
        assert not missing, f"{where}: missing {missing}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{where}: undocumented keys {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                validate(spec, properties[key], item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(spec, schema["items"], item, f"{where}[{index}]")


def response_schema(spec: dict, path: str, method: str, status: int) -> dict:
    response = spec["paths"][path][method]["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


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


def test_request_schema_lists_the_fields_the_api_accepts(spec):
    schema = spec["components"]["schemas"]["CalculationRequest"]
    assert sorted(schema["properties"]) == sorted(REQUEST_FIELDS)
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["jurisdiction", "violation", "party", "act_date"]
    properties = schema["properties"]
    assert properties["party"]["enum"] == ["unit", "individual"]
    assert properties["tier"] == {**properties["tier"], "enum": ["lenient", "normal", "severe"], "default": "normal"}
    for flag in ("corrected_by_deadline", "severe", "first_minor"):
        assert properties[flag]["type"] == "boolean" and properties[flag]["default"] is False
    assert properties["illegal_gains"]["type"] == "integer" and properties["illegal_gains"]["default"] == 0
    codes = [p.code for pack in all_penalty_packs().values() for p in pack.provisions]
    assert sorted(properties["violation"]["enum"]) == sorted(codes)


# -- the real answers match the document ------------------------------------------------------------------------


def test_list_answers_match_their_schemas(client, spec):
    rows = client.get("/api/v1/jurisdictions").get_json()
    validate(spec, response_schema(spec, "/jurisdictions", "get", 200), rows)
    for row in rows:
        violations = client.get(f"/api/v1/jurisdictions/{row['code']}/violations").get_json()
        validate(spec, response_schema(spec, "/jurisdictions/{code}/violations", "get", 200), violations)
    error = client.get("/api/v1/jurisdictions/atlantis/violations")
    validate(spec, response_schema(spec, "/jurisdictions/{code}/violations", "get", 404), error.get_json())


def test_every_provision_answers_as_documented(client, spec):
    request_schema = spec["components"]["schemas"]["CalculationRequest"]
    result_schema = response_schema(spec, "/penalties/calculate", "post", 200)
    for code, pack in all_penalty_packs().items():
        for provision in pack.provisions:
            for party in ("unit", "individual"):
                data = {"jurisdiction": code, "violation": provision.code, "party": party,
                        "act_date": "2024-06-01", "severe": True, "illegal_gains": 1000, "tier": "severe"}
                validate(spec, request_schema, data)
                response = client.post("/api/v1/penalties/calculate", json=data)
                assert response.status_code == 200, response.get_json()
                validate(spec, result_schema, response.get_json(), f"{provision.code}/{party}")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"data": b"[]", "content_type": "application/json"}, 400),
        ({"json": {"jurisdiction": "liaoning"}}, 422),
        ({"json": {"jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit",
                   "act_date": "2000-01-01"}}, 422),
    ],
)
def test_errors_match_the_error_schema(client, spec, kwargs, status):
    response = client.post("/api/v1/penalties/calculate", **kwargs)
    assert response.status_code == status
    validate(spec, response_schema(spec, "/penalties/calculate", "post", status), response.get_json())


def test_site_wide_api_errors_match_the_error_schema(client, spec):
    error_schema = spec["components"]["schemas"]["Error"]
    validate(spec, error_schema, client.get("/api/v1/nowhere").get_json())
    validate(spec, error_schema, client.get("/api/v1/penalties/calculate").get_json())


def test_the_docs_page_is_served_from_the_project_without_scripts(client, spec):
    """/api/v1/docs: a readable page rendered from the same document; no CDN, no script (CSP)."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<script" not in page and " style=" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # everything from the project itself
    for name, schema in spec["components"]["schemas"].items():
        assert f'id="schema-{name}"' in page
        for field in schema.get("properties", {}):
            assert f"<code>{field}</code>" in page, (name, field)
    assert "Changed in 1.1.0" in page
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"].split("script-src")[-1].split(";")[0]

"""Every answer an API test receives is checked against the GENERATED OpenAPI document (app/api/models.py)
with jsonschema (JSON Schema 2020-12, $refs resolved within the document, formats checked).

Use in an API test module:  ``from tests.app.api.api_contract import api_contract  # noqa: F401`` (an autouse
fixture: every test client of the app, the ``client`` fixture and ``app.test_client()`` alike, validates).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from app.api.models import openapi_document
from tests.support import IsolatedClient

PREFIX = "/api/v1"


@cache
def spec() -> dict[str, Any]:
    return openapi_document()


def operation(path: str, method: str) -> dict[str, Any] | None:
    """The documented operation a request hit, or None (an unknown URL or method)."""
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path.removeprefix(PREFIX)) and method.lower() in item:
            return item[method.lower()]
    return None


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for ``schema`` whose "#/components/…" references resolve in the document."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema,
            "components": spec()["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def component(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def assert_valid(schema: dict[str, Any], value: Any, where: str = "") -> None:
    errors = sorted(validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
    assert not errors, f"{where}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '$'}: {e.message}" for e in errors[:5]
    )


def response_schema(path: str, method: str, status: int) -> dict[str, Any]:
    """The schema the document gives for this answer: the operation's, or Error for a site-wide error
    (an unknown URL or method); an undocumented status of a documented operation fails."""
    found = operation(path, method)
    if found is None:
        assert status >= 400, f"{method} {path} answered {status} but is not documented"
        return component("Error")
    responses = found["responses"]
    if str(status) not in responses:
        assert status >= 500 or status in (405,), f"{method} {path}: status {status} is not documented"
        return component("Error")
    return responses[str(status)]["content"]["application/json"]["schema"]


def check(response) -> None:
    request = response.request
    path, method = request.path, request.method
    if not path.startswith(PREFIX + "/") or path == PREFIX + "/docs":
        return
    assert response.is_json, f"{method} {path}: {response.mimetype}"
    assert_valid(response_schema(path, method, response.status_code), response.get_json(),
                 f"{method} {path} → {response.status_code}")


class ContractClient(IsolatedClient):
    """A test client that validates every API answer against the generated document."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        check(response)
        return response


@pytest.fixture(autouse=True)
def api_contract(app):
    app.test_client_class = ContractClient
    yield

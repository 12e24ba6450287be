"""POST /api/v1/penalties/amount-due (issue 11, point 4): the amount due on a fine through the JSON API, the
same function a case uses (workflows.case_periods.amount_due), both sides of each boundary; refusals name
the field in the API's error shape. Every answer is validated against the generated OpenAPI document
(tests/app/api/api_contract.py). The answer never depends on the server's clock; it is pinned all the same."""

from __future__ import annotations

import datetime as dt

import pytest

from app.api.models import ERROR_TYPES
from tests.app.api.api_contract import api_contract  # noqa: F401 - every answer checked against the document
from workflows.case_periods import amount_due

pytestmark = pytest.mark.today("2026-11-30")
URL = "/api/v1/penalties/amount-due"


def post(client, **fields):
    data = {"fine": 30000, "served_on": "2025-09-16", "as_of": "2025-10-10", **fields}
    return client.post(URL, json={key: value for key, value in data.items() if value is not ...})


def refused(response, field, type_, status=422):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert (error["field"], error["type"]) == (field, type_), error
    assert error["message"] and error["message_en"]
    assert type_ in ERROR_TYPES
    assert response.headers["Cache-Control"] == "no-store"
    return error


@pytest.mark.parametrize(
    ("as_of", "days", "surcharge"),
    [
        ("2025-09-16", 0, 0),
        ("2025-10-09", 0, 0),  # the due day: 10-01 fell in the National Day week
        ("2025-10-10", 1, 90000),  # the day the surcharge starts
        ("2025-11-11", 33, 2970000),  # the day before the cap
        ("2025-11-12", 34, 3000000),  # the cap, never more than the fine
        ("2025-11-13", 35, 3000000),
    ],
)
def test_the_issues_example(client, as_of, days, surcharge):
    response = post(client, as_of=as_of)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "due_on": "2025-10-09", "days_overdue": days, "surcharge_fen": surcharge, "total_fen": 3000000 + surcharge,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_and_the_function_agree(client):
    for as_of in ("2025-10-20", "2025-11-01", "2026-01-05"):
        expected = amount_due(12345, dt.date(2025, 9, 16), dt.date.fromisoformat(as_of),)
        assert post(client, fine=12345, as_of=as_of).get_json() == expected.to_dict()


def test_paused_review_days_accrue_nothing(client):
    paused = [{"from": "2025-10-15", "to": "2025-10-24"}]
    assert post(client, as_of="2025-11-21", paused=paused).get_json()["surcharge_fen"] == 2970000
    assert post(client, as_of="2025-11-22", paused=paused).get_json()["surcharge_fen"] == 3000000
    pending = post(client, as_of="2025-12-31", paused=[{"from": "2025-10-20", "to": None}]).get_json()
    assert (pending["days_overdue"], pending["surcharge_fen"]) == (10, 900000)
    no_to = post(client, as_of="2025-12-31", paused=[{"from": "2025-10-20"}]).get_json()
    assert no_to == pending


def test_a_holiday_moves_the_due_day_only_when_the_last_day_falls_on_it(client):
    before = post(client, served_on="2025-09-15", as_of="2025-10-01").get_json()
    assert (before["due_on"], before["surcharge_fen"]) == ("2025-09-30", 90000)
    make_up = post(client, served_on="2025-09-26", as_of="2025-10-11").get_json()
    assert (make_up["due_on"], make_up["surcharge_fen"]) == ("2025-10-11", 0)  # a make-up Saturday


def test_served_on_equal_to_as_of_is_accepted_the_day_before_refused(client):
    assert post(client, as_of="2025-09-16").status_code == 200
    refused(post(client, as_of="2025-09-15"), "as_of", "as_of_before_service")


@pytest.mark.parametrize("fine", [-1, 0, 1.5, 30000.0, "30000", True, None, 10**12 + 1])
def test_fine_must_be_a_positive_whole_number_of_yuan(client, fine):
    refused(post(client, fine=fine), "fine", "invalid_value")


def test_smallest_and_largest_fines_are_accepted(client):
    assert post(client, fine=1).get_json()["surcharge_fen"] == 3
    assert post(client, fine=10**12).get_json()["total_fen"] == 10**14 + 3 * 10**12


@pytest.mark.parametrize(
    ("fields", "field", "type_"),
    [
        ({"tip": 1}, "tip", "unknown_field"),
        ({"fine": ...}, "fine", "invalid_value"),
        ({"served_on": "2025-9-16"}, "served_on", "invalid_value"),
        ({"as_of": "2025-02-30"}, "as_of", "invalid_value"),
        ({"as_of": ...}, "as_of", "invalid_value"),
        ({"paused": {"from": "2025-10-15"}}, "paused", "invalid_value"),
        ({"paused": [{"from": "2025-10-15", "until": "2025-10-16"}]}, "paused", "unknown_field"),
        ({"paused": [{"to": "2025-10-16"}]}, "paused", "invalid_value"),
        ({"paused": [{"from": "15.10.2025"}]}, "paused", "invalid_value"),
        ({"paused": [{"from": "2025-10-15", "to": "2025-10-14"}]}, "paused", "invalid_pause"),
        ({"paused": [{"from": "2025-09-15", "to": "2025-09-20"}]}, "paused", "invalid_pause"),
        ({"paused": [{"from": "2025-10-15", "to": "2025-10-20"}, {"from": "2025-10-20", "to": None}]},
         "paused", "overlapping_pauses"),
        ({"paused": [{"from": "2025-10-15", "to": None}, {"from": "2025-11-01", "to": "2025-11-02"}]},
         "paused", "overlapping_pauses"),
        ({"served_on": "2026-12-20", "as_of": "2027-02-01"}, "served_on", "calendar_not_covered"),
    ],
)
def test_refusals_name_the_field(client, fields, field, type_):
    refused(post(client, **fields), field, type_)


def test_an_unknown_key_is_named_before_any_other_fault(client):
    refused(post(client, fine=-5, typo=True), "typo", "unknown_field")


def test_adjacent_pauses_are_accepted(client):
    paused = [{"from": "2025-10-10", "to": "2025-10-12"}, {"from": "2025-10-13", "to": "2025-10-14"}]
    assert post(client, as_of="2025-10-15", paused=paused).get_json()["days_overdue"] == 1


def test_a_year_without_holiday_data_says_so(client):
    error = refused(post(client, served_on="2026-12-20", as_of="2027-02-01"), "served_on", "calendar_not_covered")
    assert "2027" in error["message"] and "chinese-calendar" in error["message_en"]


def test_the_body_must_be_a_json_object(client):
    refused(client.post(URL, data="fine=1", content_type="application/x-www-form-urlencoded"), "body",
            "invalid_body", status=400)
    refused(client.post(URL, json=[1]), "body", "invalid_body", status=400)


def test_public_without_a_session_or_csrf_token(app):
    """Like the calculator: another system posts without cookies or a CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post(URL, json={"fine": 30000, "served_on": "2025-09-16", "as_of": "2025-10-10"})
    assert response.status_code == 200
    assert response.get_json()["surcharge_fen"] == 90000


def test_documented_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/penalties/amount-due"]["post"]
    assert "2970000" in operation["description"]
    schema = spec["components"]["schemas"]["AmountDueRequest"]
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == ["as_of", "fine", "served_on"]
    assert schema["properties"]["fine"]["minimum"] == 1
    pause = spec["components"]["schemas"]["PausePeriod"]
    assert sorted(pause["properties"]) == ["from", "to"]
    assert "Added in 1.2.0" in spec["info"]["description"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["properties"]["type"]["enum"]) >= {
        "invalid_value", "as_of_before_service", "invalid_pause", "overlapping_pauses", "calendar_not_covered"
    }

"""The national Administrative Penalty Law through the JSON API (issue 10): the same boundaries as
tests/workflows/test_penalty_law.py, each answer validated against the generated OpenAPI document (by
tests/app/api/api_contract.py), bad input
refused with a 422 naming the field. The server's "today" is pinned with time-machine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.app.api.api_contract import api_contract, assert_valid, response_schema  # noqa: F401
from workflows.time_limits import CHINA_TZ

CALCULATE = "/api/v1/penalties/calculate"
NOW = dt.datetime(2026, 6, 30, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def spec(client):
    """The served document, which is the generated one (tests/app/api/test_api_openapi.py)."""
    return client.get("/api/v1/openapi.json").get_json()


def calculate(client, spec, status=200, **fields):
    data = {"jurisdiction": "inner-mongolia", "violation": "inner-mongolia-27", "party": "unit",
            "act_date": "2025-03-01", **fields}
    response = client.post(CALCULATE, json=data)
    assert response.status_code == status, response.get_json()
    assert_valid(response_schema(CALCULATE, "POST", status), response.get_json())  # as the client did
    return response.get_json()


def refused(client, spec, field, **fields):
    error = calculate(client, spec, 422, **fields)["error"]
    assert error["field"] == field, error
    return error


# -- art. 33 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("promptly", [False, True])
def test_minor_no_harm(client, spec, promptly):
    """"违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚" (art. 33(1))."""
    result = calculate(client, spec, minor_no_harm=True, corrected_promptly=promptly)
    assert result["fine_applies"] is not promptly
    assert result["no_penalty_reason"] == ("minor_no_harm" if promptly else None)
    codes = [m["code"] for m in result["measures"]]
    assert "order_to_correct" in codes and ("educate" in codes) is promptly


@pytest.mark.parametrize("promptly", [False, True])
def test_first_minor(client, spec, promptly):
    """"初次违法且危害后果轻微并及时改正的，可以不予行政处罚" (art. 33(1)): fines kept, may be waived."""
    result = calculate(client, spec, first_minor=True, corrected_promptly=promptly)
    assert result["fine_applies"] is True and result["fines"]
    assert result["may_waive_fine"] is promptly and result["no_penalty_reason"] is None


@pytest.mark.parametrize("promptly", [False, True])
def test_no_fault(client, spec, promptly):
    """"当事人有证据足以证明没有主观过错的，不予行政处罚" (art. 33(2))."""
    result = calculate(client, spec, no_fault=True, corrected_promptly=promptly)
    assert result["fine_applies"] is False and result["no_penalty_reason"] == "no_fault"


@pytest.mark.parametrize("name", ["corrected_promptly", "minor_no_harm", "first_minor", "no_fault"])
def test_art_33_facts_must_be_booleans(client, spec, name):
    refused(client, spec, name, **{name: "true"})


# -- art. 36 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("discovered", "barred"), [("2026-03-01", False), ("2026-03-02", True)])
def test_limitation_both_sides(client, spec, discovered, barred):
    """"违法行为在二年内未被发现的，不再给予行政处罚" (art. 36): act 2024-03-01."""
    result = calculate(client, spec, act_date="2024-03-01", discovered_on=discovered)
    assert result["limitation_expires_on"] == "2026-03-01" and result["time_barred"] is barred
    assert result["no_penalty_reason"] == ("time_barred" if barred else None)
    assert result["fine_applies"] is not barred


def test_five_years_and_omitted_discovery(client, spec):
    """"…延长至五年"; without discovered_on, time_barred is null."""
    result = calculate(client, spec, act_date="2024-03-01", endangers_life_health_or_finance=True)
    assert result["limitation_expires_on"] == "2029-03-01" and result["limitation_years"] == 5
    assert result["time_barred"] is None


@pytest.mark.parametrize("value", ["2025-02-28", "2026-07-01", "2026-7-1", 1, True])
def test_bad_discovery_date_is_named(client, spec, value):
    refused(client, spec, "discovered_on", discovered_on=value)


def test_endangers_must_be_a_boolean(client, spec):
    refused(client, spec, "endangers_life_health_or_finance", endangers_life_health_or_finance="yes")


# -- citations to the item --------------------------------------------------------------------------------


@pytest.mark.parametrize(("item", "status"), [(None, 200), (4, 200), (5, 422), ("4", 422)])
def test_item_omitted_right_and_unknown(client, spec, item, status):
    """LN 31 "（四）…设计方案未经论证或者论证未通过或者未按照论证方案进行施工的"."""
    fields = {"jurisdiction": "liaoning", "violation": "liaoning-31", "item": item}
    if status == 422:
        refused(client, spec, "item", **fields)
        return
    citation = calculate(client, spec, **fields)["citation"]
    assert citation["item"] == item
    assert citation["label"] == "《辽宁省公共安全技术防范条例》第三十一条" + ("第（四）项" if item else "")


def test_violations_list_the_item_choices(client, spec):
    response = client.get("/api/v1/jurisdictions/inner-mongolia/violations")
    assert_valid(response_schema(response.request.path, "GET", 200), response.get_json())
    row = next(row for row in response.get_json() if row["code"] == "inner-mongolia-27")
    assert [choice["number"] for choice in row["item_choices"]] == [1, 2, 3, 4, 5, 6]
    assert row["item_choices"][2]["violates"] == ["第十九条第（三）项"]


# -- targets in the article's own words -------------------------------------------------------------------


@pytest.mark.parametrize(("violation", "label"), [("liaoning-31", "单位负责人及相关责任人"), ("liaoning-34", "直接责任人")])
def test_targets_in_the_articles_words(client, spec, violation, label):
    """LN 31 "对单位负责人及相关责任人处5000元罚款"; LN 34 "对直接责任人处5000元罚款"."""
    result = calculate(client, spec, jurisdiction="liaoning", violation=violation)
    assert [(line["target"], line["label"]) for line in result["fines"]] == [
        ("unit", "单位"), ("responsible_person", label)
    ]


# -- overlaps, readings, the amount proposed --------------------------------------------------------------


def test_overlap_named_with_the_higher_fine(client, spec):
    """Art. 29 "按照罚款数额高的规定处罚": LN 31(3) and LN 34 answer the same act."""
    result = calculate(client, spec, jurisdiction="liaoning", violation="liaoning-31", item=3)
    assert [(o["provision"], o["higher_fine"]) for o in result["overlaps"]] == [("liaoning-34", "liaoning-31")]


def test_inner_mongolia_23_needs_legal_review(client, spec):
    """IM 23 "造成严重后果的" read as its own clause: fined even when corrected; legal review."""
    result = calculate(client, spec, violation="inner-mongolia-23", severe=True, corrected_by_deadline=True)
    assert result["fine_applies"] is True and result["legal_review_required"] is True


@pytest.mark.parametrize(
    ("violation", "party", "amount", "hearing", "summary"),
    [
        ("inner-mongolia-27", "unit", 9999, False, False),  # 对单位…一万元以上
        ("inner-mongolia-27", "unit", 10000, True, False),
        ("inner-mongolia-27", "individual", 1999, False, False),  # 对个人…二千元以上
        ("inner-mongolia-27", "individual", 2000, True, False),
        ("inner-mongolia-27", "unit", 5000, False, False),  # never the individual's threshold for a unit
    ],
)
def test_hearing_threshold_exactly(client, spec, violation, party, amount, hearing, summary):
    result = calculate(client, spec, violation=violation, party=party, proposed_amount=amount)
    assert result["proposed_amount"] == amount
    assert result["hearing_notice"] is hearing and result["summary_procedure"] is summary


@pytest.mark.parametrize(("amount", "gains", "summary"), [(3000, 0, True), (3001, 0, False), (3000, 1, False)])
def test_summary_threshold_for_a_unit_exactly(client, spec, amount, gains, summary):
    """Art. 51 "对法人或者其他组织处以三千元以下罚款": QHD 25 (1000–5000) for a unit. (No regional
    provision lets an individual be fined 200 yuan; that side is tested through the calculator.)"""
    result = calculate(client, spec, jurisdiction="qinhuangdao", violation="qinhuangdao-25",
                       proposed_amount=amount, illegal_gains=gains)
    assert result["summary_procedure"] is summary


@pytest.mark.parametrize(("party", "gains", "hearing"),
                         [("unit", 9999, False), ("unit", 10000, True), ("individual", 1999, False),
                          ("individual", 2000, True)])
def test_hearing_with_confiscated_gains(client, spec, party, gains, hearing):
    """Art. 63 "没收较大数额违法所得"."""
    result = calculate(client, spec, party=party, proposed_amount=5000 if party == "unit" else 1000,
                       illegal_gains=gains)
    assert result["confiscate_illegal_gains"] == gains and result["hearing_notice"] is hearing


@pytest.mark.parametrize("amount", [4999, 20001, 0, "5000", 1.5])
def test_proposed_amount_outside_the_range_is_named(client, spec, amount):
    refused(client, spec, "proposed_amount", proposed_amount=amount)

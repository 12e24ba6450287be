"""The JSON API's contract (issue 4, item 5): lists, the calculation result key by key, the error shape,
refusals naming the field, headers; and that every jurisdiction answers whatever the deployment's own.
Every answer is also validated against the generated OpenAPI document (tests/app/api/api_contract.py)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from tests.app.api.api_contract import api_contract  # noqa: F401 - every answer checked against the document
from workflows.penalty_pack import all_penalty_packs
from workflows.rules import all_packs

# Results depend on today (no act after it; limitation_expires_on is compared with it): pinned.
pytestmark = pytest.mark.today("2026-11-30")
CALCULATE = "/api/v1/penalties/calculate"
# Every pack the loader finds (the shipped four and the generated fifth, tests/fifth_pack.py): no list here.
CODES = list(all_packs())
IN_FORCE = {code: pack.regulation.in_force_from.isoformat() for code, pack in all_packs().items()}
RESULT_KEYS = {
    "citation", "order_to_correct_first", "fine_applies", "no_fine_provision", "fines",
    "confiscate_illegal_gains", "measures", "hearing_notice", "summary_procedure", "limitation_expires_on",
    "no_penalty_reason", "may_waive_fine", "time_barred", "limitation_years",
    "proposed_amount", "legal_review_required", "overlaps", "trace",
}


def body(**overrides):
    data = {"jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit", "act_date": "2024-06-01"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not ...}


def post(client, data):
    return client.post(CALCULATE, json=data)


def error_of(response, status, field):
    """The one error shape: {"error": {code, type, field, message, message_en}} naming the field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == status
    assert error["field"] == field, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["message_en"], str) and error["message_en"]
    assert response.headers["Cache-Control"] == "no-store"
    return error


# -- lists ----------------------------------------------------------------------------------------------


def test_jurisdictions_lists_all_four_with_their_texts_in_force(client):
    response = client.get("/api/v1/jurisdictions")
    assert response.status_code == 200 and response.is_json
    rows = response.get_json()
    assert [row["code"] for row in rows] == CODES
    for row in rows:
        assert set(row) == {"code", "name", "regulation", "in_force_from"}
        assert row["in_force_from"] == IN_FORCE[row["code"]]
        assert isinstance(row["name"], str) and row["regulation"].endswith(("条例", "办法"))
    liaoning = next(row for row in rows if row["code"] == "liaoning")
    assert liaoning["name"] == "辽宁省" and liaoning["regulation"] == "辽宁省公共安全技术防范条例"
    assert {"liaoning", "inner-mongolia", "shanxi", "qinhuangdao", "lanling"} <= set(CODES)
    assert response.headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize("code", CODES)
def test_violations_list_each_provision(client, code):
    response = client.get(f"/api/v1/jurisdictions/{code}/violations")
    assert response.status_code == 200
    rows = response.get_json()
    assert [row["code"] for row in rows] == [p.code for p in all_penalty_packs()[code].provisions]
    for row in rows:
        assert set(row) == {"code", "title", "article", "paragraph", "items", "item_choices"}
        assert isinstance(row["title"], str) and isinstance(row["article"], int)
        assert row["paragraph"] is None or isinstance(row["paragraph"], int)
        assert isinstance(row["items"], list) and all(isinstance(i, int) for i in row["items"])


def test_violations_row_for_a_paragraph_and_items(client):
    rows = {row["code"]: row for row in client.get("/api/v1/jurisdictions/shanxi/violations").get_json()}
    assert rows["shanxi-24-2"]["article"] == 24 and rows["shanxi-24-2"]["paragraph"] == 2
    rows = {row["code"]: row for row in client.get("/api/v1/jurisdictions/liaoning/violations").get_json()}
    assert rows["liaoning-31"] == {
        "code": "liaoning-31",
        "title": rows["liaoning-31"]["title"],
        "article": 31,
        "paragraph": None,
        "items": [1, 2, 3, 4],
        "item_choices": rows["liaoning-31"]["item_choices"],
    }
    assert [choice["number"] for choice in rows["liaoning-31"]["item_choices"]] == [1, 2, 3, 4]


def test_unknown_jurisdiction_violations_is_a_json_404_naming_it(client):
    error = error_of(client.get("/api/v1/jurisdictions/atlantis/violations"), 404, "jurisdiction")
    assert error["type"] == "unknown_jurisdiction"
    assert "atlantis" in error["message"] and "atlantis" in error["message_en"]


# -- the result, key by key -------------------------------------------------------------------------------


def test_result_has_every_key_of_the_contract_with_its_type(client):
    response = post(client, body(illegal_gains=5000))
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    result = response.get_json()
    assert set(result) == RESULT_KEYS
    assert result["citation"] == {
        "regulation": "辽宁省公共安全技术防范条例", "article": 35, "paragraph": None, "item": None,
        "label": "《辽宁省公共安全技术防范条例》第三十五条",
        "violates": ["《辽宁省公共安全技术防范条例》第二十二条第（一）项、第（三）项、第（四）项"],
    }
    for key in ("order_to_correct_first", "fine_applies", "no_fine_provision", "hearing_notice",
                "summary_procedure"):
        assert isinstance(result[key], bool), key
    assert isinstance(result["confiscate_illegal_gains"], int)
    dt.date.fromisoformat(result["limitation_expires_on"])
    for line in result["fines"]:
        assert set(line) - {"basis"} == {"target", "label", "min", "max", "recommended"}
        assert line["target"] in {"unit", "individual", "responsible_person"}
        assert all(type(line[k]) is int for k in ("min", "max", "recommended"))
    for measure in result["measures"]:
        assert set(measure) == {"code", "label", "condition", "citation", "note"}
    assert result["trace"] and all(
        set(step) == {"step", "description", "citation", "value"} for step in result["trace"]
    )


def test_liaoning_35_illegal_gains_fine_is_an_entry_of_its_own(client):
    """辽宁 35: 对单位处3万元罚款…有违法所得的，没收违法所得，处违法所得三倍罚款."""
    result = post(client, body(illegal_gains=5000)).get_json()
    assert result["fines"] == [
        {"target": "unit", "label": "单位", "min": 30000, "max": 30000, "recommended": 30000},
        {"target": "unit", "label": "单位", "min": 15000, "max": 15000, "recommended": 15000,
         "basis": "illegal_gains"},
    ]
    assert result["confiscate_illegal_gains"] == 5000
    assert result["order_to_correct_first"] is False and result["fine_applies"] is True
    assert result["hearing_notice"] is True and result["summary_procedure"] is False
    assert result["limitation_expires_on"] == "2026-06-01"
    assert "fine_illegal_gains" in [step["step"] for step in result["trace"]]
    person = post(client, body(party="individual")).get_json()
    assert person["fines"] == [
        {"target": "individual", "label": "个人", "min": 10000, "max": 10000, "recommended": 10000}
    ]


@pytest.mark.parametrize(
    ("jurisdiction", "violation", "expected"),
    [
        # 辽宁 31: 对单位处3万元罚款，对单位负责人及相关责任人处5000元罚款
        ("liaoning", "liaoning-31", [("unit", 30000), ("responsible_person", 5000)]),
        # 辽宁 34: 对单位处1万元罚款，对直接责任人处5000元罚款
        ("liaoning", "liaoning-34", [("unit", 10000), ("responsible_person", 5000)]),
        # 山西 25: 对建设单位处3000元以上1万元以下…对直接负责的主管人员…处1000元以上3000元以下
        ("shanxi", "shanxi-25", [("unit", 6500), ("responsible_person", 2000)]),
    ],
)
def test_a_units_fines_include_its_responsible_persons(client, jurisdiction, violation, expected):
    result = post(client, body(jurisdiction=jurisdiction, violation=violation)).get_json()
    assert [(line["target"], line["recommended"]) for line in result["fines"]] == expected


def test_liaoning_33_answers_its_measures_and_no_fine(client):
    """辽宁 33: 由公安机关责令拆除；拒不拆除的，依法予以强制拆除 — no fine for anyone."""
    result = post(client, body(violation="liaoning-33")).get_json()
    assert result["no_fine_provision"] is True and result["fine_applies"] is False
    assert result["fines"] == []
    assert [m["code"] for m in result["measures"]][:2] == ["order_to_remove", "forced_removal"]
    assert result["hearing_notice"] is False and result["summary_procedure"] is False


def test_corrected_in_time_is_not_fined(client):
    result = post(client, body(violation="liaoning-31", corrected_by_deadline=True)).get_json()
    assert result["order_to_correct_first"] is True
    assert result["fine_applies"] is False and result["fines"] == []


def test_nulls_take_the_documented_defaults(client):
    explicit = post(client, body(corrected_by_deadline=False, severe=False, illegal_gains=0, tier="normal"))
    nulls = post(client, body(corrected_by_deadline=None, severe=None, illegal_gains=None, tier=None))
    assert explicit.get_json() == nulls.get_json() == post(client, body()).get_json()


# -- the act date ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_an_act_before_the_text_in_force_is_refused(client, code):
    day_before = (dt.date.fromisoformat(IN_FORCE[code]) - dt.timedelta(days=1)).isoformat()
    violation = all_penalty_packs()[code].provisions[0].code
    error = error_of(post(client, body(jurisdiction=code, violation=violation, act_date=day_before)), 422,
                     "act_date")
    assert error["type"] == "act_date_out_of_range" and IN_FORCE[code] in error["message"]
    on_the_day = post(client, body(jurisdiction=code, violation=violation, act_date=IN_FORCE[code]))
    assert on_the_day.status_code == 200


@pytest.mark.today("2026-11-30", at="00:30")  # Beijing's Monday; still Sunday in UTC
def test_an_act_in_the_future_is_refused_and_today_cannot_be_sent(client):
    tomorrow = "2026-12-01"
    error = error_of(post(client, body(act_date=tomorrow)), 422, "act_date")
    assert error["type"] == "act_date_out_of_range"
    assert post(client, body(act_date="2026-11-30")).status_code == 200
    error_of(post(client, body(act_date=tomorrow, today="2999-01-01")), 422, "today")


# -- refusals that name the field --------------------------------------------------------------------------------

BAD_FIELDS = [
    (body(jurisdiction=...), "jurisdiction"),
    (body(jurisdiction=None), "jurisdiction"),
    (body(jurisdiction="atlantis"), "jurisdiction"),
    (body(jurisdiction=["liaoning"]), "jurisdiction"),
    (body(violation=...), "violation"),
    (body(violation="shanxi-25"), "violation"),
    (body(violation=35), "violation"),
    (body(party=...), "party"),
    (body(party="company"), "party"),
    (body(act_date=...), "act_date"),
    (body(act_date="2024-02-30"), "act_date"),
    (body(act_date="2024/06/01"), "act_date"),
    (body(act_date="20240601"), "act_date"),
    (body(act_date=20240601), "act_date"),
    (body(act_date="2024-06-01T00:00:00"), "act_date"),
    (body(illegal_gains=-1), "illegal_gains"),
    (body(illegal_gains="5000"), "illegal_gains"),
    (body(illegal_gains=1.5), "illegal_gains"),
    (body(illegal_gains=True), "illegal_gains"),
    (body(illegal_gains=10**40), "illegal_gains"),
    (body(tier="harsh"), "tier"),
    (body(severe="yes"), "severe"),
    (body(corrected_by_deadline=1), "corrected_by_deadline"),
    (body(first_minor="false"), "first_minor"),
    (body(severity=True), "severity"),
]


@pytest.mark.parametrize(("data", "field"), BAD_FIELDS)
def test_a_bad_value_is_a_422_naming_its_field(client, data, field):
    error_of(post(client, data), 422, field)


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"[]", "application/json"),
        (b'"liaoning"', "application/json"),
        (b"42", "application/json"),
        (b"null", "application/json"),
        (b"{", "application/json"),
        (b"{'jurisdiction': 'liaoning'}", "application/json"),
        (b'{"illegal_gains": NaN}', "application/json"),
        (b'{"illegal_gains": Infinity}', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"", "application/json"),
        (b"   ", "application/json"),
        (b"[" * 8000 + b"]" * 8000, "application/json"),
        (b'{"a": "' + b"x" * 20000 + b'"}', "application/json"),
        (b"1" * 5000, "application/json"),
        (json.dumps(body()).encode(), "text/plain"),
        (b"jurisdiction=liaoning", "application/x-www-form-urlencoded"),
        (json.dumps(body()).encode(), None),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, raw, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    error = error_of(client.post(CALCULATE, data=raw, headers=headers), 400, "body")
    assert error["type"] == "invalid_body"


def test_a_chunked_body_is_read_and_held_to_the_same_limit(app):
    """A body sent without Content-Length (chunked: the server marks the input terminated) is read through
    werkzeug's stream; one over 16 KiB is refused like one that declares its length."""
    client = app.test_client(use_cookies=False)

    def chunked(raw: bytes):
        return client.post(CALCULATE, input_stream=io.BytesIO(raw), content_type="application/json",
                           environ_overrides={"wsgi.input_terminated": True})

    answer = chunked(json.dumps(body()).encode())
    assert answer.status_code == 200 and answer.get_json()["fine_applies"] is True
    huge = b'{"a": "' + b"x" * 20000 + b'"}'
    assert error_of(chunked(huge), 400, "body")["message_en"] == "the request body exceeds 16384 bytes"
    declared = client.post(CALCULATE, data=b"{}", content_type="application/json",
                           environ_overrides={"CONTENT_LENGTH": "999999"})
    assert error_of(declared, 400, "body")["message_en"] == "the request body exceeds 16384 bytes"


def test_calculate_needs_no_csrf_token_and_no_cookie(app):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    fresh = app.test_client(use_cookies=False)
    assert fresh.post(CALCULATE, json=body()).status_code == 200


def test_a_client_without_cookies_is_given_none_and_gets_the_security_headers(app):
    fresh = app.test_client(use_cookies=False)
    response = fresh.post(CALCULATE, json=body())
    assert response.status_code == 200 and response.get_json()["fine_applies"] is True
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    # Nothing read the (absent) session, so the answer does not claim to vary by cookie.
    assert "Vary" not in response.headers


# -- site-wide errors under /api are JSON in the same envelope ------------------------------------------------


def test_unknown_url_and_wrong_method_under_api_are_json(client):
    for response, status in ((client.get("/api/v1/nowhere"), 404), (client.get(CALCULATE), 405),
                             (client.delete("/api/v1/jurisdictions"), 405)):
        assert response.status_code == status and response.is_json
        error = response.get_json()["error"]
        assert error["code"] == status and isinstance(error["message"], str)


def test_an_unexpected_failure_under_api_is_a_json_500(app):
    from app.security import PUBLIC, allow

    @app.route("/api/v1/test-failure")
    @allow(PUBLIC)
    def failure():
        raise RuntimeError("boom")

    response = app.test_client().get("/api/v1/test-failure")
    assert response.status_code == 500 and response.is_json
    assert response.get_json()["error"]["code"] == 500
    assert "boom" not in response.get_data(as_text=True)


# -- every jurisdiction answers, whatever the deployment's own -----------------------------------------------


class TestEveryDeployment:
    @pytest.fixture(params=["liaoning", "shanxi", "lanling"])  # lanling: the generated fifth pack
    def app_config(self, request):
        return {"JIFANG_JURISDICTION": request.param}

    def test_every_jurisdiction_and_provision_answers(self, app, client):
        assert app.extensions["jifang.pack"].code in ("liaoning", "shanxi", "lanling")
        assert [row["code"] for row in client.get("/api/v1/jurisdictions").get_json()] == CODES
        for code in CODES:
            rows = client.get(f"/api/v1/jurisdictions/{code}/violations").get_json()
            for row in rows:
                for party in ("unit", "individual"):
                    response = post(client, body(jurisdiction=code, violation=row["code"], party=party))
                    assert response.status_code == 200, (code, row["code"], response.get_json())
                    assert response.get_json()["citation"]["article"] == row["article"]


def test_decided_on_defaults_to_today_and_is_not_before_the_act(client):
    """1.3.0 (issue 13): 行政处罚法 art. 37 needs the decision date; the trace says which values applied."""
    error = error_of(post(client, body(act_date="2024-06-01", decided_on="2024-05-31")), 422, "decided_on")
    assert error["type"] == "invalid_facts"
    result = post(client, body(decided_on="2024-06-01")).get_json()
    step = next(step for step in result["trace"] if step["step"] == "values_in_force") if any(
        step["step"] == "values_in_force" for step in result["trace"]) else None
    assert step is None  # a provision without amendments has one set of values: nothing to choose
    assert post(client, body(decided_on="2026-11-30")).get_json() == post(client, body()).get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["version"] == "1.3.0" and "Changed in 1.3.0" in spec["info"]["description"]
    assert "decided_on" in spec["components"]["schemas"]["CalculationRequest"]["properties"]

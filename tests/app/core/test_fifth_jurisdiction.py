"""Issue 13, done when: a jurisdiction folder copied under a new code, with only its codes, names and amounts
changed (tests/fifth_pack.py, generated once per run by tests/conftest.py), is a working deployment with
JIFANG_JURISDICTION=lanling — the app starts, files, lists the roster, calculates and answers the API — and
the per-jurisdiction tests run on it, while no list of codes exists in the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from app.extensions import db
from app.models import Firm
from tests.app.filing_support import decide, submit_new
from tests.fifth_pack import CODE
from tests.support import login
from workflows.rules import PACKS_DIR, ROOTS_VAR, jurisdiction_codes, load_pack, pack_folder

pytestmark = pytest.mark.today("2026-11-30")
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def app_config():
    return {"JIFANG_JURISDICTION": CODE}


def test_the_generated_pack_is_found_by_folder_outside_the_shipped_ones():
    assert CODE in jurisdiction_codes()
    folder = pack_folder(CODE)
    assert str(folder.parent) in os.environ[ROOTS_VAR] and folder.parent != PACKS_DIR
    assert load_pack(CODE).name == "兰陵省" and load_pack(CODE).regulation.source is None


def test_no_list_of_jurisdiction_codes_is_left_in_the_code():
    """The codes live in folder names only: no module of the app or the engine spells two of them together."""
    pattern = re.compile(r"[\"'](liaoning|inner-mongolia|shanxi|qinhuangdao)[\"']\s*,\s*[\"'](liaoning|inner-mongolia|"
                         r"shanxi|qinhuangdao)[\"']")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "workflows", "forms", "imports", "reports")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_new_jurisdiction_files_lists_calculates_and_answers(app, factory):
    pack = app.extensions["jifang.pack"]
    assert pack.code == CODE
    # A firm of the new province files with the bureau of its premises' city (the copied route, renamed codes).
    firm = factory.firm(division="990102", city_code="990200")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = submit_new(client, pack, city_code="990200")
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code="990200"))
    assert decide(clerk, request_id, "approve", "材料齐全").status_code == 302
    db.session.expire_all()
    number = db.session.get(Firm, firm.id).filing_number
    assert number == "兰公技备〔2026〕990200-0001号"

    roster = lxml_html.fromstring(client.get(f"/roster?credit_code={firm.credit_code}").data)
    assert number in roster.text_content()

    # the calculator page and the API, on the new pack's doubled amounts (Liaoning art. 32: 2500 → 5000)
    page = clerk.get(f"/penalties/calculator?jurisdiction={CODE}&violation={CODE}-32&party=unit&act_date=2024-06-01")
    assert page.status_code == 200
    assert "10000" in lxml_html.fromstring(page.data).text_content()
    answer = client.post("/api/v1/penalties/calculate", json={
        "jurisdiction": CODE, "violation": f"{CODE}-32", "party": "unit", "act_date": "2024-06-01"})
    assert answer.status_code == 200, answer.get_json()
    liaoning = client.post("/api/v1/penalties/calculate", json={
        "jurisdiction": "liaoning", "violation": "liaoning-32", "party": "unit", "act_date": "2024-06-01"})
    ours, theirs = answer.get_json()["fines"][0], liaoning.get_json()["fines"][0]
    assert (ours["min"], ours["max"]) == (2 * theirs["min"], 2 * theirs["max"])
    assert answer.get_json()["citation"]["regulation"] == "兰陵省公共安全技术防范条例"
    codes = [row["code"] for row in client.get("/api/v1/jurisdictions").get_json()]
    assert CODE in codes
    spec = client.get("/api/v1/openapi.json").get_json()
    assert CODE in spec["components"]["schemas"]["CalculationRequest"]["properties"]["jurisdiction"]["enum"]

"""The packs' rule cases: `workflows/jurisdictions/<code>/cases.yaml`, beside each pack, written from its
regulation's text as facts in and result out (the file's head says how to read and add one). One test per
case, for every pack the loader finds; a pack without the file (the generated fifth) has none."""

from __future__ import annotations

import datetime as dt

import pytest

import workflows.penalty as penalty
from workflows.penalty import Facts, calculate
from workflows.penalty_pack import load_penalty_pack
from workflows.rules import jurisdiction_codes, pack_folder
from workflows.yaml_file import read_mapping

CASES_FILE = "cases.yaml"


def _pack_cases() -> list:
    params = []
    for code in jurisdiction_codes():
        path = pack_folder(code) / CASES_FILE
        if not path.is_file():
            continue
        data = read_mapping(path, ValueError)
        assert data.get("code") == code, f"{path}: field code: {data.get('code')!r} does not name its folder"
        for number, case in enumerate(data["cases"], 1):
            case = {"today": data.get("today"), **case}
            params.append(pytest.param(code, case, id=f"{code}-{number}-{case['provision']}"))
    return params


CASES = _pack_cases()


def _plain(value):
    """YAML's dates as the ISO text the result's to_dict() writes."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def test_every_pack_written_from_a_text_has_cases():
    """A pack that holds its regulation's text has rule cases beside it; the generated one may have none."""
    from workflows.rules import load_pack

    with_text = {code for code in jurisdiction_codes() if load_pack(code).regulation.source}
    assert with_text <= {case.values[0] for case in CASES}


@pytest.mark.parametrize(("code", "case"), CASES)
def test_pack_case(code, case):
    pack = load_penalty_pack(code)
    known = {"name", "provision", "facts", "today", "expect", "refused"}
    assert set(case) <= known, f"unknown keys {set(case) - known} in case {case['name']!r}"
    facts = dict(case["facts"])
    if "refused" in case:
        error = getattr(penalty, case["refused"])
        with pytest.raises(error):
            calculate(pack, case["provision"], Facts(**facts, today=case["today"]))
        return
    result = calculate(pack, case["provision"], Facts(**facts, today=case["today"])).to_dict()
    for key, wanted in _plain(case["expect"]).items():
        assert key in result, f"{case['name']}: the result has no {key!r}"
        if key == "fines":
            got = [{field: line.get(field) for field in want} for line, want in zip(result["fines"], wanted, strict=False)]
            assert len(result["fines"]) == len(wanted) and got == wanted, (
                f"{case['name']}: fines {result['fines']}")
        else:
            assert result[key] == wanted, f"{case['name']}: {key} is {result[key]!r}, the case says {wanted!r}"

"""Dated values and 行政处罚法 art. 37 (从旧兼从轻), issue 13 point 2.

"实施行政处罚，适用违法行为发生时的法律、法规、规章的规定。但是，作出行政处罚决定时，法律、法规、规章已被修改或者
废止，且新的规定处罚较轻或者不认为是违法的，适用新的规定。" An amendment adds a dated value to a provision; the
calculator applies the values in force on the act date, or those in force on the decision date where they are
lighter — read as a lower maximum fine for the party, then, at an equal maximum, a lower minimum — or where
the act is no longer punished. The pack here is Liaoning's with amendments added (a copy in a temporary folder).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml

from workflows.penalty import Facts, InvalidFacts, calculate
from workflows.penalty_pack import JURISDICTIONS_DIR, PenaltyPackError, load_penalty_pack_file

TODAY = dt.date(2028, 6, 30)
RAISED = dt.date(2027, 1, 1)  # liaoning-35's fines raised from this day
LOWERED = dt.date(2027, 7, 1)  # liaoning-34's unit fine lowered from this day (its maximum falls)
REPEALED = dt.date(2027, 3, 1)  # liaoning-32 no longer punished from this day
AMENDING_ACT = {"law": "辽宁省人民代表大会常务委员会关于修改《辽宁省公共安全技术防范条例》的决定（示例）", "article": 1}


def _pack(tmp_path, edit=None):
    folder = tmp_path / "liaoning"
    shutil.copytree(JURISDICTIONS_DIR / "liaoning", folder)
    path = folder / "penalties.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    provisions = {p["code"]: p for p in data["provisions"]}
    provisions["liaoning-35"]["amendments"] = [
        {"in_force_from": RAISED, "reference": AMENDING_ACT, "fines": {"unit": {"min": 50000, "max": 100000}}},
    ]
    provisions["liaoning-34"]["amendments"] = [
        {"in_force_from": LOWERED, "reference": AMENDING_ACT, "fines": {"unit": {"min": 2000, "max": 8000}},
         "reading": "单位罚款由1万元改为2000元以上8000元以下（示例）"},
    ]
    provisions["liaoning-32"]["amendments"] = [{"in_force_from": REPEALED, "reference": AMENDING_ACT, "repealed": True}]
    if edit:
        edit(provisions)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_penalty_pack_file(path)


def fines(result):
    return {line.target: (line.min, line.max) for line in result.fines}


def values_step(result):
    return next(step for step in result.trace if step.step == "values_in_force")


def run(pack, code, act, decided=None, **facts):
    return calculate(pack, code, Facts(party="unit", act_date=act, decided_on=decided, today=TODAY, **facts))


def test_a_raised_fine_applies_to_acts_from_its_date_only(tmp_path):
    pack = _pack(tmp_path)
    before = run(pack, "liaoning-35", dt.date(2026, 12, 31), decided=dt.date(2027, 2, 1))
    after = run(pack, "liaoning-35", RAISED, decided=dt.date(2027, 2, 1))
    assert fines(before) == {"unit": (30000, 30000)}  # the act's date: the old, lighter value
    assert fines(after) == {"unit": (50000, 100000)}
    step = values_step(before)
    assert "2026年12月31日" in step.description and "2027年1月1日起" in step.description
    assert "适用行为时的规定" in step.description and step.value is None  # the text's own values
    assert step.citation == "《中华人民共和国行政处罚法》第三十七条"
    assert values_step(after).value == RAISED and "相同" in values_step(after).description


def test_a_lighter_value_in_force_at_the_decision_applies_to_an_earlier_act(tmp_path):
    pack = _pack(tmp_path)
    act = dt.date(2027, 5, 1)
    on_the_old_day = run(pack, "liaoning-34", act, decided=dt.date(2027, 6, 30))
    after_the_change = run(pack, "liaoning-34", act, decided=LOWERED)
    assert fines(on_the_old_day)["unit"] == (10000, 10000)
    assert fines(after_the_change)["unit"] == (2000, 8000)  # art. 37: the new, lighter value
    assert fines(after_the_change)["responsible_person"] == (5000, 5000)  # not amended: unchanged
    step = values_step(after_the_change)
    assert "新的规定处罚较轻" in step.description and step.value == LOWERED
    # a heavier case is not lighter: the unit's severe fine (30000) was not amended, its maximum stays above
    severe = run(pack, "liaoning-34", act, decided=LOWERED, severe=True)
    assert fines(severe)["unit"] == (30000, 30000)


def test_lighter_is_a_lower_maximum_first_then_a_lower_minimum(tmp_path):
    def same_maximum_lower_minimum(provisions):
        provisions["liaoning-34"]["amendments"][0]["fines"] = {"unit": {"min": 5000, "max": 10000}}

    pack = _pack(tmp_path, same_maximum_lower_minimum)
    result = run(pack, "liaoning-34", dt.date(2027, 5, 1), decided=LOWERED)
    assert fines(result)["unit"] == (5000, 10000)  # max 10000 = 10000, min 5000 < 10000: lighter

    def higher_maximum_lower_minimum(provisions):
        provisions["liaoning-34"]["amendments"][0]["fines"] = {"unit": {"min": 1000, "max": 20000}}

    pack = _pack(tmp_path / "again", higher_maximum_lower_minimum)
    result = run(pack, "liaoning-34", dt.date(2027, 5, 1), decided=LOWERED)
    assert fines(result)["unit"] == (10000, 10000)  # the maximum decides first: not lighter


def test_an_act_no_longer_punished_at_the_decision_gets_no_penalty(tmp_path):
    pack = _pack(tmp_path)
    act = dt.date(2027, 2, 1)
    punished = run(pack, "liaoning-32", act, decided=dt.date(2027, 2, 28))
    assert punished.fine_applies and punished.no_penalty_reason is None
    repealed = run(pack, "liaoning-32", act, decided=REPEALED)
    assert (repealed.fine_applies, repealed.no_penalty_reason, repealed.measures) == (False, "no_longer_punishable", [])
    assert "不再处罚该行为" in values_step(repealed).description


def test_the_decision_date_defaults_to_today_and_is_not_before_the_act(tmp_path):
    pack = _pack(tmp_path)
    assert fines(run(pack, "liaoning-34", dt.date(2027, 5, 1)))["unit"] == (2000, 8000)  # today 2028: lighter
    with pytest.raises(InvalidFacts) as refused:
        run(pack, "liaoning-34", dt.date(2027, 5, 1), decided=dt.date(2027, 4, 30))
    assert refused.value.field == "decided_on"


def test_acts_before_the_earliest_text_are_still_refused(tmp_path):
    pack = _pack(tmp_path)
    from workflows.penalty import ActDateOutOfRange

    with pytest.raises(ActDateOutOfRange):
        run(pack, "liaoning-35", dt.date(2015, 1, 31), decided=RAISED)


@pytest.mark.parametrize(("edit", "named"), [
    (lambda p: p["liaoning-35"]["amendments"].append(dict(p["liaoning-35"]["amendments"][0])), "oldest first"),
    (lambda p: p["liaoning-35"]["amendments"][0].update(in_force_from=dt.date(2014, 1, 1)), "after the text"),
    (lambda p: p["liaoning-35"]["amendments"][0].update(fines={}), "give the fines in force from this date"),
    (lambda p: p["liaoning-32"]["amendments"][0].update(fines={"unit": {"fixed": 1}}), "a repeal sets no fines"),
])
def test_a_broken_amendment_names_file_and_field(tmp_path, edit, named):
    with pytest.raises(PenaltyPackError) as refused:
        _pack(tmp_path, edit)
    assert named in str(refused.value) and "penalties.yaml" in str(refused.value)

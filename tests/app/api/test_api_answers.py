"""The calculator's answer is written straight from the engine's dict (app/api/models.py, calculation_json)
rather than validated into the contract's models first. These tests prove it is the same answer, byte for
byte, that the contract's model writes, for every provision of every pack the loader finds over a grid of
facts: the shortcut can never send what the contract would not."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest

from app.api.models import CalculationResult, calculation_json
from workflows.penalty import CalculationError, Facts, calculate
from workflows.penalty_pack import all_penalty_packs

TODAY = dt.date(2026, 11, 30)
FACTS = {
    "party": ("unit", "individual"),
    "severe": (False, True),
    "illegal_gains": (0, 8000),
    "corrected_by_deadline": (False, True),
    "tier": ("lenient", "severe"),
    "proposed": (False, True),
}


def provisions():
    for code, pack in all_penalty_packs().items():
        for provision in pack.provisions:
            yield pytest.param(pack, provision, id=f"{code}:{provision.code}")


def fact_grid(provision):
    """Facts over the grid, each item of an article that lists items, dates inside and outside the period."""
    items = [item.number for item in provision.items] or [None]
    acts = (dt.date(2025, 3, 1), dt.date(2023, 1, 10))  # within two years of TODAY, and beyond
    for values, item, act in itertools.product(itertools.product(*FACTS.values()), items, acts):
        chosen = dict(zip(FACTS, values, strict=True))
        proposed = chosen.pop("proposed")
        facts = {**chosen, "act_date": act, "today": TODAY, "discovered_on": TODAY if act.year < 2024 else None}
        if item is not None:
            facts["item"] = item
        yield facts, proposed


def answers(pack, provision):
    for facts, propose in fact_grid(provision):
        try:
            result = calculate(pack, provision.code, Facts(**facts))
            if propose and result.fines:
                line = result.fines[0]
                result = calculate(pack, provision.code, Facts(**facts, proposed_amount=max(line.min, 1)))
        except CalculationError:
            continue  # a combination the calculator refuses (422): no answer is written
        yield result.to_dict()


@pytest.mark.parametrize(("pack", "provision"), list(provisions()))
def test_the_answer_is_what_the_contract_model_writes(pack, provision):
    written = 0
    for data in answers(pack, provision):
        expected = CalculationResult.model_validate(data).model_dump_json(exclude_unset=True).encode() + b"\n"
        assert calculation_json(data) == expected
        written += 1
    assert written >= 8  # the grid reached this provision's answers, not only its refusals


def test_a_value_outside_the_contract_would_be_caught_by_the_comparison():
    """The comparison is not vacuous: an answer the contract's model would change or refuse differs."""
    pack = all_penalty_packs()["liaoning"]
    data = next(answers(pack, pack.provisions[0]))
    expected = CalculationResult.model_validate(data).model_dump_json(exclude_unset=True).encode() + b"\n"
    reordered = dict(reversed(list(data.items())))
    assert calculation_json(reordered) != expected
    assert json.loads(calculation_json(reordered)) == json.loads(expected)

"""The demo's complaints, warnings and penalty cases: fines as the calculator recommends them."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Complaint, PenaltyCase, WarningNotice
from imports.case_rows import CaseRowValidator
from workflows.penalty import calculate, pack_for


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "liaoning"}, {"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_demo_cases_follow_the_pack_and_fill_the_dashboard(app, db, runner, login_as, app_config):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    cases = db.session.scalars(select(PenaltyCase)).all()
    assert cases and db.session.scalars(select(Complaint)).all() and db.session.scalars(select(WarningNotice)).all()
    penalties = pack_for(app_config["JIFANG_JURISDICTION"])
    validator = CaseRowValidator(penalties, dt.date(2026, 11, 30))
    for case in cases:
        result = calculate(penalties, case.provision_code, {"party": "unit", "act_date": case.act_date.isoformat()})
        expected = sum(line.recommended for line in result.fines if line.target == "unit")
        assert case.fine_decided_fen == expected * 100
        # and the case import would take it back: a fine the article provides, on a party it names, in range
        assert validator.against_pack(case.provision_code, case.party_type, case.outcome, case.fine_decided_fen,
                                      mitigated=False) == {}
    assert runner.invoke(args=["load-demo"]).exit_code == 0  # twice changes nothing
    assert len(db.session.scalars(select(PenaltyCase)).all()) == len(cases)
    client, _ = login_as("provincial_clerk")
    year = max(case.decided_on.year for case in cases)
    html = client.get(f"/dashboard/?year={year}").get_data(as_text=True)
    assert "<svg" in html
    decided = [c for c in cases if c.decided_on.year == year]
    assert f"<dt>本年处罚案件</dt><dd>{len(decided)}</dd>" in html
    assert all(case.fine_decided_fen > 0 and case.outcome == "fined" for case in cases)

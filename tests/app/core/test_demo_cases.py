"""The demo's complaints, warnings and penalty cases: fines as the calculator recommends them."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Complaint, PenaltyCase, WarningNotice
from imports.case_rows import CaseRowValidator
from tests.support import page_text, parse
from workflows.penalty import calculate, pack_for


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "liaoning"}, {"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_demo_cases_follow_the_pack_and_fill_the_dashboard(app, db, runner, login_as, app_config):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    cases = db.session.scalars(select(PenaltyCase).where(PenaltyCase.authority_code.is_(None))).all()  # historical
    assert cases and db.session.scalars(select(Complaint)).all()  # warnings: see the complaints test below
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
    again = db.session.scalars(select(PenaltyCase).where(PenaltyCase.authority_code.is_(None))).all()
    assert len(again) == len(cases)
    client, _ = login_as("provincial_clerk")
    year = max(case.decided_on.year for case in cases)
    page = parse(client.get(f"/dashboard/?year={year}"))
    assert page.find("svg") is not None
    decided = [c for c in cases if c.decided_on.year == year]
    # and the cases the city bureau runs in the system, counted by their act until decided (reports/annual.py)
    running = db.session.scalars(select(PenaltyCase).where(PenaltyCase.authority_code.is_not(None))).all()
    decided += [c for c in running if (c.decided_on or c.act_date).year == year]
    facts = {page_text(term): page_text(term.find_next_sibling("dd")) for term in page.select("dl dt")}
    assert facts["本年处罚案件"] == str(len(decided))
    assert all(case.fine_decided_fen > 0 and case.outcome == "fined" for case in cases)


@pytest.mark.today("2026-11-30")
@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "liaoning"}, {"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_demo_complaints_reach_the_bureau_that_takes_them(app, db, runner, app_config):
    """Every demo complaint has its bureau (the firm's filing bureau, else the city's where it happened), so
    that bureau's demo clerk finds the open ones in the queue; a listing only where the pack has the list."""
    from app.complaints import service as complaints
    from app.complaints import warnings
    from app.demo import DEMO_PASSWORD
    from app.models import User
    from tests.support import post_form

    assert runner.invoke(args=["load-demo"]).exit_code == 0
    rows = db.session.scalars(select(Complaint)).all()
    assert {c.state for c in rows} >= {"received", "verifying", "verified", "unfounded"}
    assert set(complaints.workflow().states) >= {c.state for c in rows}
    for row in rows:
        assert row.authority_code == complaints.authority_for(row.firm, row.city_code)
    open_rows = [c for c in rows if c.state in complaints.OPEN_STATES]
    assert len(open_rows) >= 2
    for bureau in {c.authority_code for c in open_rows if c.firm_id}:  # the filing bureau has a demo clerk
        clerk = db.session.scalar(select(User).where(User.authority_code == bureau,
                                                     User.role.in_(("city_clerk", "provincial_clerk"))))
        assert clerk is not None, bureau
        session = app.test_client()
        response = post_form(session, "/auth/login", {"username": clerk.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        queue = {a["href"] for a in parse(session.get("/complaints/")).select("a[href]")}
        mine = [c for c in open_rows if c.authority_code == bureau]
        assert len(mine) >= 2 and all(f"/complaints/{c.id}" in queue for c in mine)
    listed = db.session.scalars(select(WarningNotice)).all()
    assert bool(listed) == (warnings.rules() is not None)

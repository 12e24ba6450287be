"""The demo data brings firms to every filing state through the workflow, in each jurisdiction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, FilingRequest, Firm
from workflows.rules import jurisdiction_codes


@pytest.mark.parametrize(
    "app_config",
    [{"JIFANG_JURISDICTION": code} for code in jurisdiction_codes()],  # every pack found, the generated fifth too
    ids=lambda c: c["JIFANG_JURISDICTION"],
)
def test_demo_firms_reach_each_state_through_the_workflow(app, runner):
    pack = app.extensions["jifang.pack"]
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    statuses = dict(db.session.execute(select(Firm.name, Firm.filing_status)).all())
    if not pack.filing.enabled:
        assert set(statuses.values()) == {"none"}
        assert db.session.scalar(select(func.count(FilingRequest.id))) == 0
        return
    states = {
        (r.firm.name, r.kind): r.state for r in db.session.scalars(select(FilingRequest)).all()
    }
    assert states[("示范安防科技有限公司", "initial")] == "draft"
    assert states[("示范智能系统工程有限公司", "initial")] == "filed"
    assert states[("示范报警运营服务有限公司", "cancellation")] == "cancelled"
    assert states[("外省示范安防工程有限公司", "initial")] == "under_review"
    assert states[("示范监控工程有限公司", "initial")] == "returned"
    assert states[("示范门禁系统有限公司", "initial")] == "under_review"
    assert statuses["示范智能系统工程有限公司"] == "in_force"
    assert statuses["示范报警运营服务有限公司"] == "cancelled"
    transitions = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.like("filing.%")))
    assert transitions > 10

    before = db.session.scalar(select(func.count(AuditEntry.id)))
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before  # idempotent

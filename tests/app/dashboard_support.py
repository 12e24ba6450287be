"""A year with one filed firm and one fined case, for the dashboard's tests."""

from __future__ import annotations

import datetime as dt

from app.extensions import db
from app.models import FirmBusinessType, PenaltyCase

# The dashboard shows the current year: its tests run on a pinned day of this year (pytest.mark.today(TODAY)).
TODAY = "2026-11-30"
YEAR = 2026


def seed_year(factory) -> None:
    """Filed on 2 January (design), fined 1,234.56 yuan under Liaoning art. 35 on 3 January."""
    factory.firm("统计单位", filing_number="N1", filed_on=dt.date(YEAR, 1, 2), filing_status="in_force",
                 filing_authority_code="210100", business_types=[FirmBusinessType(type_code="design")])
    db.session.add(PenaltyCase(case_number="C1", party_name="统计单位", jurisdiction="liaoning",
                               provision_code="liaoning-35", decided_on=dt.date(YEAR, 1, 3), outcome="fined",
                               fine_decided_fen=123456, state="decided"))
    db.session.commit()

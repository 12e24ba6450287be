"""Filing numbers are sequential per authority and year with no gaps or duplicates, even when many
clerks approve at the same moment (PostgreSQL and SQLite alike)."""

from __future__ import annotations

import re
import threading

from sqlalchemy import select

from app.extensions import db
from app.filings import service as filings
from app.filings.numbers import next_sequence
from app.models import FilingRequest, Firm
from tests.app.filing_support import submitted_request

CONCURRENT = 20


def test_sequences_are_per_authority_and_year(app):
    assert [next_sequence("210100", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_sequence("210200", 2026) == 1
    assert next_sequence("210100", 2027) == 1
    db.session.rollback()  # a rolled-back approval gives its number back: no gap
    assert next_sequence("210100", 2026) == 1


def test_concurrent_approvals_yield_distinct_consecutive_numbers(app, factory):
    requests = [submitted_request(app, factory, city_code="210100")[0] for _ in range(CONCURRENT)]
    ids = [r.id for r in requests]
    clerk_ids = [factory.user("city_clerk", authority_code="210100").id for _ in range(4)]
    db.session.remove()
    barrier = threading.Barrier(CONCURRENT)
    errors: list[BaseException] = []

    def approve(index: int, request_id: int) -> None:
        from app.models import User

        try:
            with app.app_context():
                request = db.session.get(FilingRequest, request_id)
                clerk = db.session.get(User, clerk_ids[index % len(clerk_ids)])
                db.session.commit()  # give the connection back: the pool holds fewer than 20
                barrier.wait(timeout=30)
                filings.decide(request, "approve", clerk, None)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(i, rid)) for i, rid in enumerate(ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, [e for e in errors if not isinstance(e, threading.BrokenBarrierError)] or errors

    numbers = db.session.scalars(select(Firm.filing_number).where(Firm.filing_number.is_not(None))).all()
    assert len(numbers) == CONCURRENT == len(set(numbers))
    sequences = sorted(int(re.search(r"-(\d{4})号$", n).group(1)) for n in numbers)
    assert sequences == list(range(1, CONCURRENT + 1))
    states = db.session.scalars(select(FilingRequest.state).where(FilingRequest.id.in_(ids))).all()
    assert set(states) == {"filed"}

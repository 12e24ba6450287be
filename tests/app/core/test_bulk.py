"""Bulk inserts (app/services/bulk.py): executemany on SQLite, COPY on PostgreSQL. Either way the values a
user typed come back exactly, and the rows belong to the caller's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models.firm import Firm
from app.services.bulk import insert_rows

COLUMNS = ("name", "credit_code", "legal_rep", "registered_address", "premises_address", "contact_name",
           "contact_phone", "city_code", "is_local", "filed_on", "filing_number", "filing_status", "created_at",
           "updated_at")
AWKWARD = "甲\t乙\\丙\n丁 \"戊\" '己' ,;|\\N"  # tab, backslash, newline, quotes and COPY's own NULL marker


def _rows(count: int) -> list[tuple]:
    at = dt.datetime(2025, 3, 1, 8, 30, 15, 123456)
    return [(f"{AWKWARD}{i}", f"91210100MA{i:08d}", "", "沈阳市和平区", AWKWARD, "李四",
             "" if i % 2 else "13800000000", None if i % 2 else "210100", i % 3 == 0, dt.date(2025, 1, 1) + dt.timedelta(days=i) if i % 2 else None,
             f"辽公技备-{i}" if i % 2 else None, "in_force" if i % 2 else "none", at, at) for i in range(count)]


def test_values_come_back_exactly(app, db):
    rows = _rows(50)
    with app.app_context():
        insert_rows(db.session.connection(), Firm.__table__, COLUMNS, rows)
        db.session.commit()
        stored = db.session.execute(select(*(Firm.__table__.c[c] for c in COLUMNS)).order_by(Firm.credit_code)).all()
    assert [tuple(r) for r in stored] == rows


def test_rows_are_part_of_the_callers_transaction(app, db):
    with app.app_context():
        insert_rows(db.session.connection(), Firm.__table__, COLUMNS, _rows(20))
        assert db.session.scalar(select(Firm.id).where(Firm.credit_code == "91210100MA00000019")) is not None
        db.session.rollback()
        assert db.session.scalars(select(Firm.id)).all() == []


def test_nothing_to_insert_writes_nothing(app, db):
    with app.app_context():
        insert_rows(db.session.connection(), Firm.__table__, COLUMNS, [])
        db.session.commit()
        assert db.session.scalars(select(Firm.id)).all() == []


def test_a_duplicate_key_is_an_integrity_error_on_either_database(app, db):
    """Callers catch SQLAlchemy's IntegrityError whether the rows went by executemany or by COPY."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        row = _rows(1)
        insert_rows(db.session.connection(), Firm.__table__, COLUMNS, row)
        with pytest.raises(IntegrityError):
            insert_rows(db.session.connection(), Firm.__table__, COLUMNS, row)
        db.session.rollback()


@pytest.mark.parametrize("sqlite_json", [True, False], ids=["json_each", "row by row"])
def test_groups_come_back_as_their_rows_in_the_callers_transaction(app, db, monkeypatch, sqlite_json):
    """insert_groups: each key with its ids becomes the rows (key, id), on either database and with or
    without SQLite's json_each; an empty group writes nothing; a rollback takes the rows back."""
    from app.models.firm import FirmNameGram
    from app.services import bulk

    monkeypatch.setattr(bulk, "_SQLITE_JSON", sqlite_json)
    groups = [("安防", [1, 2, 300000]), ('"\\', [7]), ("科技", []), ("技'", list(range(10, 2010)))]
    with app.app_context():
        bulk.insert_groups(db.session.connection(), FirmNameGram.__table__, ("gram", "firm_id"), groups)
        stored = db.session.execute(select(FirmNameGram.gram, FirmNameGram.firm_id)).all()
        assert sorted(map(tuple, stored)) == sorted((key, one) for key, ids in groups for one in ids)
        db.session.rollback()
        assert db.session.execute(select(FirmNameGram.gram)).all() == []


@pytest.mark.parametrize("sqlite_json", [True, False], ids=["json_each", "row by row"])
def test_groups_given_as_positions_land_on_the_ids_after_the_offset(app, db, monkeypatch, sqlite_json):
    """insert_groups with an offset: ids 0, 1, 2… become offset, offset + 1…; on SQLite a group may come as
    its JSON array already built (the import builds them in another process)."""
    from app.models.firm import FirmNameGram
    from app.services import bulk

    monkeypatch.setattr(bulk, "_SQLITE_JSON", sqlite_json)
    with app.app_context():
        connection = db.session.connection()
        built = bulk.groups_as_json(connection.dialect)
        groups = [("安防", bulk.json_ids([0, 2]) if built else [0, 2]), ("科技", [1])]
        bulk.insert_groups(connection, FirmNameGram.__table__, ("gram", "firm_id"), groups, offset=41)
        stored = db.session.execute(select(FirmNameGram.gram, FirmNameGram.firm_id)).all()
        assert sorted(map(tuple, stored)) == [("安防", 41), ("安防", 43), ("科技", 42)]
        db.session.rollback()

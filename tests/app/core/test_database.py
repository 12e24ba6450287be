"""Schema by migration, SQLite pragmas, jurisdictions from data."""

import os
import secrets

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from app import create_app
from app.config import UnsafeConfiguration
from tests.support import page_text
from workflows.rules import jurisdiction_codes, load_pack

# Apps made here are deployments (no TESTING), so they need a key the start-up check accepts.
DEPLOYMENT_KEY = secrets.token_hex(32)


def _empty_database(tmp_path) -> str:
    """An empty database of the kind under test: a new SQLite file, or a new PostgreSQL database."""
    server = os.environ.get("JIFANG_TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    url = make_url(server)
    name = f"jifang_migration_check_{os.getpid()}"
    engine = create_engine(url.set(query={}), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.set(database=name, query={}).render_as_string(hide_password=False)


def test_init_db_builds_the_schema_from_migrations_and_matches_the_models(tmp_path):
    """`flask init-db` on an empty database; then Alembic finds nothing left to migrate."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import db

    url = _empty_database(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": DEPLOYMENT_KEY})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    # running it again is an upgrade that changes nothing and keeps data
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO firm (name, credit_code, legal_rep, registered_address, "
                              "premises_address, contact_name, contact_phone, is_local, filing_status, "
                              "created_at, updated_at) VALUES ('甲', '91210100MA0T000019', '', '', '', '', '', "
                              "true, 'none', '2026-01-01', '2026-01-01')"))
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM firm")).scalar() == 1
        for engine in db.engines.values():  # the roster's head reader too (PostgreSQL)
            engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_postgresql_plans_each_lookup_for_the_table_as_it_is(app, db):
    """A bureau's first roster goes into an empty table; had psycopg prepared the import's firm lookup,
    PostgreSQL would keep the empty table's plan and the next import would compare every firm with 5,000
    parameters one by one (minutes instead of seconds). No query is ever kept prepared."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter")
    from sqlalchemy import select

    from app.models.firm import Firm

    with db.engine.connect() as conn:
        for _ in range(8):  # psycopg would prepare from the fifth run on
            conn.execute(select(Firm.id).where(Firm.credit_code.in_([f"91210100MA{i:08d}" for i in range(500)])))
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar() == 0


def test_firm_roster_columns_are_indexed(db):
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("firm")}
    assert {"ix_firm_city_code", "ix_firm_status_number"} <= indexes
    # names are found through the bigram table's primary key (gram, firm_id)
    assert inspect(db.engine).get_pk_constraint("firm_name_gram")["constrained_columns"] == ["gram", "firm_id"]


@pytest.mark.parametrize(
    "code, provincial, cities",
    [("liaoning", "辽宁省公安厅", 14), ("inner-mongolia", "内蒙古自治区公安厅", 12), ("shanxi", "山西省公安厅", 11),
     ("qinhuangdao", "河北省公安厅", 9)],
)
def test_each_jurisdiction_has_its_bureaus_from_data(code, provincial, cities):
    pack = load_pack(code)
    assert pack.provincial_authority.name == provincial
    assert len(pack.cities) == cities
    assert all(len(c.code) == 6 for c in pack.cities)


def test_liaoning_has_the_provincial_and_fourteen_city_bureaus():
    pack = load_pack("liaoning")
    assert [a.level for a in pack.authorities].count("city") == 14
    assert pack.authority("210200").name == "大连市公安局"


def test_the_deployment_jurisdiction_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("JIFANG_JURISDICTION", "inner-mongolia")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    flask_app = create_app({"SECRET_KEY": DEPLOYMENT_KEY})
    assert flask_app.extensions["jifang.pack"].code == "inner-mongolia"
    assert flask_app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.sqlite")


def test_an_unknown_jurisdiction_stops_the_app_with_a_clear_message(tmp_path):
    with pytest.raises(UnsafeConfiguration, match="unknown jurisdiction 'atlantis'") as refused:
        create_app({"JIFANG_JURISDICTION": "atlantis", "SECRET_KEY": DEPLOYMENT_KEY})
    # the choices are the folders the loader finds, not a list in the code
    assert all(code in str(refused.value) for code in jurisdiction_codes())
    assert {"liaoning", "inner-mongolia", "shanxi", "qinhuangdao"} <= set(jurisdiction_codes())


def test_upgrading_an_older_database_keeps_its_firms_and_indexes_their_names(tmp_path):
    """A bureau on the first schema upgrades: its firms survive and the roster can search them."""
    from flask_migrate import upgrade

    from app.extensions import db

    url = _empty_database(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": DEPLOYMENT_KEY})
    with app.app_context():
        upgrade(revision="2ba05b816857")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO firm (name, credit_code, legal_rep, registered_address, "
                              "premises_address, contact_name, contact_phone, is_local, filing_status, "
                              "filing_number, created_at, updated_at) VALUES ('沈阳安防科技有限公司', "
                              "'91210100MA0T000019', '', '', '', '', '', true, 'in_force', 'N-1', "
                              "'2026-01-01', '2026-01-01')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM firm")).scalar() == "沈阳安防科技有限公司"
            grams = set(conn.execute(text("SELECT gram FROM firm_name_gram")).scalars())
        assert {"沈阳", "安防", "科技"} <= grams and "公司" not in grams
        response = app.test_client().get("/roster?name=安防科技")
        assert "沈阳安防科技有限公司" in page_text(response)
        db.session.remove()
        for engine in db.engines.values():  # the roster's head reader too (PostgreSQL)
            engine.dispose()


def test_a_deployment_without_secret_key_keeps_one_private_key(tmp_path):
    """Several workers starting at once agree on one key, readable only by its owner."""
    from types import SimpleNamespace

    from app import _instance_secret

    fake = SimpleNamespace(instance_path=str(tmp_path))
    first, second = _instance_secret(fake), _instance_secret(fake)
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

"""Roster queries against 100,000 filed firms (plus 10,000 never filed) in a temporary SQLite database.

Prints, per query, the median time of the query the roster runs (keyset page of 50, business types
loaded) and SQLite's plan, and beside the deep keyset page the plain OFFSET page it replaces. Then two
whole requests through the test client: the first roster page and the CSV download of everything.

    .venv/bin/python benchmarks/bench_roster.py [--firms 100000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Firm  # noqa: E402
from app.models.firm import FirmBusinessType  # noqa: E402
from app.roster.search import Filters, _entries, iter_roster, roster_page, roster_select  # noqa: E402
from app.services.name_index import rebuild_all  # noqa: E402

WORDS = ("安防", "科技", "电子", "智能", "监控", "系统", "工程", "信息", "网络", "保安", "技术", "数码")
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(division: str, serial: int) -> str:
    body = "91" + division + f"MA{serial:07d}"
    total = sum(w * ALPHABET.index(c) for w, c in zip(WEIGHTS, body, strict=True))
    return body + ALPHABET[-total % 31]


def populate(pack, firms: int, never: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    cities = pack.cities
    types = [bt.code for bt in pack.filing.business_types]
    now = dt.datetime(2026, 1, 1)
    seq: dict[tuple[str, int], int] = {}
    firm_rows, type_rows = [], []
    for i in range(1, firms + never + 1):
        city = rng.choice(cities)
        row = {
            "id": i, "name": f"{city.name[:-1]}{rng.choice(WORDS)}{rng.choice(WORDS)}第{i}有限公司",
            "credit_code": credit_code(city.code, i), "legal_rep": "张三", "registered_address": "某路1号",
            "premises_address": "某路2号", "city_code": city.code, "contact_name": "李四",
            "contact_phone": "13800000000", "is_local": True, "filing_status": "none", "filing_number": None,
            "filed_on": None, "filing_authority_code": None, "created_at": now, "updated_at": now,
        }
        if i <= firms:
            year = rng.randint(2016, 2026)
            key = (city.authority, year)
            seq[key] = seq.get(key, 0) + 1
            row.update(filing_status="cancelled" if rng.random() < 0.03 else "in_force",
                       filing_number=pack.format_filing_number(city.authority, year, seq[key]),
                       filed_on=dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(360)),
                       filing_authority_code=city.authority)
            type_rows += [{"firm_id": i, "type_code": t} for t in rng.sample(types, rng.randint(1, 3))]
        firm_rows.append(row)
    db.session.execute(insert(Firm), firm_rows)
    db.session.execute(insert(FirmBusinessType), type_rows)
    rebuild_all(db.session.connection())  # bulk inserts bypass the ORM hook that keeps the name index
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        db.session.expunge_all()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def plan(stmt) -> str:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        return "; ".join(r[-1] for r in rows)
    lines = [r[0].strip() for r in db.session.execute(text(f"EXPLAIN {compiled}"))]
    return "; ".join(line.split("  (cost")[0] for line in lines if "cost=" in line)


def offset_page(filters: Filters, offset: int):
    return _entries(db.session, roster_select(filters).order_by(Firm.filing_number).offset(offset).limit(51))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL URL; the benchmark uses a schema of its own there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _database(args.database_url, tmp) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "0123456789abcdef" * 3, "JIFANG_JURISDICTION": "liaoning"})
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            populate(app.extensions["jifang.pack"], args.firms, args.firms // 10)
            print(f"{args.firms:,} filed + {args.firms // 10:,} never-filed firms written in "
                  f"{time.perf_counter() - start:.1f} s ({db.engine.dialect.name})")
            run(app, args.firms)
            db.session.remove()
            db.engine.dispose()


@contextmanager
def _database(server_url: str | None, tmp: str):
    """A temporary SQLite file, or a throw-away schema in the given PostgreSQL database."""
    if not server_url:
        yield f"sqlite:///{tmp}/bench.sqlite"
        return
    schema = f"bench_roster_{os.getpid()}"
    engine = create_engine(server_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def run(app, firms: int) -> None:
    numbers = list(db.session.scalars(select(Firm.filing_number).where(Firm.filing_number.is_not(None))
                                      .order_by(Firm.filing_number)))
    deep = int(len(numbers) * 0.9)
    sample = db.session.get(Firm, firms // 2)
    cases = [
        ("first page", Filters(), {}),
        ("city 210200", Filters(city="210200"), {}),
        ("business type alarm_operation", Filters(business_type="alarm_operation"), {}),
        ("status cancelled (3%)", Filters(status="cancelled"), {}),
        ("city + type + in force", Filters(city="211400", business_type="design", status="in_force"), {}),
        ("credit code exact", Filters(credit_code=sample.credit_code), {}),
        ("credit code prefix 91210300", Filters(credit_code="91210300"), {}),
        ("name '安防科技' (common)", Filters(name="安防科技"), {}),
        (f"name '第{firms // 2}有' (one firm)", Filters(name=f"第{firms // 2}有"), {}),
        ("name '不存在' (no match)", Filters(name="不存在"), {}),
        (f"deep page keyset (row {deep:,})", Filters(), {"after": numbers[deep]}),
    ]
    print(f"\n{'query':<40} {'rows':>5} {'ms':>8}  plan")
    print("-" * 120)
    for label, filters, keys in cases:
        result = roster_page(db.session, filters, **keys)
        ms = median_ms(lambda f=filters, k=keys: roster_page(db.session, f, **k))
        stmt = roster_select(filters).order_by(Firm.filing_number).limit(51)
        if keys:
            stmt = stmt.where(Firm.filing_number > keys["after"])
        print(f"{label:<40} {len(result.firms):>5} {ms:>8.2f}  {plan(stmt)[:110]}")
    ms = median_ms(lambda: offset_page(Filters(), deep))
    print(f"{f'deep page OFFSET {deep:,} (the plain way)':<40} {50:>5} {ms:>8.2f}  "
          f"{plan(roster_select(Filters()).order_by(Firm.filing_number).offset(deep).limit(51))[:110]}")
    count_ms = median_ms(lambda: db.session.scalar(roster_select(Filters()).with_only_columns(
        text("count(*)"))), repeat=3)
    print(f"{'COUNT(*) of the roster (not run per page)':<40} {'':>5} {count_ms:>8.2f}")

    start = time.perf_counter()
    exported = sum(1 for _ in iter_roster(db.session, Filters()))
    print(f"{'iter_roster, whole roster (export)':<40} {exported:>5} {(time.perf_counter() - start) * 1000:>8.0f}")

    client = app.test_client()
    for url in ("/roster", "/roster?name=安防科技&city=210100", f"/roster?after={numbers[deep]}", "/roster.csv",
                "/roster.xlsx"):
        start = time.perf_counter()
        response = client.get(url)
        size = len(response.get_data())
        elapsed = (time.perf_counter() - start) * 1000
        print(f"GET {url[:50]:<50} {response.status_code} {size / 1024:>9.0f} KiB {elapsed:>8.0f} ms")


if __name__ == "__main__":
    main()

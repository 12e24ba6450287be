"""The annual statistics workbook over a million filing and case rows (issue 5: under 15 s).

    .venv/bin/python benchmarks/bench_annual.py [--firms 500000] [--cases 500000]

Builds a temporary SQLite database with the application's schema, fills it with one sqlite3 executemany
per table (firms with their business types, penalty cases, complaints, warnings), then times
reports.annual.collect (the GROUP BY queries and the pandas shaping) and write_annual (xlsxwriter with
native charts) separately, and prints the figures. It also times the web import's database layer
(app.transfer.roster_import.plan_filings + apply_plan: Core executemany in one transaction) on 100,000 new
firms, then the same rows again (the re-import that changes nothing). Not a test: it prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

import app.models  # noqa: E402, F401 - registers every table
from app.extensions import db  # noqa: E402
from reports.annual import Jurisdiction, collect, write_annual  # noqa: E402
from workflows.penalty_pack import load_penalty_pack  # noqa: E402
from workflows.rules import load_pack  # noqa: E402


def _code(n: int, division: str) -> str:
    from stdnum.cn import uscc

    stem = "91" + division + f"MA{n:07d}"
    return stem + uscc.calc_check_digit(stem)


def fill(path: str, firms: int, cases: int, pack, penalty_pack, year: int) -> None:
    rnd = random.Random(5)
    cities = [c.code for c in pack.cities]
    types = [b.code for b in pack.filing.business_types]
    provisions = [p.code for p in penalty_pack.provisions]
    start = dt.date(year - 4, 1, 1)
    con = sqlite3.connect(path)
    now = dt.datetime(year, 12, 31).isoformat(" ")
    firm_rows, type_rows = [], []
    for n in range(1, firms + 1):
        city = rnd.choice(cities)
        filed = start + dt.timedelta(days=rnd.randrange(5 * 365))
        status = "cancelled" if n % 40 == 0 else "in_force"
        firm_rows.append((n, f"单位{n}", f"C{n:017d}", "张三", "", "", city, "", "", n % 7 != 0, None,
                          f"N{n}", filed.isoformat(), city, status, now, now))
        for t in rnd.sample(types, rnd.randint(1, 2)):
            type_rows.append((n, t))
    con.executemany("INSERT INTO firm (id, name, credit_code, legal_rep, registered_address, premises_address, "
                    "city_code, contact_name, contact_phone, is_local, locality_override_reason, filing_number, "
                    "filed_on, filing_authority_code, filing_status, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", firm_rows)
    con.executemany("INSERT INTO firm_business_type (firm_id, type_code) VALUES (?,?)", type_rows)
    outcomes = ["fined"] * 6 + ["warning_only", "no_penalty", "withdrawn", "pending"]
    case_rows = []
    for n in range(1, cases + 1):
        outcome = rnd.choice(outcomes)
        day = start + dt.timedelta(days=rnd.randrange(5 * 365))
        fine = rnd.choice((500000, 1000000, 3000000)) if outcome == "fined" else 0
        case_rows.append((n, f"K{n}", rnd.randint(1, firms), f"单位{n}", "unit", None, pack.code,
                          rnd.choice(provisions), day.isoformat(),
                          None if outcome == "pending" else day.isoformat(), outcome, fine,
                          fine if n % 3 else 0, 0, "closed", now, now))
    con.executemany("INSERT INTO penalty_case (id, case_number, firm_id, party_name, party_type, credit_code, "
                    "jurisdiction, provision_code, act_date, decided_on, outcome, fine_decided_fen, "
                    "fine_collected_fen, surcharge_fen, state, created_at, updated_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", case_rows)
    con.executemany("INSERT INTO complaint (received_on, firm_id, firm_name, subject, outcome, state, created_at) "
                    "VALUES (?,?,?,?,?,?,?)",
                    [((start + dt.timedelta(days=rnd.randrange(5 * 365))).isoformat(), rnd.randint(1, firms), "",
                      "", rnd.choice(["pending", "substantiated", "unsubstantiated", "refused"]), "received", now)
                     for _ in range(firms // 10)])
    con.executemany("INSERT INTO warning (firm_id, issued_on, reason, reference, lifted_on, state, created_at) "
                    "VALUES (?,?,?,?,?,?,?)",
                    [(rnd.randint(1, firms), (start + dt.timedelta(days=rnd.randrange(5 * 365))).isoformat(), "",
                      "", None, "warning_issued", now) for _ in range(firms // 50)])
    con.commit()
    con.close()


def bench_import_layer(rows: int) -> tuple[float, float]:
    """plan_filings + apply_plan on a fresh database inside an app context: (first import, re-import) s."""
    from app import create_app
    from app.extensions import db as flask_db
    from app.transfer.roster_import import apply_plan, plan_filings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/i.sqlite", "SECRET_KEY": "x",
                          "TESTING": True, "UPLOAD_FOLDER": tmp})
        with app.app_context():
            flask_db.create_all()
            pack = app.extensions["jifang.pack"]
            cities = [c.code for c in pack.cities]
            data = [{"name": f"沈阳第{n}安防科技有限公司", "credit_code": _code(n, cities[n % len(cities)]),
                     "legal_rep": "张三", "registered_address": "某路1号", "premises_address": "某路2号",
                     "city_code": cities[n % len(cities)], "business_types": ["design", "installation"],
                     "contact": "李四", "phone": "13800000000", "filing_number": f"N{n}",
                     "filed_on": dt.date(2024, 1, 1)} for n in range(rows)]
            present = {"name", "credit_code", "legal_rep", "registered_address", "premises_address", "city",
                       "business_types", "contact", "phone", "filing_number", "filed_on"}
            timings = []
            for _ in range(2):
                started = time.perf_counter()
                conn = flask_db.session.connection()
                plan = plan_filings(conn, data, present, pack)
                apply_plan(conn, plan)
                flask_db.session.commit()
                timings.append(time.perf_counter() - started)
            assert plan.unchanged == rows, plan.unchanged
        return timings[0], timings[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=500_000)
    parser.add_argument("--cases", type=int, default=500_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    pack = load_pack("liaoning")
    penalty_pack = load_penalty_pack("liaoning")
    jurisdiction = Jurisdiction.from_packs(pack, penalty_pack)
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/annual.sqlite"
        engine = create_engine(f"sqlite:///{path}")
        db.metadata.create_all(engine)
        started = time.perf_counter()
        fill(path, args.firms, args.cases, pack, penalty_pack, args.year)
        filled = time.perf_counter() - started
        with engine.connect() as conn:
            started = time.perf_counter()
            figures = collect(conn, args.year, jurisdiction)
            collected = time.perf_counter() - started
        started = time.perf_counter()
        write_annual(f"{tmp}/annual.xlsx", figures)
        written = time.perf_counter() - started
        engine.dispose()
    total = collected + written
    print(f"annual workbook over {args.firms:,} firms + {args.cases:,} penalty cases "
          f"(+ {args.firms // 10:,} complaints, {args.firms // 50:,} warnings), SQLite")
    print(f"  fill (sqlite3 executemany, not timed against the target) {filled:6.2f} s")
    print(f"  collect: GROUP BY queries + pandas shaping                 {collected:6.2f} s")
    print(f"  write_annual: xlsxwriter, 9 sheets, native charts          {written:6.2f} s")
    print(f"  total                                                      {total:6.2f} s   target < 15 s: "
          f"{'met' if total < 15 else 'MISSED'}")
    print(f"  figures: on roster {figures.totals['年末在册备案单位']:,}, new {figures.totals['本年新备案']:,}, "
          f"cases {figures.totals['本年处罚案件']:,}, fines decided {figures.totals['决定罚款（元）']:,.2f} yuan")
    if args.import_rows:
        first, again = bench_import_layer(args.import_rows)
        print(f"import DB layer (plan + Core executemany, one transaction), {args.import_rows:,} new firms "
              f"with 2 types each and name grams: {first:6.2f} s; re-import (nothing changes): {again:6.2f} s")


if __name__ == "__main__":
    main()

"""The streamed import (imports/streamed_validation.py, roster_import._run_streamed): a large .xlsx is read
and validated in a child process while this one checks the file and writes each chunk as it comes. It
must leave exactly what the ordinary import leaves — rows, business types, name pieces, audit entry,
output, exit code — for clean files, refused rows in both modes, re-imports over stored firms, repeats
across chunks and files the checks refuse; and a child that fails must leave nothing behind.

Forking needs a single-threaded process, so each case runs in a fresh interpreter (as the split
validation's test does), with the thresholds lowered so that small files stream in chunks of a few rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import hostile_files
from tests.app.transfer_support import code, roster_file, roster_row

ROOT = Path(__file__).resolve().parents[3]

_RUN = """
import json, os, sys
from pathlib import Path
from sqlalchemy import select
from app.extensions import db
from app.models import AuditEntry, Firm, FirmBusinessType, FirmNameGram
from app.transfer import roster_import as transfer
from imports import streamed_validation
from tests.conftest import make_app

tmp, how, files = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
streamed_validation.STREAM_FROM_BYTES = 0 if how != "ordinary" else 10**12
streamed_validation.CHUNK_ROWS = 7
transfer.REBUILD_INDEXES_FROM = 1  # the firm table's plain indexes are set aside and built again, both ways
if how == "capped child":
    streamed_validation.CHILD_MEMORY = 64 * 1024 * 1024
if how == "failing child":
    real_unpack = streamed_validation._unpack
    calls = []
    def unpack(packed):
        calls.append(1)
        if len(calls) == 3:
            raise streamed_validation.StreamFailed("test")
        return real_unpack(packed)
    streamed_validation._unpack = unpack
streams = []
real_run = transfer._run_streamed
def run(*args, **kwargs):
    outcome = real_run(*args, **kwargs)
    streams.append(outcome is not None)
    return outcome
transfer._run_streamed = run
url = os.environ.get("JIFANG_TEST_DATABASE_URL")
if url:  # a schema of this process's own, as tests/conftest.py gives each test run
    from sqlalchemy import create_engine, make_url, text
    schema = f"jifang_stream_{os.getpid()}"
    server = create_engine(url)
    with server.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
app = make_app(tmp, url)
report = []
with app.app_context():
    db.create_all()
    for path, mode in files:
        done = app.test_cli_runner().invoke(args=["import", "filings", path, "--mode", mode])
        db.session.remove()
        ids = {f.id: f.credit_code for f in db.session.scalars(select(Firm))}
        report.append({
            "exit": done.exit_code, "output": done.output,
            "firms": sorted([f.credit_code, f.name, f.legal_rep, f.registered_address, f.premises_address,
                             f.contact_name, f.city_code, f.filing_number, str(f.filed_on),
                             f.filing_authority_code, f.filing_status, f.is_local, f.contact_phone,
                             f.provisional, str(f.created_at == f.updated_at)] for f in db.session.scalars(select(Firm))),
            "types": sorted([ids[t.firm_id], t.type_code] for t in db.session.scalars(select(FirmBusinessType))),
            "grams": sorted([ids.get(g.firm_id), g.gram] for g in db.session.scalars(select(FirmNameGram))),
            "indexes": sorted(list(row) for row in db.session.connection().exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'firm'"
                if db.engine.dialect.name == "sqlite" else
                "SELECT indexname, replace(indexdef, current_schema() || '.', '') FROM pg_indexes "
                "WHERE tablename = 'firm' AND schemaname = current_schema()").all()),
            "audit": [e.detail for e in db.session.scalars(select(AuditEntry).where(
                AuditEntry.action == "import_filings").order_by(AuditEntry.id))],
        })
    db.session.remove()
    for engine in db.engines.values():
        engine.dispose()
if url:
    with server.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    server.dispose()
try:
    os.waitpid(-1, os.WNOHANG)
    children = "left"
except ChildProcessError:
    children = "none"
print(json.dumps({"streams": streams, "report": report, "children": children}))
"""


def _run(tmp_path: Path, how: str, files: list[tuple[str, str]]) -> dict:
    work = tmp_path / how.replace(" ", "-")
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _RUN, str(work), how, json.dumps(files)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rows(numbers, **over) -> list[list]:
    """Rows of firms in two cities with three sets of business types, every fourth without a filing
    number; ``over`` changes row n (roster_row's keywords or column headers)."""
    return [roster_row(n, **{"name": f"{('沈阳', '大连')[n % 2]}第{n}号{'甲乙丙'[n % 3]}安防科技有限公司",
                             "city": ("沈阳", "大连")[n % 2], "types": ("设计、安装", "维护", "设计")[n % 3],
                             "number": n % 4 != 0, **over.get(str(n), {})})
            for n in numbers]


def test_a_clean_roster_and_a_second_one_over_it_leave_what_the_ordinary_import_leaves(tmp_path):
    first = roster_file(tmp_path / "first.xlsx", _rows(range(1, 41)))
    # the second renames some stored firms, changes types of others, adds new ones after them
    second = roster_file(tmp_path / "second.xlsx", _rows(
        range(30, 61), **{"31": {"name": "沈阳改名第31号安防科技有限公司"}, "32": {"types": "维护、设计"}}))
    # the third only changes stored firms: the plain indexes set aside for it come back all the same
    third = roster_file(tmp_path / "third.xlsx", _rows(range(1, 61), **{"7": {"联系电话": "13900000000"}}))
    files = [(first, "all-or-nothing"), (second, "all-or-nothing"), (third, "valid-rows")]
    streamed, ordinary = _run(tmp_path, "streamed", files), _run(tmp_path, "ordinary", files)
    assert streamed["streams"] == [True, True, True] and ordinary["streams"] == []
    assert streamed["report"] == ordinary["report"]
    first_done, second_done, third_done = streamed["report"]
    assert "ix_firm_city_code" in {name for name, _ in third_done["indexes"]}
    assert third_done["exit"] == 0 and "新增 0，更新 2，未变 57" in third_done["output"]
    assert first_done["exit"] == 0 and "新增 40，更新 0" in first_done["output"]
    assert second_done["exit"] == 0 and "新增 20，更新 1，未变 9" in second_done["output"]
    assert len(second_done["firms"]) == 60
    assert [code(31), "沈阳改名第31号安防科技有限公司"] in [f[:2] for f in second_done["firms"]]
    assert [code(31), "改名"] in second_done["grams"] and [code(60), "60"] in second_done["grams"]
    assert [code(32), "maintenance"] in second_done["types"]
    assert streamed["children"] == "none"


@pytest.mark.parametrize("mode", ["all-or-nothing", "valid-rows"])
def test_refused_rows_and_repeats_across_chunks_are_reported_as_the_ordinary_import_does(tmp_path, mode):
    """Rows are refused from the second chunk on, and a credit code and a filing number of the first chunk
    come back in the third: all-or-nothing writes nothing (the first chunk, written before the first
    refused row came, is rolled back), valid-rows writes the good rows; both report the same errors."""
    rows = _rows(range(1, 31), **{
        "10": {"city": "北京"},  # not a city of the province, in the second chunk: the first is written
        "16": {"统一社会信用代码": code(2)},  # the code of row 2, two chunks later
        "18": {"备案编号": "辽公技备20240005"},  # the number of row 5
        "25": {"types": "保安服务"},
    })
    path = roster_file(tmp_path / "roster.xlsx", rows)
    files = [(path, mode)]
    streamed, ordinary = _run(tmp_path, "streamed", files), _run(tmp_path, "ordinary", files)
    assert streamed["streams"] == [True]
    assert streamed["report"] == ordinary["report"]
    [done] = streamed["report"]
    assert done["exit"] == 1 and "拒绝 4 行" in done["output"]
    assert "第 17 行 统一社会信用代码：统一社会信用代码与第 3 行重复" in done["output"]
    if mode == "all-or-nothing":
        assert done["firms"] == [] and done["grams"] == [] and done["audit"][0]["result"] == "refused"
    else:
        assert len(done["firms"]) == 26 and done["audit"][0]["result"] == "written"


@pytest.mark.parametrize("make", [hostile_files.cells_far_apart, hostile_files.zip_bomb,
                                  hostile_files.too_many_rows, hostile_files.only_hidden_sheets],
                         ids=["cells far apart", "zip bomb", "too many rows", "no visible sheet"])
def test_a_file_the_checks_refuse_is_refused_alike_and_its_reader_is_gone(tmp_path, make):
    """The child reads a hostile file while this process checks it, in an address space capped (here at 64
    MB above what it inherited) so that it cannot take the machine's memory: the checks' reason is what the
    user reads, as with the ordinary import, and no child is left behind."""
    path = str(make(tmp_path / "hostile.xlsx"))
    files = [(path, "all-or-nothing")]
    capped, ordinary = _run(tmp_path, "capped child", files), _run(tmp_path, "ordinary", files)
    assert capped["report"] == ordinary["report"]
    [done] = capped["report"]
    assert done["exit"] == 2 and done["output"].startswith("无法导入：") and done["firms"] == []
    assert capped["children"] == "none"


def test_a_child_that_fails_midway_leaves_nothing_and_the_ordinary_import_takes_over(tmp_path):
    path = roster_file(tmp_path / "roster.xlsx", _rows(range(1, 41)))
    files = [(path, "all-or-nothing")]
    failing, ordinary = _run(tmp_path, "failing child", files), _run(tmp_path, "ordinary", files)
    assert failing["streams"] == [False]  # two chunks were written, then rolled back
    assert failing["report"] == ordinary["report"]
    assert len(failing["report"][0]["firms"]) == 40 and len(failing["report"][0]["audit"]) == 1
    assert failing["children"] == "none"

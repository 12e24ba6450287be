"""`flask import filings` end to end: exit codes, all-or-nothing, valid-rows, re-import, audit, hostile files."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Firm, FirmBusinessType, FirmNameGram
from tests import hostile_files
from tests.app.transfer_support import code, roster_file, roster_row
from tests.hostile_files import inline_row, raw_xlsx


def _firms():
    return {f.credit_code: f for f in db.session.scalars(select(Firm)).all()}


def _audits(action="import_filings"):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_clean_roster_imports_with_exit_0(runner, tmp_path):
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1), roster_row(2, city="大连", types="维护")],
                       title="2024年技防从业单位备案名录")
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0, result.output
    firms = _firms()
    first = firms[code(1)]
    assert first.name == "沈阳第1安防科技有限公司"
    assert first.filing_status == "in_force" and first.filing_number == "辽公技备20240001"
    assert first.filing_authority_code == "210100" and first.is_local
    assert first.contact_name == "李四" and first.contact_phone == "13800000000"
    assert sorted(first.business_type_codes) == ["design", "installation"]
    # the stamps go in as SQLAlchemy's own text on SQLite (transfer.plan_filings) and read back as moments
    assert isinstance(first.created_at, dt.datetime) and first.created_at == first.updated_at
    assert firms[code(2)].city_code == "210200"
    assert db.session.scalar(select(func.count()).select_from(FirmNameGram)) > 0
    [entry] = _audits()
    assert entry.actor_label == "cli"
    assert entry.detail["file"] == "roster.xlsx" and len(entry.detail["sha256"]) == 64
    assert entry.detail["inserted"] == 2 and entry.detail["mode"] == "all-or-nothing"


def test_reimporting_the_same_file_changes_nothing(runner, tmp_path):
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(n) for n in range(1, 6)])
    assert runner.invoke(args=["import", "filings", path]).exit_code == 0
    before = {c: (f.updated_at, f.name, f.business_type_codes) for c, f in _firms().items()}
    grams = db.session.scalar(select(func.count()).select_from(FirmNameGram))
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0
    assert "新增 0，更新 0，未变 5" in result.output
    db.session.expire_all()
    assert {c: (f.updated_at, f.name, f.business_type_codes) for c, f in _firms().items()} == before
    assert db.session.scalar(select(func.count()).select_from(FirmNameGram)) == grams
    assert [e.detail["unchanged"] for e in _audits()] == [0, 5]


def test_changed_rows_update_the_firm_and_replace_its_types(runner, tmp_path, factory):
    firm = factory.firm("旧名称安防公司", credit_code=code(1), filing_status="cancelled",
                        filing_number="辽公技备20240001", contact_name="旧联系人")
    firm.business_types = [FirmBusinessType(type_code="alarm_operation")]
    db.session.commit()
    path = roster_file(tmp_path / "r.csv", [roster_row(1, types="维护")])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.name == "沈阳第1安防科技有限公司" and firm.contact_name == "李四"
    assert firm.business_type_codes == ["maintenance"]
    assert firm.filing_status == "cancelled"  # a spreadsheet never reinstates a cancelled filing
    assert db.session.scalar(select(func.count()).select_from(Firm)) == 1


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(runner, tmp_path):
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1), roster_row(2, city="北京市"), roster_row(3)])
    report = tmp_path / "report.xlsx"
    result = runner.invoke(args=["import", "filings", path, "--report", str(report)])
    assert result.exit_code == 1
    assert "第 3 行 所在市：所在市“北京市”不是本地区的市" in result.stderr
    assert _firms() == {}
    [entry] = _audits()
    assert entry.detail["result"] == "refused" and entry.detail["refused"] == 1 and entry.detail["written"] == 0
    sheet = load_workbook(report).active
    assert sheet["A2"].value == 3  # the original row number
    city = next(c for c in sheet[2] if c.value == "北京市")
    assert city.fill.fgColor.rgb.endswith("FFC7CE") and "不是本地区的市" in city.comment.text


def test_valid_rows_mode_writes_the_good_rows(runner, tmp_path):
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1), roster_row(2, 统一社会信用代码="123"), roster_row(3)])
    result = runner.invoke(args=["import", "filings", path, "--mode", "valid-rows"])
    assert result.exit_code == 1
    assert set(_firms()) == {code(1), code(3)}
    assert _audits()[0].detail["written"] == 2


def test_shanxi_has_no_filings_to_import(runner, tmp_path, app):
    app.extensions["jifang.pack"] = __import__("workflows.rules", fromlist=["load_pack"]).load_pack("shanxi")
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1)])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 2
    assert "不受理" in result.stderr


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: p.write_bytes(b"just text") or p, "不是 .xlsx 工作簿"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512) or p, "已加密"),
    (hostile_files.zip_bomb, "解压后超过"),
    (hostile_files.empty_string_rows, "超过"),
    (hostile_files.cells_far_apart, "超过"),
    (hostile_files.huge_inline_string, "超过"),
    (lambda p: raw_xlsx(p, [("s", inline_row(1, "x"), "hidden")]), "没有可见的工作表"),
    (lambda p: raw_xlsx(p, [("s", inline_row(1, "单位名称", "备注"), "visible")]), "缺少必需的列"),
])
def test_unusable_files_exit_2_with_one_line_and_no_traceback(runner, tmp_path, make, reason):
    path = tmp_path / "hostile.xlsx"
    make(path)
    result = runner.invoke(args=["import", "filings", str(path)])
    assert result.exit_code == 2, result.output
    assert reason in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert _firms() == {}


def test_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["import", "filings", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2 and "文件不存在" in result.stderr


def test_an_exported_roster_imports_back_unchanged(runner, tmp_path):
    rows = [roster_row(1, 单位名称="=SUM(A1)安防", 联系电话="+86 13800000000"), roster_row(2, number=False),
            roster_row(3, 所在市="大连市", 业务类型="报警运营服务")]
    assert runner.invoke(args=["import", "filings", roster_file(tmp_path / "in.xlsx", rows)]).exit_code == 0
    before = {c: (f.updated_at, f.name, f.contact_phone, f.business_type_codes) for c, f in _firms().items()}
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"roster.{suffix}"
        result = runner.invoke(args=["export", "roster", str(out)])
        assert result.exit_code == 0 and "已导出 3 行" in result.output
        result = runner.invoke(args=["import", "filings", str(out)])
        assert result.exit_code == 0, result.output
        assert "新增 0，更新 0，未变 3" in result.output
    db.session.expire_all()
    assert {c: (f.updated_at, f.name, f.contact_phone, f.business_type_codes) for c, f in _firms().items()} == before
    assert before[code(1)][1] == "=SUM(A1)安防"
    exports = _audits("export_roster")
    assert len(exports) == 2 and all(e.detail["personal_data"] for e in exports)


def test_export_needs_a_known_extension(runner, tmp_path):
    result = runner.invoke(args=["export", "warnings", str(tmp_path / "w.pdf")])
    assert result.exit_code == 2 and ".xlsx 或 .csv" in result.output


def _collide_once(monkeypatch, credit_code, name="并发写入的单位"):
    """Just before the import writes, another session commits a firm with one of the file's credit codes."""
    from app.transfer import roster_import as transfer

    real = transfer.apply_plan
    calls = []

    def racing(connection, plan, progress=None):
        calls.append(1)
        if len(calls) == 1:
            with db.engine.begin() as other:
                other.execute(Firm.__table__.insert().values(name=name, credit_code=credit_code, legal_rep="",
                                                             registered_address="", premises_address="",
                                                             contact_name="", contact_phone=""))
        return real(connection, plan, progress)

    monkeypatch.setattr(transfer, "apply_plan", racing)
    return calls


def test_a_firm_written_by_someone_else_meanwhile_is_updated_not_doubled(runner, tmp_path, monkeypatch):
    calls = _collide_once(monkeypatch, code(2))
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1), roster_row(2), roster_row(3)])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0, result.output
    assert len(calls) == 2  # planned again after the collision
    assert "新增 2，更新 1" in result.output
    firms = _firms()
    assert len(firms) == 3 and firms[code(2)].name == "沈阳第2安防科技有限公司"


def test_an_import_that_keeps_colliding_says_so_in_one_line_and_writes_nothing(runner, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from app.transfer import roster_import as transfer

    def always_colliding(connection, plan, progress=None):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(transfer, "apply_plan", always_colliding)
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(1)])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 1
    assert result.stderr.strip() == transfer.ImportConflict.reason and "Traceback" not in result.output
    assert _firms() == {} and _audits() == []


def test_an_import_that_fails_after_writing_its_firms_leaves_nothing(runner, tmp_path, monkeypatch):
    """The firms and their business types are written before the name index: when the index cannot be
    written (here the disk fills), neither is anything else, nor is an import audited as done."""
    from app.services import bulk, name_index
    from app.transfer import roster_import as transfer

    writes = []

    def full_disk(connection, table, columns, groups, **options):
        if table.name == "firm_name_gram":
            raise OSError("No space left on device")
        writes.append(table.name)
        return bulk.insert_groups(connection, table, columns, groups, **options)

    monkeypatch.setattr(name_index, "insert_groups", full_disk)
    monkeypatch.setattr(transfer, "insert_groups", full_disk)
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(n) for n in range(1, 6)])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code != 0 and isinstance(result.exception, OSError)
    assert writes == ["firm_business_type"]  # the firms and their types had gone in when it failed
    db.session.rollback()
    assert _firms() == {} and _audits() == []
    assert db.session.scalar(select(func.count()).select_from(FirmBusinessType)) == 0
    assert db.session.scalar(select(func.count()).select_from(FirmNameGram)) == 0


def _firm_indexes() -> list[tuple[str, str | None]]:
    """The firm table's indexes as the database holds them (SQLite: with their SQL; PostgreSQL: their
    definitions)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'firm' ORDER BY name"
    else:
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'firm' ORDER BY indexname"
    return [tuple(row) for row in connection.exec_driver_sql(query)]


@pytest.mark.parametrize("fails", [False, True], ids=["written", "failed"])
def test_a_large_first_roster_builds_the_plain_indexes_after_its_rows(runner, tmp_path, monkeypatch, fails):
    """On SQLite a large first roster drops the firm table's plain indexes and builds them after its rows
    (roster_import._set_plain_indexes_aside): they are all there afterwards, as they were, and answer; an
    import that fails after that point leaves them too, with nothing written."""
    from app.services import bulk, name_index
    from app.transfer import roster_import as transfer

    before = _firm_indexes()
    assert {"ix_firm_city_code", "ix_firm_status_number"} <= {name for name, _ in before}
    monkeypatch.setattr(transfer, "REBUILD_INDEXES_FROM", 3)
    dropped = []
    real_aside = transfer._set_plain_indexes_aside

    def aside(connection, table, adding):
        rebuild = real_aside(connection, table, adding)
        dropped.append(len(_firm_indexes()))
        return rebuild

    monkeypatch.setattr(transfer, "_set_plain_indexes_aside", aside)
    if fails:
        def full_disk(connection, table, columns, groups, **options):
            if table.name == "firm_name_gram":
                raise OSError("No space left on device")
            return bulk.insert_groups(connection, table, columns, groups, **options)

        monkeypatch.setattr(name_index, "insert_groups", full_disk)
        monkeypatch.setattr(transfer, "insert_groups", full_disk)
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(n, city=("沈阳", "大连")[n % 2]) for n in range(1, 6)])
    result = runner.invoke(args=["import", "filings", path])
    db.session.rollback()
    if db.session.connection().dialect.name == "sqlite":
        assert dropped == [len(before) - 2]  # the two plain ones were set aside during the import
    else:
        assert dropped == [len(before)]  # PostgreSQL keeps them (dropping one locks out every reader)
    assert _firm_indexes() == before
    if fails:
        assert result.exit_code != 0 and _firms() == {}
        return
    assert result.exit_code == 0, result.output
    in_dalian = db.session.scalars(select(Firm.credit_code).where(Firm.city_code == "210200")).all()
    assert sorted(in_dalian) == sorted(code(n) for n in (1, 3, 5))


@pytest.mark.parametrize("stored", [2, 8], ids=["roster about the file's size", "roster much larger than the file"])
def test_a_second_file_updates_the_stored_firms_it_names_and_adds_the_rest(runner, tmp_path, client, stored):
    """The stored firms are read in one scan or looked up by code, by the roster's size against the
    file's (app.transfer.roster_import._stored_firms): either way a row updates the firm of its code, and only that one."""
    first = roster_file(tmp_path / "first.xlsx", [roster_row(n) for n in range(1, stored + 1)])
    assert runner.invoke(args=["import", "filings", first]).exit_code == 0
    second = roster_file(tmp_path / "second.xlsx", [roster_row(2, name="沈阳改名监控工程有限公司", types="维护"),
                                                    roster_row(stored + 1)])
    result = runner.invoke(args=["import", "filings", second])
    assert result.exit_code == 0, result.output
    assert "新增 1，更新 1，未变 0" in result.output
    db.session.expire_all()
    firms = _firms()
    assert len(firms) == stored + 1
    assert firms[code(2)].name == "沈阳改名监控工程有限公司" and firms[code(2)].business_type_codes == ["maintenance"]
    assert sorted(firms[code(1)].business_type_codes) == ["design", "installation"]
    page = client.get("/roster?name=改名监控").get_data(as_text=True)
    assert "沈阳改名监控工程有限公司" in page and "沈阳第2安防科技有限公司" not in page
    # the new firm's types and name pieces are its own (its id follows the roster's largest)
    added = firms[code(stored + 1)]
    assert sorted(added.business_type_codes) == ["design", "installation"]
    assert f"沈阳第{stored + 1}安防科技有限公司" in client.get(f"/roster?name=第{stored + 1}安防").get_data(as_text=True)


# Run in a fresh interpreter: the import forks only from a single-threaded process, and the test process has
# other threads by the time this runs (earlier tests', pytest-xdist's), where the import rightly does not fork.
_FORKED_IMPORT = """
import json, sys
from app.extensions import db
from app.models import Firm, FirmBusinessType, FirmNameGram
from app.transfer import roster_import as transfer
from imports import split_validation
from tests.conftest import make_app
from pathlib import Path

tmp, path = Path(sys.argv[1]), sys.argv[2]
app = make_app(tmp, None)
forked = []
real_result = transfer._NewFirmGroups.result
def result(self):
    forked.append(self._future is not None)
    return real_result(self)
transfer._NewFirmGroups.result = result
transfer.PARALLEL_FROM = 1
split_validation.SPLIT_FROM = 1
split_validation.WAIT = True
with app.app_context():
    db.create_all()
    assert app.test_cli_runner().invoke(args=["import", "filings", path]).exit_code == 0
    by_code = {f.id: f.credit_code for f in db.session.scalars(db.select(Firm))}
    print(json.dumps({"forked": forked, "split": split_validation.SplitStats.last,
                      "firms": sorted([f.credit_code, f.name, f.city_code, f.filing_number, str(f.filed_on),
                                       f.contact_phone] for f in db.session.scalars(db.select(Firm))),
                      "types": sorted((by_code[t.firm_id], t.type_code) for t in db.session.scalars(db.select(FirmBusinessType))),
                      "grams": sorted((by_code[g.firm_id], g.gram) for g in db.session.scalars(db.select(FirmNameGram)))}))
"""


def test_a_large_import_indexes_its_firms_alike_with_or_without_the_worker_process(runner, tmp_path, monkeypatch):
    """A large import validates its rows on two processes (imports/split_validation.py) and gathers the
    business types and name pieces of its new firms in a forked worker (roster_import._NewFirmGroups) while
    the firms are written: the rows stored are the same as when this process does both, and the search
    finds the firms."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from app.transfer import roster_import as transfer

    path = roster_file(tmp_path / "roster.xlsx",
                       [roster_row(n, name=f"沈阳第{n}号{'甲乙丙'[n % 3]}安防科技有限公司",
                                   types=("设计、安装", "维护", "设计")[n % 3], number=n % 4 != 0)
                        for n in range(1, 61)])
    monkeypatch.setattr(transfer, "PARALLEL_FROM", 10**9)
    assert runner.invoke(args=["import", "filings", path]).exit_code == 0
    by_code = {f.id: f.credit_code for f in _firms().values()}
    here = {"firms": sorted([f.credit_code, f.name, f.city_code, f.filing_number, str(f.filed_on), f.contact_phone]
                            for f in _firms().values()),
            "types": sorted([by_code[t.firm_id], t.type_code] for t in db.session.scalars(select(FirmBusinessType))),
            "grams": sorted([by_code[g.firm_id], g.gram] for g in db.session.scalars(select(FirmNameGram)))}

    child_dir = tmp_path / "forked"
    child_dir.mkdir()
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _FORKED_IMPORT, str(child_dir), str(path)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    forked = json.loads(done.stdout.strip().splitlines()[-1])
    assert forked["forked"] == [True]  # the worker process did gather them
    assert forked["split"] == "child"  # and the child validated the rows after the split
    assert forked["firms"] == here["firms"] and len(here["firms"]) == 60
    assert forked["types"] == here["types"] and forked["grams"] == here["grams"]
    assert [code(7), "7号"] in forked["grams"] and [code(7), "maintenance"] in forked["types"]


def test_new_firms_whose_ids_are_not_consecutive_get_their_own_types_and_name_pieces(runner, tmp_path, monkeypatch):
    """Another writer's firm between two chunks of an import (possible on PostgreSQL, whose sequence
    all sessions share) breaks the run of ids: each firm still gets its own business types and pieces."""
    import datetime as dt

    from app.services.bulk import insert_rows
    from app.services.name_index import name_grams
    from app.transfer import roster_import as transfer

    real = transfer._insert_firms
    calls = []

    def with_a_stranger_between(connection, rows):
        if len(calls) == 1:  # after the first chunk
            at = dt.datetime(2025, 3, 1, 8, 30)
            insert_rows(connection, Firm.__table__, (
                "name", "credit_code", "legal_rep", "registered_address", "premises_address", "contact_name",
                "contact_phone", "city_code", "is_local", "filing_status", "created_at", "updated_at", "provisional"),
                [("他人单位", "91210100MA0STRANGX", "王五", "", "", "", "", "210100", True, "none", at, at, False)])
        calls.append(len(rows))
        return real(connection, rows)

    monkeypatch.setattr(transfer, "INSERT_CHUNK", 4)
    monkeypatch.setattr(transfer, "_insert_firms", with_a_stranger_between)
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(n, types=("设计、安装", "维护")[n % 2])
                                                  for n in range(1, 11)])
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0, result.output
    assert calls == [4, 4, 2]
    for firm in _firms().values():
        if firm.credit_code == "91210100MA0STRANGX":
            continue
        n = int(firm.name.removeprefix("沈阳第").removesuffix("安防科技有限公司"))
        assert sorted(firm.business_type_codes) == (["design", "installation"], ["maintenance"])[n % 2]
        pieces = set(db.session.scalars(select(FirmNameGram.gram).where(FirmNameGram.firm_id == firm.id)))
        assert pieces == name_grams(firm.name)


def test_the_command_leaves_its_work_in_the_database_file_alone(tmp_path):
    """A command ends without the interpreter's last collection (app/cli.py), but its database connections
    are still closed first: SQLite folds the write-ahead log into the database file and removes it, so the
    file alone (copied, backed up) holds everything the command wrote."""
    import os
    import shutil
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    path = roster_file(tmp_path / "roster.xlsx", [roster_row(n) for n in range(1, 4)])
    database = tmp_path / "cli.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "JIFANG_INSTANCE_PATH": str(tmp_path / "instance"),
           "SECRET_KEY": "cli-" + "0123456789abcdef" * 3, "JIFANG_JURISDICTION": "liaoning"}
    for args in (["init-db"], ["import", "filings", path]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.glob("cli.sqlite*")) == ["cli.sqlite"]
    alone = tmp_path / "copy.sqlite"
    shutil.copyfile(database, alone)
    with sqlite3.connect(alone) as copy:
        assert sorted(r[0] for r in copy.execute("SELECT credit_code FROM firm")) == sorted(code(n) for n in range(1, 4))

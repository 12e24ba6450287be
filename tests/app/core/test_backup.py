"""`flask backup FILE` / `flask restore FILE` end to end (issue 15, point 3), on SQLite and PostgreSQL:
the database and the uploads come back, the audit trail says "restored to checkpoint N" instead of a
truncation (and still fails on any other gap), and a damaged archive, another deployment's or
jurisdiction's, or one with a newer schema is refused with nothing changed."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from app import audit
from app.extensions import db
from app.models import AuditEntry, User

pytestmark = pytest.mark.today("2026-11-30")
ROOT = Path(__file__).resolve().parents[3]


def _uploads(app) -> Path:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "transfer"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _invoke(runner, *args):
    result = runner.invoke(args=[str(a) for a in args])
    return result


@pytest.fixture
def backed_up(app, factory, runner, tmp_path):
    """A deployment with a user, an audit trail and an upload, backed up to tmp_path/b.tar.gz."""
    kept = factory.user("city_clerk", "kept")
    audit.record("test.before", kept, actor="cli")
    db.session.commit()
    (_uploads(app) / "before.upload").write_bytes(b"material filed before the backup")
    archive = tmp_path / "backups" / "b.tar.gz"
    result = _invoke(runner, "backup", archive)
    assert result.exit_code == 0, result.output
    return archive


def test_restore_brings_back_the_database_and_uploads_and_the_audit_trail_says_so(app, factory, runner,
                                                                                backed_up):
    factory.user("city_clerk", "later")  # work done after the backup, then lost to a disaster
    audit.record("test.after", actor="cli")
    db.session.commit()
    assert _invoke(runner, "audit", "checkpoint").exit_code == 0
    (_uploads(app) / "before.upload").unlink()
    (_uploads(app) / "after.upload").write_bytes(b"later")

    result = _invoke(runner, "restore", backed_up, "--yes")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    names = set(db.session.scalars(select(User.username)))
    assert "kept" in names and "later" not in names
    assert (_uploads(app) / "before.upload").read_bytes() == b"material filed before the backup"
    assert not (_uploads(app) / "after.upload").exists()
    restored = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "backup.restored")).one()
    assert restored.detail["archive"] == "b.tar.gz"

    verified = _invoke(runner, "audit", "verify", "--no-checkpoint")
    assert verified.exit_code == 0, verified.output
    manifest = _manifest(backed_up)
    assert f"restored to checkpoint {manifest['checkpoint']['line']}" in verified.output
    assert "b.tar.gz" in verified.output


def test_after_a_restore_any_other_gap_still_fails_the_audit_check(app, runner, backed_up):
    assert _invoke(runner, "restore", backed_up, "--yes").exit_code == 0
    audit.record("test.after-restore", actor="cli")
    db.session.commit()
    assert _invoke(runner, "audit", "checkpoint").exit_code == 0
    last = db.session.scalar(select(func.max(AuditEntry.id)))
    db.session.execute(delete(AuditEntry).where(AuditEntry.id == last))  # truncation behind the app's back
    db.session.commit()
    verified = _invoke(runner, "audit", "verify", "--no-checkpoint")
    assert verified.exit_code == 1
    assert "截断" in verified.output


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def _rewrite(archive: Path, target: Path, *, manifest=None, member=None) -> Path:
    """A copy of the archive with its manifest changed (manifest(dict) -> None) or one member's bytes."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()
            if info.name == "manifest.json" and manifest:
                fields = json.loads(data)
                manifest(fields)
                data = json.dumps(fields).encode()
            if member and info.name == member[0]:
                data = member[1]
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def _refused(runner, archive, *extra) -> str:
    before = db.session.scalar(select(func.count(User.id)))
    result = _invoke(runner, "restore", archive, "--yes", *extra)
    assert result.exit_code != 0
    assert "拒绝恢复" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == before  # nothing was changed
    return result.output


def test_a_damaged_archive_is_refused(app, runner, backed_up, tmp_path):
    broken = tmp_path / "broken.tar.gz"
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2] ^= 0xFF
    broken.write_bytes(bytes(data))
    _refused(runner, broken)
    swapped = _rewrite(backed_up, tmp_path / "swapped.tar.gz",
                       member=("uploads/transfer/before.upload", b"a forged material"))
    assert "校验和不符" in _refused(runner, swapped)
    assert (_uploads(app) / "before.upload").read_bytes() == b"material filed before the backup"


def test_another_deployments_archive_is_refused_unless_named(app, runner, backed_up):
    manifest = _manifest(backed_up)
    app.config["JIFANG_INSTANCE_ID"] = "a-different-deployment"
    assert "另一个部署" in _refused(runner, backed_up)
    result = _invoke(runner, "restore", backed_up, "--yes", "--from-instance", manifest["instance_id"])
    assert result.exit_code == 0, result.output


def test_another_jurisdictions_archive_is_refused(runner, backed_up, tmp_path):
    other = _rewrite(backed_up, tmp_path / "o.tar.gz", manifest=lambda m: m.update(jurisdiction="shanxi"))
    assert "辖区 shanxi" in _refused(runner, other)


def test_an_archive_with_a_newer_schema_is_refused(runner, backed_up, tmp_path):
    newer = _rewrite(backed_up, tmp_path / "n.tar.gz", manifest=lambda m: m.update(schema_revision="ffff0000aaaa"))
    assert "比本程序新" in _refused(runner, newer)


_RUNNING_SERVER = """
import sys, time
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": sys.argv[2]})
app.instance_path = sys.argv[1]
app.test_client().get("/healthz")  # a web worker that has served a request
print("serving", flush=True)
time.sleep(60)
"""


def test_restore_refuses_while_a_web_worker_runs(app, runner, backed_up):
    server = subprocess.Popen([sys.executable, "-c", _RUNNING_SERVER, app.instance_path,
                               app.config["SQLALCHEMY_DATABASE_URI"]], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "serving"
        assert "仍在运行" in _refused(runner, backed_up)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
    result = _invoke(runner, "restore", backed_up, "--yes")
    assert result.exit_code == 0, result.output

"""`flask backup FILE` and `flask restore FILE`: the database and the uploaded files in one archive.

The archive is a gzip'd tar holding manifest.json, the database (SQLite: a copy made with SQLite's online
backup API, safe while the app runs; PostgreSQL: `pg_dump -Fc` of the app's schema) and uploads/. The
manifest names the deployment (instance id, jurisdiction), the schema's Alembic revision, the audit
checkpoint written just before the copy, and a SHA-256 for every other member.

Restore runs only with the app stopped: web workers and the job worker hold a shared lock on
instance/running.lock (one machine; with several app servers stop them all by hand). It refuses an archive whose members do not
match their checksums, one from another deployment or jurisdiction, and one whose schema this code does not
know (a newer release made it). It then replaces the database and the uploads (the old uploads folder is
kept aside), upgrades the schema if the archive is older, and appends an audit entry and a checkpoint
naming the archive: `flask audit verify` then reports "restored to checkpoint N" for the entries the
restore took back, instead of a truncation, and still fails on any other gap.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import weakref
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text

from app.extensions import db
from app.instance_files import random_value_file

FORMAT = 1
MANIFEST = "manifest.json"
BEIJING = dt.timezone(dt.timedelta(hours=8))


class RestoreRefused(click.ClickException):
    """The archive is not restored; nothing was changed."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"拒绝恢复：{zh} / restore refused: {en}")


def instance_id() -> str:
    """This deployment's identity (JIFANG_INSTANCE_ID, else a random id kept in the instance folder)."""
    configured = current_app.config.get("JIFANG_INSTANCE_ID") or os.environ.get("JIFANG_INSTANCE_ID")
    if configured:
        return configured
    return random_value_file(Path(current_app.instance_path) / "instance_id", nbytes=16)


# --- "the app is running": every web worker and job worker holds a shared lock on instance/running.lock ---
def _running_lock(app) -> int:
    fd = app.extensions.get("jifang.running_lock")
    if fd is None:
        path = Path(app.instance_path) / "running.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        app.extensions["jifang.running_lock"] = fd
        weakref.finalize(app, os.close, fd)  # released with the app (tests make many apps per process)
    return fd


def hold_running_lock(app) -> None:
    """Called once per process by a web worker (first request) and by `flask jobs worker`: while any
    holds it, `flask restore` on this machine refuses to run. Waits while a restore is running."""
    if not app.extensions.get("jifang.running_lock.held"):
        fcntl.flock(_running_lock(app), fcntl.LOCK_SH)
        app.extensions["jifang.running_lock.held"] = True


def _exclusive(app):
    """Take the lock exclusively for the restore, or refuse: some process of this deployment is running."""
    fd = _running_lock(app)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        raise RestoreRefused("网站或后台任务进程仍在运行；请先停止它们（gunicorn 和 flask jobs worker）",
                             "the web or job processes are still running: stop them first") from exc


def _release(app) -> None:
    fd = _running_lock(app)
    fcntl.flock(fd, fcntl.LOCK_SH if app.extensions.get("jifang.running_lock.held") else fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _revision() -> str | None:
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database made by create_all (tests) has no Alembic table
        db.session.rollback()
        return None


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory
    from flask import current_app as app

    config = app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _pg_url() -> str:
    """The libpq form of the SQLAlchemy URL (pg_dump and pg_restore do not know "+psycopg")."""
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_schema() -> str:
    return db.session.execute(text("SELECT current_schema()")).scalar()


def _dump_database(target: Path) -> str:
    """Copy the database to target; returns the member name."""
    if db.engine.dialect.name == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # SQLite's online backup API: a consistent copy while others write
        finally:
            copy.close()
            source.close()
        return "database.sqlite"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={_pg_schema()}",
                    f"--file={target}", _pg_url()], check=True, capture_output=True)
    return "database.pgdump"


def create(archive: Path) -> dict:
    """Write the archive; returns its manifest."""
    from app import audit

    audit.record("backup.created", object_type="backup", actor="cli", detail={"archive": archive.name})
    db.session.commit()
    checkpoint = audit.write_checkpoint()
    checkpoint_line = len(audit.checkpoint_path().read_text(encoding="utf-8").splitlines())
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        member = _dump_database(dump)
        files = {member: {"sha256": _sha256(dump), "size": dump.stat().st_size}}
        upload_files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.exists() else []
        for path in upload_files:
            files["uploads/" + path.relative_to(uploads).as_posix()] = {"sha256": _sha256(path),
                                                                        "size": path.stat().st_size}
        manifest = {
            "format": FORMAT, "created_at": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
            "instance_id": instance_id(), "jurisdiction": current_app.config["JIFANG_JURISDICTION"],
            "database": db.engine.dialect.name, "schema_revision": _revision(),
            "checkpoint": {"line": checkpoint_line, "head_id": checkpoint["head_id"],
                           "head_hash": checkpoint["head_hash"], "count": checkpoint["count"]},
            "files": files,
        }
        archive.parent.mkdir(parents=True, exist_ok=True)
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            blob = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
            tar.add(dump, arcname=member)
            for path in upload_files:
                tar.add(path, arcname="uploads/" + path.relative_to(uploads).as_posix())
        partial.replace(archive)  # never a half-written archive under the final name
    return manifest


def _unpack(archive: Path, into: Path) -> dict:
    """Extract and check every member against the manifest; refuse anything damaged or unexpected."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, links out or devices
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise RestoreRefused("备份文件损坏或不是本系统的备份", f"the archive is damaged or not a backup ({exc})") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RestoreRefused("备份清单缺失或损坏", "the manifest is missing or damaged") from exc
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(files):
        raise RestoreRefused("备份中的文件与清单不符", "the archive's files do not match its manifest")
    for name, meta in files.items():
        if _sha256(into / name) != meta.get("sha256"):
            raise RestoreRefused(f"文件 {name} 的校验和不符（备份损坏）", f"{name} does not match its checksum")
    return manifest


def _check_belongs_here(manifest: dict, accept_instance: str | None) -> None:
    if manifest.get("format") != FORMAT:
        raise RestoreRefused(f"备份格式 {manifest.get('format')} 不受支持", "unsupported archive format")
    jurisdiction = current_app.config["JIFANG_JURISDICTION"]
    if manifest.get("jurisdiction") != jurisdiction:
        raise RestoreRefused(f"备份属于辖区 {manifest.get('jurisdiction')}，本系统为 {jurisdiction}",
                             "the archive is another jurisdiction's")
    here = instance_id()
    if manifest.get("instance_id") != here and manifest.get("instance_id") != accept_instance:
        raise RestoreRefused(
            f"备份来自另一个部署（实例标识 {manifest.get('instance_id')}，本部署 {here}）；如确为本部署的新机器，"
            "请加 --from-instance 并写出备份的实例标识",
            "the archive is another deployment's (pass --from-instance ID on this deployment's new machine)")
    if manifest.get("database") != db.engine.dialect.name:
        raise RestoreRefused(f"备份为 {manifest.get('database')} 数据库，本系统为 {db.engine.dialect.name}",
                             "the archive is of another kind of database")
    revision = manifest.get("schema_revision")
    if revision and revision not in _known_revisions():
        raise RestoreRefused(f"备份的数据库结构版本 {revision} 比本程序新；请先升级程序",
                             "the archive's schema is newer than this code")


def _restore_database(manifest: dict, into: Path) -> None:
    schema = _pg_schema() if manifest["database"] == "postgresql" else None
    db.session.remove()
    for engine in db.engines.values():  # the roster's head reader too (PostgreSQL)
        engine.dispose()
    if manifest["database"] == "sqlite":
        source = sqlite3.connect(into / "database.sqlite")
        target = sqlite3.connect(db.engine.url.database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    with db.engine.begin() as conn:  # tables the archive does not have (none, unless made by hand) go too
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}).all()
        for (table,) in tables:
            conn.execute(text(f'DROP TABLE IF EXISTS "{schema}"."{table}" CASCADE'))
    db.engine.dispose()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", f"--schema={schema}",
                    "--exit-on-error", f"--dbname={_pg_url()}", str(into / "database.pgdump")],
                   check=True, capture_output=True)


def _restore_uploads(into: Path) -> Path | None:
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    kept = None
    if uploads.exists():
        kept = uploads.with_name(f"{uploads.name}.before-restore-{dt.datetime.now():%Y%m%d%H%M%S}")
        uploads.rename(kept)
    if (into / "uploads").exists():
        shutil.copytree(into / "uploads", uploads)
    else:
        uploads.mkdir(parents=True)
    return kept


def restore(archive: Path, accept_instance: str | None = None) -> dict:
    """Restore the archive into this deployment; returns the manifest."""
    from flask_migrate import upgrade

    from app import audit

    archive_sha = _sha256(archive)
    app = current_app._get_current_object()
    with tempfile.TemporaryDirectory() as work:
        into = Path(work)
        manifest = _unpack(archive, into)
        _check_belongs_here(manifest, accept_instance)
        _exclusive(app)
        try:
            _restore_database(manifest, into)
            kept = _restore_uploads(into)
        finally:
            _release(app)
    if manifest.get("schema_revision"):
        upgrade()  # an older archive is brought up to this code's schema
    point = manifest["checkpoint"]
    audit.record("backup.restored", object_type="backup", actor="cli", detail={
        "archive": archive.name, "archive_sha256": archive_sha, "created_at": manifest["created_at"],
        "restored_to_checkpoint": point["line"], "head_id": point["head_id"],
        "previous_uploads": str(kept) if kept else None})
    db.session.commit()
    audit.write_checkpoint(restore={"restored_from": archive.name, "archive_sha256": archive_sha,
                                    "restored_to_checkpoint": point["line"],
                                    "restored_head_id": point["head_id"]})
    return manifest


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path):
    """Back up the database and the uploads into FILE (safe while the app runs)."""
    manifest = create(file)
    click.echo(f"已备份到 {file}：数据库（{manifest['database']}）和 {len(manifest['files']) - 1} 个上传文件，"
               f"审计检查点第 {manifest['checkpoint']['line']} 行")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from-instance", default=None, help="接受来自该实例标识的备份（本部署迁到新机器时）")
@click.option("--yes", is_flag=True, help="确认已停止网站和后台任务进程")
@with_appcontext
def restore_command(file: Path, from_instance: str | None, yes: bool):
    """Replace the database and the uploads with FILE's. Stop the web and job processes first."""
    if not yes:
        click.confirm("恢复将替换当前数据库和上传文件。网站和后台任务进程已停止吗？", abort=True)
    manifest = restore(file, from_instance)
    click.echo(f"已从 {file} 恢复（备份于 {manifest['created_at']}），审计记录恢复到检查点第 "
               f"{manifest['checkpoint']['line']} 行")


def register(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

"""Import jobs: storing an upload, the preview and the import run by the queue, and their progress.

Progress is written every half second to the queue's key-value store (app/jobs.py: the SQLite queue file
or Redis), which every web worker reads, and to the job row from a connection of its own while the file is
read and validated. While the import's single write transaction is open, SQLite would make that second
connection wait for the writer, so on SQLite the write phase reports to the queue's store only; PostgreSQL
gets row updates throughout.

A job's heartbeat is its finished_at column while the stage is queued or running (see the model): set when
it is queued and claimed, and with every progress write. A process that dies mid-job leaves the job
"running" for good, so on consumer start and when a page polls the job, recover_stale() fails a running job
whose heartbeat is older than STALE_RUNNING, and queues again a queued job the queue no longer holds.
Uploads and error reports are personal data: `flask jobs cleanup` removes them after RETENTION.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update

from app import audit
from app.extensions import db
from app.jobs import queue as job_queue
from app.models import ImportJob, User
from app.models.base import utcnow
from app.transfer import roster_import as transfer
from imports.workbook import MAX_FILE_BYTES, UnusableWorkbook

log = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5
STALE_RUNNING = dt.timedelta(minutes=10)
"""A running job beats every PROGRESS_INTERVAL while it reads; one silent this long has lost its process."""
STALE_QUEUED = dt.timedelta(minutes=2)
"""A job queued this long that is not in the queue was lost by it (queue file removed): queue it again."""
RETENTION = dt.timedelta(days=7)
"""How long uploads and error reports are kept after the job's last activity."""
INTERRUPTED = "处理中断，请重新上传"
EXPIRED = f"上传的文件和错误报告已超过保留期限（{RETENTION.days} 天）并已删除；如需查看错误报告，请重新上传"


class UploadTooLarge(Exception):
    pass


def storage_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "transfer"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(stream, filename: str, user, kind: str) -> ImportJob:
    """Save the upload under a random name (the user's name is kept only as a label) and queue its preview."""
    path = storage_dir() / f"{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    size = 0
    with open(path, "wb") as fh:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                fh.close()
                path.unlink(missing_ok=True)
                raise UploadTooLarge(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
            digest.update(chunk)
            fh.write(chunk)
    job = ImportJob(user_id=user.id, kind=kind, filename=os.path.basename(filename)[:255] or "upload",
                    stored_path=str(path), sha256=digest.hexdigest(), stage="preview", status="queued")
    db.session.add(job)
    db.session.commit()
    return job


class _Reporter:
    def __init__(self, job_id: int):
        self.job_id = job_id
        self.sqlite = db.engine.dialect.name == "sqlite"
        self.last = 0.0

    def __call__(self, processed: int, phase: str = "check") -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        job_queue().set_progress(self.job_id, processed)  # seen by every web worker
        if phase == "write" and self.sqlite:
            return
        with db.engine.begin() as conn:
            conn.execute(update(ImportJob).where(ImportJob.id == self.job_id)
                         .values(processed=processed, finished_at=utcnow()))  # the heartbeat too


def live_processed(job: ImportJob) -> int:
    return max(job.processed, job_queue().progress(job.id)) if not job.finished else job.processed


def run_job(job_id: int) -> None:
    """Run the job's current stage; every failure ends as status failed with a Chinese message."""
    # Claimed in one statement: a job queued twice (recovery re-queued it) runs once.
    claimed = db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
                                 .values(status="running", processed=0, finished_at=utcnow()))
    db.session.commit()
    if claimed.rowcount != 1:
        return
    job = db.session.get(ImportJob, job_id)
    user = db.session.get(User, job.user_id)
    try:
        if job.stage == "preview":
            _preview(job, user)
        else:
            _import(job, user)
    except UnusableWorkbook as exc:
        db.session.rollback()
        _finish(job_id, "failed", message=exc.reason)
    except transfer.ImportConflict as exc:
        db.session.rollback()
        _finish(job_id, "failed", message=exc.reason)
    except Exception:  # noqa: BLE001 - a job must end, and say so, whatever went wrong
        log.exception("import job %s failed", job_id)
        db.session.rollback()
        _finish(job_id, "failed", message="导入时发生内部错误，未写入任何数据；请联系系统管理员")
    finally:
        job_queue().clear_progress(job_id)
        finished = db.session.get(ImportJob, job_id)
        if finished.stage == "import" and not may_rerun_valid_rows(finished):
            Path(job.stored_path).unlink(missing_ok=True)  # the personal data is in the database now


def _finish(job_id: int, status: str, **values) -> None:
    job = db.session.get(ImportJob, job_id)
    job.status = status
    job.finished_at = utcnow()
    for key, value in values.items():
        setattr(job, key, value)
    db.session.commit()


def _runner(job: ImportJob):
    if job.kind == "cases":
        from app.transfer import case_import as transfer_cases

        return transfer_cases
    return transfer


def _preview(job: ImportJob, user) -> None:
    service = _runner(job)
    pack = current_app.extensions["jifang.pack"]
    reporter = _Reporter(job.id)
    outcome = service.preview(job.stored_path, job.filename, pack=pack, user=user, progress=reporter)
    report = None
    if outcome.errors:
        report = str(storage_dir() / f"{uuid.uuid4().hex}-errors.xlsx")
        service.write_report(report, job.stored_path, job.filename, outcome.errors)
    _finish(job.id, "done", total=outcome.total, processed=outcome.total, refused=outcome.refused,
            error_report_path=report, preview={
                **outcome.counts(), "sample": outcome.sample,
                "errors": [e.as_dict() for e in outcome.errors[:transfer.PREVIEW_ERRORS]],
                "more_errors": max(0, len(outcome.errors) - transfer.PREVIEW_ERRORS),
            })


def _import(job: ImportJob, user) -> None:
    service = _runner(job)
    reporter = _Reporter(job.id)
    job_id = job.id

    def finish(outcome) -> None:  # in the import's own transaction: the job and the data commit together
        done = db.session.get(ImportJob, job_id)
        done.status, done.finished_at = "done", utcnow()
        done.total, done.refused, done.written = outcome.total, outcome.refused, outcome.written
        done.processed = outcome.total + outcome.written
        done.message = "有行被拒绝，按“全部导入或全部不导入”方式未写入任何数据" if (
            outcome.refused and outcome.mode == "all-or-nothing") else ""

    service.run_import(job.stored_path, job.filename, mode=job.mode, user=user, progress=reporter,
                       finish=finish, job_id=job_id)


def status(job: ImportJob) -> dict:
    """What the progress bar shows: the status endpoint's JSON."""
    processed = live_processed(job)
    expected = job.total + (job.preview or {}).get("valid", 0) if job.stage == "import" else 0
    if job.finished:
        percent = 100
    elif expected:
        percent = min(99, processed * 100 // max(expected, 1))
    else:
        percent = None  # still counting: the bar is indeterminate
    return {"id": job.id, "kind": job.kind, "stage": job.stage, "status": job.status, "processed": processed,
            "total": job.total, "percent": percent, "written": job.written, "refused": job.refused,
            "message": job.message, "finished": job.finished}


def may_rerun_valid_rows(job: ImportJob) -> bool:
    """An all-or-nothing import that wrote nothing because rows were refused: the clerk may run the same
    checked file again with "valid rows only" without uploading it again (issue 14 point 8). The file is
    kept for that until the usual clean-up removes it."""
    return (
        job.stage == "import" and job.status == "done" and job.mode == "all-or-nothing"
        and not job.written and bool(job.refused) and not job.files_expired
        and Path(job.stored_path).exists()
    )


def mark_queued(job: ImportJob) -> None:
    """Queued now: the heartbeat starts from here (the caller commits and enqueues)."""
    job.status, job.processed, job.finished_at = "queued", 0, utcnow()


def recover_stale(job_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Fail running jobs whose heartbeat is older than STALE_RUNNING; queue again the queued jobs older than
    STALE_QUEUED that the queue has lost (or fail them when their upload is gone). Returns the jobs touched."""
    now = now or utcnow()
    stmt = select(ImportJob).where(ImportJob.status.in_(("queued", "running")))
    if job_ids is not None:
        stmt = stmt.where(ImportJob.id.in_(job_ids))
    stale = [job for job in db.session.scalars(stmt)
             if now - job.heartbeat > (STALE_RUNNING if job.status == "running" else STALE_QUEUED)]
    if not stale:
        return 0
    jobs = job_queue()
    pending = jobs.pending_job_ids()
    requeue = []
    for job in stale:
        if job.status == "queued" and job.id in pending:
            continue  # still waiting its turn behind a long job
        if job.status == "queued" and job.stored_path and Path(job.stored_path).is_file():
            job.finished_at = now
            requeue.append(job.id)
            continue
        log.warning("import job %s interrupted (%s since %s)", job.id, job.status, job.heartbeat)
        job.status, job.finished_at, job.message = "failed", now, INTERRUPTED
    db.session.commit()
    for job_id in requeue:
        jobs.put(job_id)
    return len(stale)


def recover_job(job: ImportJob) -> None:
    """When a page polls an unfinished job: the same recovery, for that job only."""
    if not job.finished and recover_stale([job.id]):
        db.session.refresh(job)


@dataclass
class Cleanup:
    jobs: list[int] = field(default_factory=list)
    files: int = 0


def cleanup_files(*, actor=None, now: dt.datetime | None = None) -> Cleanup:
    """Remove the uploads and error reports of finished jobs idle longer than RETENTION, and stray files of
    the transfer folder as old. The job rows keep their counts and say the files expired. Audited."""
    now = now or utcnow()
    cutoff = now - RETENTION
    recover_stale(now=now)
    done = Cleanup()
    jobs = db.session.scalars(select(ImportJob).where(
        ImportJob.status.in_(("done", "failed")),
        func.coalesce(ImportJob.finished_at, ImportJob.created_at) < cutoff,
        or_(ImportJob.stored_path != "", ImportJob.error_report_path.is_not(None)))).all()
    for job in jobs:
        for path in (job.stored_path, job.error_report_path):
            if path and _unlink(Path(path)):
                done.files += 1
        job.stored_path, job.error_report_path = "", None
        job.preview = {**(job.preview or {}), "expired": True}
        job.message = f"{job.message}；{EXPIRED}" if job.message else EXPIRED
        done.jobs.append(job.id)
    kept = {Path(path).name for row in db.session.execute(select(ImportJob.stored_path, ImportJob.error_report_path))
            for path in row if path}
    for path in storage_dir().iterdir():
        if (path.is_file() and path.name not in kept
                and dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None) < cutoff
                and _unlink(path)):
            done.files += 1
    audit.record("cleanup_import_files", object_type="import_job", actor=actor, detail={
        "retention_days": RETENTION.days, "jobs": done.jobs, "files": done.files})
    db.session.commit()
    return done


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True

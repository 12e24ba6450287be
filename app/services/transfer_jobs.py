"""Import jobs: storing an upload, the preview and the import run by the queue, and their progress.

Progress is written to the job row from a connection of its own every half second while the file is read
and validated. While the import's single write transaction is open, SQLite would make that second
connection wait for the writer, so on SQLite the write phase reports to a per-process dict instead, which
the status endpoint reads (the embedded consumer runs in the web process); PostgreSQL gets row updates
throughout.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.models import ImportJob, User
from app.models.base import utcnow
from app.services import transfer
from imports.workbook import MAX_FILE_BYTES, UnusableWorkbook

log = logging.getLogger(__name__)
_LIVE: dict[int, int] = {}  # job id -> rows handled, for the write phase on SQLite
PROGRESS_INTERVAL = 0.5


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
        _LIVE[self.job_id] = processed
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL or (phase == "write" and self.sqlite):
            return
        self.last = now
        with db.engine.begin() as conn:
            conn.execute(update(ImportJob).where(ImportJob.id == self.job_id).values(processed=processed))


def live_processed(job: ImportJob) -> int:
    return max(job.processed, _LIVE.get(job.id, 0)) if not job.finished else job.processed


def run_job(job_id: int) -> None:
    """Run the job's current stage; every failure ends as status failed with a Chinese message."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.processed = "running", 0
    db.session.commit()
    user = db.session.get(User, job.user_id)
    try:
        if job.stage == "preview":
            _preview(job, user)
        else:
            _import(job, user)
    except UnusableWorkbook as exc:
        db.session.rollback()
        _finish(job_id, "failed", message=exc.reason)
    except Exception:  # noqa: BLE001 - a job must end, and say so, whatever went wrong
        log.exception("import job %s failed", job_id)
        db.session.rollback()
        _finish(job_id, "failed", message="导入时发生内部错误，未写入任何数据；请联系系统管理员")
    finally:
        _LIVE.pop(job_id, None)
        if db.session.get(ImportJob, job_id).stage == "import":
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
        from app.services import transfer_cases

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

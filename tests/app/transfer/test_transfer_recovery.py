"""Jobs whose process died, and the retention of uploads and error reports (`flask jobs cleanup`).

Jobs run in huey's immediate mode here (TESTING): a job queued again runs at once.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ImportJob
from app.models.base import utcnow
from app.transfer import import_jobs as transfer_jobs
from tests.app.transfer_support import roster_file, roster_row
from tests.support import page_text, post_form

# Ages are measured back from now: the clock is pinned (it ticks, so heartbeats still move).
pytestmark = pytest.mark.today("2026-11-30")

def _job(user, tmp_path, *, status="queued", age=dt.timedelta(0), rows=None, name="r.xlsx") -> ImportJob:
    """A stored upload whose job was last alive ``age`` ago."""
    path = roster_file(tmp_path / name, rows or [roster_row(1), roster_row(2)])
    with open(path, "rb") as fh:
        job = transfer_jobs.store_upload(fh, name, user, "filings")
    job.status = status
    job.created_at = job.finished_at = utcnow() - age
    db.session.commit()
    return job


def _status(client, job) -> dict:
    return client.get(f"/transfer/jobs/{job.id}/status.json").get_json()


def test_a_running_job_silent_too_long_fails_when_polled(login_as, tmp_path):
    client, user = login_as("provincial_clerk")
    job = _job(user, tmp_path, status="running", age=transfer_jobs.STALE_RUNNING + dt.timedelta(seconds=5))
    status = _status(client, job)
    assert status["status"] == "failed" and status["finished"] and status["message"] == "处理中断，请重新上传"
    assert "处理中断，请重新上传" in page_text(client.get(f"/transfer/jobs/{job.id}"))


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(login_as, tmp_path):
    client, user = login_as("provincial_clerk")
    job = _job(user, tmp_path, status="running", age=transfer_jobs.STALE_RUNNING - dt.timedelta(minutes=1))
    assert _status(client, job)["status"] == "running"


def test_a_queued_job_the_queue_lost_is_queued_again_and_runs(login_as, tmp_path):
    client, user = login_as("provincial_clerk")
    job = _job(user, tmp_path, age=transfer_jobs.STALE_QUEUED + dt.timedelta(seconds=5))
    status = _status(client, job)
    assert status["status"] == "done" and status["total"] == 2


def test_a_queued_job_whose_upload_is_gone_fails(login_as, tmp_path):
    client, user = login_as("provincial_clerk")
    job = _job(user, tmp_path, age=transfer_jobs.STALE_QUEUED + dt.timedelta(seconds=5))
    Path(job.stored_path).unlink()
    assert _status(client, job)["message"] == "处理中断，请重新上传"


def test_recovery_fails_only_the_stale_jobs(app, factory, tmp_path):
    user = factory.user("provincial_clerk")
    stale = _job(user, tmp_path, status="running", age=dt.timedelta(hours=1), name="a.xlsx")
    fresh = _job(user, tmp_path, status="running", age=dt.timedelta(seconds=10), name="b.xlsx")
    done = _job(user, tmp_path, status="done", age=dt.timedelta(hours=1), name="c.xlsx")
    assert transfer_jobs.recover_stale() == 1
    assert [db.session.get(ImportJob, j.id).status for j in (stale, fresh, done)] == ["failed", "running", "done"]


def test_a_job_claimed_once_is_not_run_again(app, factory, tmp_path):
    user = factory.user("provincial_clerk")
    job = _job(user, tmp_path)
    transfer_jobs.run_job(job.id)
    finished_at = db.session.get(ImportJob, job.id).finished_at
    transfer_jobs.run_job(job.id)  # queued twice: the second run finds it no longer queued
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).finished_at == finished_at


def _age(path: str, days: float) -> None:
    when = time.time() - days * 86400
    os.utime(path, (when, when))


def test_cleanup_removes_old_uploads_and_reports_and_keeps_the_counts(login_as, runner, tmp_path):
    client, user = login_as("provincial_clerk")
    old = _job(user, tmp_path, rows=[roster_row(1), roster_row(2, 法定代表人="")], name="old.xlsx")
    transfer_jobs.run_job(old.id)
    recent = _job(user, tmp_path, rows=[roster_row(3), roster_row(4, 法定代表人="")], name="new.xlsx")
    transfer_jobs.run_job(recent.id)
    old, recent = db.session.get(ImportJob, old.id), db.session.get(ImportJob, recent.id)
    old_files = [old.stored_path, old.error_report_path]
    assert all(os.path.isfile(p) for p in old_files)
    old.finished_at = utcnow() - transfer_jobs.RETENTION - dt.timedelta(hours=1)
    db.session.commit()
    stray = transfer_jobs.storage_dir() / "stray.upload"  # an upload whose job row never committed
    stray.write_bytes(b"x")
    _age(str(stray), transfer_jobs.RETENTION.days + 1)

    result = runner.invoke(args=["jobs", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "3 个" in result.output and "1 条" in result.output
    assert not any(os.path.exists(p) for p in old_files) and not stray.exists()
    assert os.path.isfile(recent.stored_path) and os.path.isfile(recent.error_report_path)

    db.session.expire_all()
    old = db.session.get(ImportJob, old.id)
    assert old.files_expired and old.error_report_path is None and old.stored_path == ""
    assert (old.total, old.refused, old.preview["valid"]) == (2, 1, 1)  # the counts stay
    assert "已超过保留期限（7 天）" in old.message
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "cleanup_import_files")).one()
    assert entry.detail == {"retention_days": 7, "jobs": [old.id], "files": 3}

    # The page still answers: the report says it expired, and the expired upload cannot be imported.
    report = client.get(f"/transfer/jobs/{old.id}/errors.xlsx")
    assert report.status_code == 302
    confirm = post_form(client, f"/transfer/jobs/{old.id}/confirm", {"mode": "valid-rows"},
                        token_from=f"/transfer/jobs/{old.id}")
    assert confirm.status_code == 302 and db.session.get(ImportJob, old.id).stage == "preview"
    assert "已超过保留期限" in page_text(client.get(f"/transfer/jobs/{old.id}"))

    again = runner.invoke(args=["jobs", "cleanup"])  # nothing left to remove
    assert "0 个" in again.output and db.session.get(ImportJob, old.id).message.count("保留期限") == 1

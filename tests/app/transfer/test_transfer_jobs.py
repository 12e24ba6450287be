"""The queue as `./run demo` runs it: not immediate, huey's consumer started inside the web process."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from app.extensions import db
from app.jobs import queue
from app.models import ImportJob
from app.models.base import utcnow
from app.transfer import import_jobs as transfer_jobs
from tests.app.transfer_support import roster_file, roster_row

# Ages are measured back from now: the clock is pinned (it ticks, so heartbeats still move).
pytestmark = pytest.mark.today("2026-11-30")

@pytest.fixture
def app_config(tmp_path):
    return {"JIFANG_JOBS_IMMEDIATE": False, "JIFANG_JOBS_DB": str(tmp_path / "jobs.sqlite")}


def test_the_embedded_consumer_runs_a_queued_job(app, factory, tmp_path):
    user = factory.user("provincial_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(n) for n in range(1, 4)])
    with open(path, "rb") as fh:
        job = transfer_jobs.store_upload(fh, "r.xlsx", user, "filings")
    jobs = queue()
    try:
        jobs.enqueue(job.id)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(ImportJob, job.id).finished:
                break
            time.sleep(0.1)
        job = db.session.get(ImportJob, job.id)
        assert job.status == "done" and job.preview["valid"] == 3
    finally:
        jobs.stop()


def test_starting_the_consumer_fails_dead_jobs_and_runs_lost_ones(app, factory, tmp_path):
    """A process died mid-job (left running) and the queue file was lost (a job left queued)."""
    user = factory.user("provincial_clerk")
    jobs_made = []
    for name, status in (("dead.xlsx", "running"), ("lost.xlsx", "queued")):
        path = roster_file(tmp_path / name, [roster_row(1)])
        with open(path, "rb") as fh:
            job = transfer_jobs.store_upload(fh, name, user, "filings")
        job.status, job.created_at = status, utcnow() - dt.timedelta(hours=1)
        jobs_made.append(job.id)
    db.session.commit()
    jobs = queue()
    try:
        jobs.ensure_consumer()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.expire_all()
            if all(db.session.get(ImportJob, j).finished for j in jobs_made):
                break
            time.sleep(0.1)
        dead, lost = (db.session.get(ImportJob, j) for j in jobs_made)
        assert dead.status == "failed" and dead.message == transfer_jobs.INTERRUPTED
        assert lost.status == "done" and lost.preview["valid"] == 1
    finally:
        jobs.stop()

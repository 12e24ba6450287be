"""Several app servers act as one through Redis (issue 15, point 2): jobs run from huey's Redis queue, the
rate limits count across servers, and a job's progress is seen by every server.

Redis is JIFANG_TEST_REDIS_URL or 127.0.0.1:6379. Under CI=true an unreachable server fails these tests;
elsewhere they skip. Every test uses keys of its own (a random huey name and limiter prefix) and deletes
only those.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from app.extensions import db, limiter
from app.jobs import queue
from app.models import ImportJob
from app.models.base import utcnow
from app.transfer import import_jobs as transfer_jobs
from tests.app.transfer_support import roster_file, roster_row
from tests.support import login

pytestmark = pytest.mark.today("2026-11-30")
ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("JIFANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message + " (fails under CI=true)")
    yield client
    client.close()


@pytest.fixture
def own_keys(redis_client):
    """A name for this test's keys (letters and digits: huey drops anything else); its keys go at the end."""
    name = f"jifangtest{uuid.uuid4().hex[:16]}"
    yield name
    for key in redis_client.scan_iter(match=f"*{name}*", count=500):
        redis_client.delete(key)


@pytest.fixture
def app_config(tmp_path, own_keys, redis_client):
    # The limiter object is shared by every app of the process and keeps the first key prefix it was given.
    limiter._key_prefix = None
    return {"JIFANG_JOBS_IMMEDIATE": False, "REDIS_URL": REDIS_URL, "JIFANG_JOBS_NAME": own_keys,
            "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": own_keys,
            "LOGIN_RATE_LIMIT": "2 per minute"}


def _upload(factory, tmp_path, rows=3):
    user = factory.user("provincial_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(n) for n in range(1, rows + 1)])
    with open(path, "rb") as fh:
        return user, transfer_jobs.store_upload(fh, "r.xlsx", user, "filings")


def test_a_job_runs_from_the_redis_queue(app, factory, tmp_path, own_keys, redis_client):
    from huey import RedisHuey

    jobs = queue()
    assert isinstance(jobs.huey, RedisHuey)
    _, job = _upload(factory, tmp_path)
    jobs.put(job.id)
    assert redis_client.llen(f"huey.redis.{own_keys}") == 1  # queued in Redis, where any server's worker finds it
    try:
        jobs.ensure_consumer()
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
        jobs.huey.flush()


_WORKER = """
import json, sys
from app import create_app
from app.transfer import import_jobs as transfer_jobs
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    transfer_jobs._Reporter(int(sys.argv[2]))(1234, phase="write")  # what a worker's import reports
"""


def other_process_config(app, tmp_path, **config) -> dict:
    """The configuration of another server (or the job worker) of the same deployment."""
    return {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI":
            app.config["SQLALCHEMY_DATABASE_URI"], "UPLOAD_FOLDER": str(tmp_path / "uploads"), **config}


def run_other_process(script: str, config: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", script, json.dumps(config), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def progress_seen_by_this_server(app, factory, tmp_path, config) -> int:
    """A running import reports 1,234 rows from the worker process; what does this server's status say?"""
    user, job = _upload(factory, tmp_path, rows=1)
    job.stage, job.status, job.finished_at = "preview", "running", utcnow()
    db.session.commit()
    try:
        run_other_process(_WORKER, other_process_config(app, tmp_path, **config), str(job.id))
        client = app.test_client()
        login(client, user)
        answer = client.get(f"/transfer/jobs/{job.id}/status.json")
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        return answer.get_json()["processed"]
    finally:
        queue().clear_progress(job.id)


def test_another_server_sees_the_progress_of_a_job_run_by_the_worker(app, factory, tmp_path, app_config):
    config = {**app_config, "LOGIN_RATE_LIMIT": "20 per minute"}
    assert progress_seen_by_this_server(app, factory, tmp_path, config) == 1234


_OTHER_SERVER = """
import json, sys
from app import create_app
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
print(client.post("/auth/login", data={"username": "nobody", "password": "x"}).status_code)
"""


def test_two_servers_share_the_log_in_throttle(app, tmp_path, _server_database, app_config):
    """Two posts on this server and a third on another process: the third is refused (2 per minute)."""
    app.config["WTF_CSRF_ENABLED"] = False  # the throttle counts posts the CSRF check would refuse first
    client = app.test_client()
    for _ in range(2):
        assert client.post("/auth/login", data={"username": "nobody", "password": "x"}).status_code != 429
    config = other_process_config(app, tmp_path, WTF_CSRF_ENABLED=False, **app_config)
    assert run_other_process(_OTHER_SERVER, config).strip().splitlines()[-1] == "429"

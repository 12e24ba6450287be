"""./run demo without Redis: gunicorn's workers and `flask jobs worker` are separate processes sharing the
SQLite queue file; a running import's progress travels through it (issue 15, point 2)."""

from __future__ import annotations

import pytest

from tests.app.core.test_redis import progress_seen_by_this_server

pytestmark = pytest.mark.today("2026-11-30")


@pytest.fixture
def app_config(tmp_path):
    return {"JIFANG_JOBS_IMMEDIATE": False, "JIFANG_JOBS_EMBEDDED": "0",
            "JIFANG_JOBS_DB": str(tmp_path / "jobs.sqlite")}


def test_the_web_server_sees_the_progress_the_worker_process_reports(app, factory, tmp_path, app_config):
    assert progress_seen_by_this_server(app, factory, tmp_path, app_config) == 1234

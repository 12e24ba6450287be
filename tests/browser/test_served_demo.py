"""`./run demo` as a user starts it: gunicorn (2 workers) and the job worker as separate processes, on a
database made by the same commands (init-db, load-demo). Chromium walks the public roster, a clerk's
review queue, and an import whose check and write only the separate job process can do (the web workers
run with JIFANG_JOBS_EMBEDDED=0 and never consume the queue).

The server runs in a process group of its own on a free port with a temporary instance folder
(JIFANG_INSTANCE_PATH: database, job queue, keys, uploads); the group is stopped after the test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.demo import DEMO_PASSWORD
from tests.app.transfer_support import roster_file, roster_row

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 180  # installs nothing, but creates the schema and the demo data (password hashing) first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to `./run` (its trap stops gunicorn and the worker), then SIGKILL to whatever of its
    process group is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture
def served_demo(tmp_path):
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("./run demo serves from .venv (run ./run demo or ./run test once to create it)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "JIFANG_REDIS_URL", "JIFANG_JOBS_DB", "JIFANG_UPLOAD_FOLDER", "SECRET_KEY",
                        "JIFANG_PUBLIC_URL", "FLASK_APP", "WEB_CONCURRENCY")}
    env.update(PORT=str(port), JIFANG_INSTANCE_PATH=str(instance))
    log_path = tmp_path / "run-demo.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([str(ROOT / "run"), "demo", "--no-install"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _healthy(base):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text("utf-8", "replace")[-4000:]
                pytest.fail(f"./run demo did not answer /healthz on {base}:\n{tail}")
            time.sleep(0.5)
        yield base, process
    finally:
        _stop(process)


def _children(pid: int) -> list[str]:
    """The command lines of every process under pid (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
                found += _children(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def test_the_served_demo_answers_the_public_a_clerk_and_runs_an_import_in_its_job_process(
    served_demo, browser, tmp_path,
):
    base, process = served_demo
    commands = _children(process.pid)
    assert sum("gunicorn" in c for c in commands) >= 3, commands  # the arbiter and its 2 workers
    assert any("jobs worker" in c for c in commands), commands

    context = browser.new_context(base_url=base, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        # The public: a name search on the roster finds the demo's filed firm and opens its entry.
        page.goto("/roster")
        page.get_by_label("单位名称").fill("示范智能")
        page.get_by_role("button", name="查询").click()
        page.get_by_role("link", name="示范智能系统工程有限公司").click()
        assert "该单位的备案真实有效" in page.locator("main").inner_text()

        # A provincial clerk logs in and finds the demo's out-of-province filing waiting in the review queue.
        page.goto("/auth/login")
        page.get_by_label("用户名").fill("province")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto("/review/")
        assert "备案审核" in page.locator("main h1").inner_text()
        assert "外省示范安防工程有限公司" in page.locator("table.queue").inner_text()

        # An import: the upload is checked, then written, by the job process; the page polls its progress.
        rows = [roster_row(n) for n in range(1, 31)]
        path = roster_file(tmp_path / "名录.xlsx", rows)
        page.goto("/transfer/")
        page.get_by_label("导入内容").select_option(label="备案单位名录")
        page.get_by_label("文件").set_input_files(path)
        page.get_by_role("button", name="上传并检查").click()
        page.get_by_role("heading", name="预览").wait_for()
        assert "30" in page.locator("dl.facts").inner_text()
        page.get_by_role("button", name="开始导入").click()
        page.get_by_role("heading", name="导入完成").wait_for()
        assert "30" in page.locator("dl.facts").inner_text()

        # What the job process wrote is on the public roster, whichever web worker answers.
        for _ in range(3):
            page.goto("/roster?name=沈阳第17安防")
            assert "沈阳第17安防科技有限公司" in page.locator("main").inner_text()
    finally:
        context.close()

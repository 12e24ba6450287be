"""Main journeys in a real browser: Playwright driving Debian's Chromium against a live server.

Outside CI a machine without /usr/bin/chromium skips these with a message; in CI (CI=true) a missing
browser is a failure, since .ci/run installs it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed; .ci/run should have installed Debian's chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser journeys skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, pinned_clock):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    if pinned_clock is not None:  # the browser's date is the pinned one the live server (a thread) sees
        context.clock.install(time=dt.datetime.now(dt.UTC))
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], f"CSP violations: {errors}"

"""Main journeys in a real browser: Playwright driving Debian's Chromium against a live server.

Outside CI a machine without /usr/bin/chromium skips these with a message; in CI (CI=true) a missing
browser is a failure, since .ci/run installs it.

Every page a journey visits is checked with axe-core (WCAG 2.1 A/AA and axe's best practices, bundled by
axe-playwright-python): before the first action on a document (a click, a fill, a key press, a goto…),
when its context closes, and at the end of the test. A violation fails the test at that line with the
page's address, each rule broken, the elements and what to fix (see ``axe_report``). A test that must
look at a page axe cannot judge (none so far) can call ``axe_checked(page)`` first.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


AXE_OPTIONS = {"resultTypes": ["violations"]}

_CLAIM_DOCUMENT = """() => {
  if (document.contentType !== 'text/html' || !location.protocol.startsWith('http')) return 'skip';
  if (window.__jifangAxeChecked) return 'done';
  window.__jifangAxeChecked = true;
  return window.axe ? 'ready' : 'inject';
}"""

_RUN_AXE = """async (options) => {
  const results = await axe.run(document, options);
  return {
    url: location.href, title: document.title,
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
    })),
  };
}"""


def axe_report(result: dict) -> str:
    """What axe found on one page, for a person to read in the test output."""
    violations = result["violations"]
    lines = [f"axe-core: {len(violations)} accessibility rule(s) broken on {result['url']} "
             f"(title {result['title']!r}):"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      at {node['target']}: {node['html'][:200]}")
            for hint in (node["summary"] or "").splitlines():
                lines.append(f"          {hint.strip()}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more element(s)")
    return "\n".join(lines)


def axe_checked(page) -> None:
    """Run axe-core on the page's current document once (later calls on it do nothing); fail on a violation."""
    from playwright.sync_api import Error as PlaywrightError

    if page.is_closed():
        return
    try:
        page.wait_for_load_state("load")
        state = page.evaluate(_CLAIM_DOCUMENT)
        if state == "inject":
            page.evaluate(_axe_script())
        if state in ("inject", "ready"):
            result = page.evaluate(_RUN_AXE, AXE_OPTIONS)
        else:
            return
    except PlaywrightError as exc:  # the document went away under axe (a navigation): the next one is checked
        if "context was destroyed" in str(exc) or "navigat" in str(exc) or "closed" in str(exc):
            return
        raise
    if result["violations"]:
        raise AssertionError(axe_report(result))


_AXE_SOURCE: list[str] = []


def _axe_script() -> str:
    if not _AXE_SOURCE:
        import axe_playwright_python

        _AXE_SOURCE.append((Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8"))
    return _AXE_SOURCE[0]


# The actions after which a page may show a new document: axe checks the current one before each.
_PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward", "click", "dblclick", "tap", "fill", "type", "press",
                 "check", "uncheck", "set_checked", "select_option", "set_input_files", "close")
_LOCATOR_ACTIONS = ("click", "dblclick", "tap", "fill", "clear", "type", "press", "press_sequentially",
                    "check", "uncheck", "set_checked", "select_option", "set_input_files")
_KEYBOARD_ACTIONS = ("press", "type", "insert_text", "down")


def _checked_first(original, page_of):
    def action(self, *args, **kwargs):
        page = page_of(self)
        if page is not None:
            axe_checked(page)
        return original(self, *args, **kwargs)

    action.__wrapped__ = original
    return action


def _install_axe_checks(browser, monkeypatch) -> None:
    from playwright.sync_api import BrowserContext, Keyboard, Locator, Page

    def keyboard_page(keyboard):
        for context in browser.contexts:
            for page in context.pages:
                if page._impl_obj is keyboard._impl_obj._page:
                    return page
        return None

    for name in _PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _checked_first(getattr(Page, name), lambda page: page))
    for name in _LOCATOR_ACTIONS:
        monkeypatch.setattr(Locator, name, _checked_first(getattr(Locator, name), lambda loc: loc.page))
    for name in _KEYBOARD_ACTIONS:
        monkeypatch.setattr(Keyboard, name, _checked_first(getattr(Keyboard, name), keyboard_page))
    original_close = BrowserContext.close

    def close(context, *args, **kwargs):
        try:
            for page in context.pages:
                axe_checked(page)
        finally:
            original_close(context, *args, **kwargs)

    monkeypatch.setattr(BrowserContext, "close", close)


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

    with sync_playwright() as pw, pytest.MonkeyPatch.context() as monkeypatch:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _install_axe_checks(browser, monkeypatch)
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
    context.close()  # checks the last page with axe first
    assert not [e for e in errors if "Content Security Policy" in e], f"CSP violations: {errors}"

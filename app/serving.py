"""What a production server needs from the app: proxy headers, a health check, and one log line per request.

- Behind a reverse proxy (nginx, a load balancer) the client's address and scheme arrive in X-Forwarded-*
  headers. They are believed only for the number of proxies the deployment declares (JIFANG_TRUSTED_PROXIES,
  default 0 = none): otherwise anyone could name any address and step around the per-address throttles.
- `/healthz` answers a load balancer: 200 when the database answers `SELECT 1`, 503 when it does not. Public,
  never throttled, and says nothing about why (the reason goes to the log).
- Every request gets an id (the proxy's X-Request-ID when it is a plain token, else a new one), returned in
  the X-Request-ID header and written on every log line of that request, so a user's "it failed at 10:02"
  finds the traceback. Errors are logged with their traceback (app/errors.py); the user sees a plain page.
"""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

from flask import Blueprint, Flask, current_app, g, has_request_context, jsonify, request
from flask.logging import default_handler
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from app import backup
from app.extensions import db, limiter
from app.security import PUBLIC, allow

bp = Blueprint("ops", __name__)
request_log = logging.getLogger("jifang.request")
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only when it cannot break a log line or a header: letters, digits and . _ - :
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record ("-" outside a request: commands, the job worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class LogFormatter(logging.Formatter):
    """logging.Formatter with its date and time to the second written once a second, not once a line (every
    request writes one; localtime + strftime were a sixth of the line's cost). The same text as Formatter's."""

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's
        if datefmt is not None or self.default_msec_format is None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        cached = self._second
        if cached[0] != second:
            cached = self._second = (second, time.strftime(self.default_time_format, self.converter(second)))
        return self.default_msec_format % (cached[1], record.msecs)


def log_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(LogFormatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(app: Flask) -> None:
    """Outside tests: INFO and above to stderr, one format for the app, its request lines and libraries.

    Only when the process has no logging set up yet (a server's own configuration wins); Flask's default
    handler is removed from the app's logger so each line is written once."""
    root = logging.getLogger()
    if app.config.get("TESTING") or root.handlers:
        return
    root.addHandler(log_handler())
    root.setLevel(logging.INFO)
    # This format names no source line, thread or process name, so no record needs them looked up (the
    # logging HOWTO's "Optimization": _srcfile and the log* flags); ~8 µs of each request's line. The
    # process id stays: gunicorn's own log lines write it.
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    app.logger.removeHandler(default_handler)


def trusted_proxies(app: Flask) -> int:
    value = app.config.get("TRUSTED_PROXIES") or 0
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        from app.config import UnsafeConfiguration

        raise UnsafeConfiguration(f"JIFANG_TRUSTED_PROXIES“{value}”应为代理层数（0 或正整数）",
                                  f"JIFANG_TRUSTED_PROXIES {value!r} must be a number of proxies (0 or more)")
    return count


def _start_request() -> None:
    # Each use of the request, g or app proxies looks the context up again; these hooks run on every request,
    # so each looks up what it needs once.
    flask_g = g._get_current_object()
    flask_g.request_started = time.perf_counter()
    backup.hold_running_lock(current_app._get_current_object())  # `flask restore` refuses while one runs
    offered = request.environ.get("HTTP_X_REQUEST_ID", "")  # the header REQUEST_ID_HEADER, read from the environ
    flask_g.request_id = offered if _SAFE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)  # 32 hex digits


def _log_request(response):
    flask_g, this = g._get_current_object(), request._get_current_object()
    started = getattr(flask_g, "request_started", None)
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    request_id = getattr(flask_g, "request_id", None)
    if request_id:
        response.headers.add(REQUEST_ID_HEADER, request_id)  # no view sets it: appended, not searched for
    status = response.status_code
    # The id is given to the record here, so RequestIdFilter need not look up the request context again.
    request_log.log(logging.ERROR if status >= 500 else logging.INFO, "%s %s %s %d %.1fms",
                    this.remote_addr or "-", this.method, this.path, status, duration_ms,
                    extra={"request_id": request_id or "-"})
    return response


@bp.route("/healthz")
@allow(PUBLIC)
@limiter.exempt
def healthz():
    """For a load balancer: is this worker able to reach its database?"""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "take me out of rotation"
        db.session.rollback()
        current_app.logger.warning("health check: the database does not answer", exc_info=True)
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


def init_app(app: Flask) -> None:
    configure_logging(app)
    proxies = trusted_proxies(app)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    # First of all before-request hooks, so the id and the clock exist before any hook can answer early.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_log_request)
    app.register_blueprint(bp)

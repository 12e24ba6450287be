"""Error pages: JSON under /api/, a Chinese page elsewhere; the session is rolled back first."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from forms import N_

MESSAGES = {
    400: N_("请求无效"),
    401: N_("需要登录"),
    403: N_("您无权访问此页面"),
    404: N_("页面不存在"),
    405: N_("不支持的请求方法"),
    413: N_("上传的文件过大"),
    422: N_("提交的数据无法处理"),
    429: N_("尝试过于频繁，请稍后再试"),
    500: N_("服务器内部错误，请稍后重试"),
    503: N_("系统繁忙，请稍后重试"),
}
STALE = N_("该记录已被他人处理或已在其他页面中更改，请刷新页面后再操作")
# SQLite: the write lock was not free within busy_timeout. PostgreSQL: deadlock, serialization failure,
# lock not available. Each means another request was writing at that moment, not that this one is wrong.
_BUSY_SQLSTATES = {"40P01", "40001", "55P03"}


def is_busy(exc: OperationalError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(orig or exc).lower()
    return "database is locked" in text or "database is busy" in text


def _answer(code: int, detail: str | None = None):
    message = MESSAGES.get(code, N_("请求出错"))
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": code, "message": detail or message}}), code
    page = render_template("errors/error.html", code=code, message=_(message), detail=_(detail) if detail else None)
    return page, code


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        return _answer(400, N_("表单已过期或缺少安全令牌（CSRF），请刷新页面后重试"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        detail = exc.description if isinstance(exc.description, str) and exc.code not in (404, 500) else None
        if detail and detail.startswith(("The ", "You ", "A ")):  # Werkzeug's English default texts
            detail = None
        return _answer(exc.code or 500, detail)

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        """Another request held the database at that moment: say "busy, try again" (503), never a 500."""
        db.session.rollback()
        if not is_busy(exc):
            app.logger.exception("database error")
            return _answer(500)
        app.logger.warning("database busy: %s", exc.orig)
        body, code = _answer(503)
        return body, code, {"Retry-After": "2"}

    @app.errorhandler(StaleDataError)
    def stale(exc: StaleDataError):
        """A record changed between reading and writing it (optimistic lock): nothing of this was written."""
        db.session.rollback()
        return _answer(409, STALE)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _answer(500)

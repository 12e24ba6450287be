"""The public roster pages and downloads; every route here is public and shows no personal data."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import threading
from contextlib import contextmanager
from typing import IO
from urllib.parse import quote

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import and_, or_, select

from app.extensions import db, limiter, unthrottled
from app.links import public_url
from app.models import Firm, WarningNotice
from app.models.cases import PUBLISHED_STATES
from app.roster import bp
from app.roster.cache import ENTRY, cached
from app.roster.search import (
    PAGE_SIZE,
    PUBLIC_STATUSES,
    STATUS_LABELS,
    Filters,
    find_entry,
    iter_roster,
    public_row,
    roster_page,
)
from app.roster.table import roster_rows
from app.security import PUBLIC, allow
from app.templating import page_is_english
from forms import N_
from reports.export import XlsxExport, write_csv
from workflows.time_limits import china_today

EXPORT_HEADERS = ("单位名称", "统一社会信用代码", "备案编号", "备案日期", "备案机关", "业务类型", "备案状态")
EXPORT_WIDTHS = (40, 22, 30, 12, 24, 30, 10)
_CHUNK = 64 * 1024
_KEY_MAX = 64  # a filing number is at most 64 characters (the column's width)


def _pack():
    return current_app.extensions["jifang.pack"]


def entry_url(firm, *, external: bool = True) -> str:
    """The public entry a certificate's QR code opens (the token is the credit code: see `entry`); absolute
    under the configured PUBLIC_URL, whatever host the request named."""
    if external:
        return public_url("roster.entry", token=firm.credit_code)
    return url_for("roster.entry", token=firm.credit_code)


def _key(name: str) -> str | None:
    value = request.args.get(name) or None
    return value if value is None or len(value) <= _KEY_MAX else None


@bp.route("/roster")
@allow(PUBLIC)
@unthrottled
def index():
    pack = _pack()
    if not pack.filing.enabled:
        return render_template("roster/closed.html")
    filters = Filters.from_args(request.args, pack)
    return render_template(
        "roster/index.html",
        filters=filters,
        results_html=Markup(_results(pack, filters)),
        args=filters.as_args(),
        statuses=[(s, STATUS_LABELS[s]) for s in PUBLIC_STATUSES],
    )


def _results(pack, filters: Filters) -> str:
    """The table and pager of a roster page, from the cache when the same page of the same data was rendered
    already (app/roster/cache.py names what the key holds and why the data version keeps it correct)."""
    size = current_app.config.get("ROSTER_PAGE_SIZE", PAGE_SIZE)
    after, before = _key("after"), _key("before")
    show_first = bool(request.args.get("after") or request.args.get("before"))

    def render() -> str:
        page = roster_page(db.session, filters, after=after, before=before, size=size)
        return render_template("roster/_results.html", rows_html=roster_rows(page.firms, pack), page=page,
                               args=filters.as_args(), show_first=show_first)

    key = (china_today(), str(get_locale()), page_is_english(), current_app.config["JIFANG_JURISDICTION"],
           request.script_root, filters.name, filters.credit_code, filters.business_type, filters.city,
           filters.status, after, before, show_first, size)
    return cached(db.session, key, render)


def _export_rows(filters: Filters):
    pack = _pack()
    for firm in iter_roster(db.session, filters):
        row = public_row(firm, pack)
        yield (row["name"], row["credit_code"], row["filing_number"], row["filed_on"], row["authority"],
               row["business_types"], row["status"])


def _filters_or_404() -> Filters:
    pack = _pack()
    if not pack.filing.enabled:
        abort(404)
    return Filters.from_args(request.args, pack)


def _attachment(raw: IO[bytes], mimetype: str, suffix: str, name: str = "roster",
                label: str = "技防从业单位备案名录") -> Response:
    """Stream a finished temporary file in chunks and close it once sent (it is gone from disk already)."""
    length = raw.tell()
    raw.seek(0)

    def chunks():
        try:
            while chunk := raw.read(_CHUNK):
                yield chunk
        finally:
            raw.close()

    today = china_today().isoformat()
    disposition = (f'attachment; filename="jifang-{name}-{today}.{suffix}"; '
                   f"filename*=UTF-8''{quote(f'{label}-{today}.{suffix}')}")
    return Response(chunks(), mimetype=mimetype,
                    headers={"Content-Length": str(length), "Content-Disposition": disposition})


# The whole roster takes seconds of database and CPU to write (9 s for 100,000 firms; eight at once took
# 80 s each). So: a few downloads per address per minute, CSV and XLSX counted together (Flask-Limiter,
# shared by every worker when JIFANG_REDIS_URL names Redis), and at most EXPORTS_AT_ONCE being written at
# once in a process, so that many addresses together cannot starve the public search either. A cached
# file per roster change was the alternative; it is not needed while each search is a different file.
EXPORT_BUSY = N_("名录导出繁忙，请稍后再试")
EXPORT_TOO_OFTEN = N_("名录下载过于频繁，请一分钟后再试")
EXPORTS_AT_ONCE = 2
_exports = threading.BoundedSemaphore(EXPORTS_AT_ONCE)
_export_limit = limiter.shared_limit(
    lambda: current_app.config.get("ROSTER_EXPORT_RATE_LIMIT", "3 per minute"), scope="roster-export",
    error_message=EXPORT_TOO_OFTEN,
)


@contextmanager
def _export_file():
    """A temporary file to write the export into, in one of the few export slots of this process, or 503 at
    once (never a queue of waiting workers). The file is closed if writing fails."""
    if not _exports.acquire(blocking=False):
        abort(503, description=EXPORT_BUSY)
    try:
        raw = tempfile.TemporaryFile()
        try:
            yield raw
        except BaseException:
            raw.close()
            raise
    finally:
        _exports.release()


@bp.route("/roster.csv")
@allow(PUBLIC)
@_export_limit
def export_csv():
    """The current search as CSV (UTF-8 with BOM), written in keyset batches to a temporary file."""
    filters = _filters_or_404()
    with _export_file() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        write_csv(text, EXPORT_HEADERS, _export_rows(filters))
        text.flush()
        text.detach()
    return _attachment(raw, "text/csv", "csv")  # Werkzeug adds "; charset=utf-8" to text/ types itself


@bp.route("/roster.xlsx")
@allow(PUBLIC)
@_export_limit
def export_xlsx():
    """The current search as XLSX, written by xlsxwriter in constant-memory mode."""
    filters = _filters_or_404()
    with _export_file() as raw, XlsxExport(raw, EXPORT_HEADERS, sheet_name="备案名录", widths=EXPORT_WIDTHS) as export:
        export.write_rows(_export_rows(filters))
    return _attachment(raw, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


@bp.route("/roster/<token>")
@allow(PUBLIC)
@unthrottled
def entry(token: str):
    """One roster entry: is this filing genuine and in force? This is what a certificate's QR code opens.

    The token is the firm's unified social credit code. The roster is public by law and links every entry,
    so a secret token would hide nothing; the code is stable for the firm's life (an HMAC would break every
    printed certificate when SECRET_KEY is rotated), short enough for a small QR code, printed on the
    certificate so the reader can compare it, and served by the unique index. Firms that never filed 404.
    """
    pack = _pack()
    if not pack.filing.enabled:
        abort(404)
    code = token.strip().upper()

    def render() -> tuple[str, str] | tuple[()]:
        firm = find_entry(db.session, code)
        if firm is None:
            return ()
        row = {**public_row(firm, pack), "warning_id": firm.notice_id}
        return firm.name, render_template("roster/_entry.html", row=row)

    # The result part from the cache when the same entry of the same data was rendered already; the key
    # holds what the list's does (app/roster/cache.py), with the code in place of the filters.
    key = (china_today(), str(get_locale()), page_is_english(), current_app.config["JIFANG_JURISDICTION"],
           request.script_root, code)
    found = cached(db.session, key, render, name=ENTRY)
    if not found:
        abort(404)
    name, html = found
    return render_template("roster/entry.html", name=name, entry_html=Markup(html))


WARNINGS_PAGE = 50


@bp.route("/warnings")
@allow(PUBLIC)
def warnings():
    """The warning announcements the regulation has the bureau publish (Liaoning art. 28): firm-level
    facts only — name, credit code, reason category, article, dates and the notice text — never a person.
    Only published notices: a draft, a withdrawn draft or an unfounded complaint never shows here."""
    rules = _pack().warning_notices
    if rules is None or not rules.published:
        return render_template("roster/warnings.html", rules=None, rows=[], more=None)
    query = _published_warnings().order_by(WarningNotice.issued_on.desc(), WarningNotice.id.desc()).limit(WARNINGS_PAGE + 1)
    cursor = _warning_cursor(request.args.get("before", ""))
    if cursor:  # keyset: announcements published before the last one shown
        day, last_id = cursor
        query = query.where(or_(WarningNotice.issued_on < day,
                                and_(WarningNotice.issued_on == day, WarningNotice.id < last_id)))
    rows = db.session.execute(query).all()
    last = rows[WARNINGS_PAGE - 1] if len(rows) > WARNINGS_PAGE else None
    more = f"{last.issued_on.isoformat()}.{last.id}" if last else None
    return render_template("roster/warnings.html", rules=rules, rows=rows[:WARNINGS_PAGE], more=more)


def _published_warnings():
    return (
        select(WarningNotice.id, WarningNotice.issued_on, WarningNotice.lifted_on, WarningNotice.reason,
               WarningNotice.reference, WarningNotice.notice_text, WarningNotice.state, Firm.name, Firm.credit_code)
        .join(Firm, Firm.id == WarningNotice.firm_id)
        .where(WarningNotice.state.in_(PUBLISHED_STATES), WarningNotice.issued_on.is_not(None))
    )


def _warning_status(row) -> str:
    if row.lifted_on:
        return "期满移出" if row.state == "expired" else "已撤销"
    return "警示中"


WARNING_EXPORT_HEADERS = ("单位名称", "统一社会信用代码", "警示事由", "依据条款", "发布日期", "公告内容", "状态", "移出日期")


def _warning_export_rows():
    for r in db.session.execute(_published_warnings().order_by(WarningNotice.issued_on.desc(), WarningNotice.id.desc())):
        yield (r.name, r.credit_code, r.reason, r.reference, r.issued_on, r.notice_text, _warning_status(r), r.lifted_on)


def _warnings_or_404():
    rules = _pack().warning_notices
    if rules is None or not rules.published:
        abort(404)


@bp.route("/warnings.csv")
@allow(PUBLIC)
@_export_limit
def warnings_csv():
    """The published warning list as CSV: the same firm-level columns as the page."""
    _warnings_or_404()
    with _export_file() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        write_csv(text, WARNING_EXPORT_HEADERS, _warning_export_rows())
        text.flush()
        text.detach()
    return _attachment(raw, "text/csv", "csv", name="warnings", label="技防从业单位警示公告")


@bp.route("/warnings.xlsx")
@allow(PUBLIC)
@_export_limit
def warnings_xlsx():
    _warnings_or_404()
    with _export_file() as raw, XlsxExport(raw, WARNING_EXPORT_HEADERS, sheet_name="警示公告",
                                           widths=(36, 22, 20, 12, 12, 60, 10, 12)) as export:
        export.write_rows(_warning_export_rows())
    return _attachment(raw, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                       name="warnings", label="技防从业单位警示公告")


@bp.route("/warnings/<int:notice_id>")
@allow(PUBLIC)
def warning_notice(notice_id: int):
    """One published notice: what the roster's mark links to."""
    _warnings_or_404()
    row = db.session.execute(_published_warnings().where(WarningNotice.id == notice_id)).first()
    if row is None:
        abort(404)
    return render_template("roster/warning_notice.html", r=row, status=_warning_status(row))


def _warning_cursor(text: str) -> tuple[dt.date, int] | None:
    """'2026-03-20.17' → (date, id); anything else is ignored rather than refused."""
    day, _, last_id = text.partition(".")
    try:
        return dt.date.fromisoformat(day), int(last_id)
    except ValueError:
        return None

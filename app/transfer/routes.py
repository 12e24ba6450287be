"""Import and export pages for staff. Thin: the work is in roster_import.py, case_import.py,
exports.py, import_jobs.py and app/jobs.py.

An upload is stored under a random name and previewed in the background; nothing is written until the
user confirms with a mode, and that import runs in the background too. A job belongs to the user who
uploaded it: anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.models import ImportJob
from app.models.transfer import JOB_KINDS, JOB_MODES, JOB_STATUSES
from app.security import STAFF, allow
from app.transfer import bp
from app.transfer import case_import as transfer_cases
from app.transfer import exports as transfer_exports
from app.transfer import import_jobs as transfer_jobs
from app.transfer import roster_import as transfer
from forms.transfer import ConfirmForm, UploadForm
from workflows.time_limits import china_today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def _pack():
    return current_app.extensions["jifang.pack"]


def _own_job(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/")
@allow(*STAFF)
def index():
    form = UploadForm()
    recent = db.session.scalars(select(ImportJob).where(ImportJob.user_id == current_user.id)
                                .order_by(ImportJob.id.desc()).limit(10)).all()
    return render_template("transfer/index.html", form=form, recent=recent, kinds=JOB_KINDS,
                           statuses=JOB_STATUSES, exports=transfer_exports.KINDS,
                           filing_enabled=_pack().filing.enabled)


@bp.route("/upload", methods=["POST"])
@allow(*STAFF)
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("transfer.index"))
    if form.kind.data == "filings" and not _pack().filing.enabled:
        flash(_pack().filing.notice or "本地区不受理从业单位备案", "error")
        return redirect(url_for("transfer.index"))
    upload = form.file.data
    try:
        job = transfer_jobs.store_upload(upload.stream, upload.filename, current_user, form.kind.data)
    except transfer_jobs.UploadTooLarge as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfer.index"))
    jobs.queue().enqueue(job.id)
    return redirect(url_for("transfer.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@allow(*STAFF)
def job(job_id: int):
    job = _own_job(job_id)
    jobs.queue().ensure_consumer()
    transfer_jobs.recover_job(job)
    return render_template("transfer/job.html", job=job, status=transfer_jobs.status(job), kinds=JOB_KINDS,
                           modes=JOB_MODES, statuses=JOB_STATUSES, form=ConfirmForm(),
                           may_rerun=transfer_jobs.may_rerun_valid_rows(job))


@bp.route("/jobs/<int:job_id>/status.json")
@allow(*STAFF)
def job_status(job_id: int):
    job = _own_job(job_id)
    jobs.queue().ensure_consumer()
    transfer_jobs.recover_job(job)
    return jsonify(transfer_jobs.status(job))


@bp.route("/jobs/<int:job_id>/confirm", methods=["POST"])
@allow(*STAFF)
def confirm(job_id: int):
    job = _own_job(job_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("请选择导入方式", "error")
        return redirect(url_for("transfer.job", job_id=job.id))
    rerun = transfer_jobs.may_rerun_valid_rows(job)
    if rerun and form.mode.data != "valid-rows":
        flash(_("此文件已按“全部导入或全部不导入”方式导入过，未写入任何数据；只能改为“只导入无误的行”再次导入"), "warning")
        return redirect(url_for("transfer.job", job_id=job.id))
    if not rerun and (job.stage != "preview" or job.status != "done"):
        flash("此文件已导入或尚未检查完毕", "warning")
        return redirect(url_for("transfer.job", job_id=job.id))
    if job.files_expired:
        flash("上传的文件已超过保留期限并已删除，请重新上传", "warning")
        return redirect(url_for("transfer.job", job_id=job.id))
    job.stage, job.mode = "import", form.mode.data
    transfer_jobs.mark_queued(job)
    db.session.commit()
    jobs.queue().enqueue(job.id)
    return redirect(url_for("transfer.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>/errors.xlsx")
@allow(*STAFF)
def error_report(job_id: int):
    job = _own_job(job_id)
    if job.files_expired:
        flash(transfer_jobs.EXPIRED, "warning")
        return redirect(url_for("transfer.job", job_id=job.id))
    if not job.error_report_path:
        abort(404)
    name = f"错误报告-{job.filename.rsplit('.', 1)[0]}.xlsx"
    return send_file(job.error_report_path, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/template/<kind>.xlsx")
@allow(*STAFF)
def template(kind: str):
    if kind not in JOB_KINDS:
        abort(404)
    raw = tempfile.TemporaryFile()
    if kind == "filings":
        transfer.write_template(raw, _pack())
    else:
        transfer_cases.write_template(raw)
    return _attachment(raw, XLSX, f"{JOB_KINDS[kind]}导入模板.xlsx", f"jifang-{kind}-template.xlsx")


@bp.route("/export/<kind>.<fmt>")
@allow(*STAFF)
def export(kind: str, fmt: str):
    """Staff exports carry personal data: each one is audited (in app/transfer/exports.py)."""
    spec = transfer_exports.KINDS.get(kind)
    if spec is None or fmt not in transfer_exports.FORMATS:
        abort(404)
    raw = tempfile.TemporaryFile()
    transfer_exports.export(kind, raw, fmt, actor=current_user,
                            cities=transfer.cities_of(current_user, _pack()))
    today = china_today().isoformat()
    mimetype = XLSX if fmt == "xlsx" else "text/csv"  # Werkzeug adds "; charset=utf-8" to text/ types
    return _attachment(raw, mimetype, f"{spec.label}-{today}.{fmt}", f"jifang-{kind}-{today}.{fmt}")


def _attachment(raw, mimetype: str, name: str, ascii_name: str) -> Response:
    """Stream a finished temporary file and close it once sent."""
    length = raw.tell()
    raw.seek(0)

    def chunks():
        try:
            while chunk := raw.read(CHUNK):
                yield chunk
        finally:
            raw.close()

    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(chunks(), mimetype=mimetype,
                    headers={"Content-Length": str(length), "Content-Disposition": disposition})

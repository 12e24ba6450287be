"""Complaint pages: intake and tracking for anyone, verification for clerks, the firm's view and answer.

Thin views: form → app.complaints.service → engine → audit → one commit. Another bureau's complaint, or a
complaint the firm may not see, answers 404 as an id that does not exist.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.cases import attachments as case_files
from app.complaints import bp
from app.complaints import reminders as complaint_reminders
from app.complaints import service as svc
from app.extensions import db, limiter
from app.models import CaseAttachment, Firm
from app.security import CLERKS, PUBLIC, STAFF, allow
from forms.complaints import (
    ActionForm,
    AnswerForm,
    ComplaintForm,
    EvidenceForm,
    SummaryForm,
    TrackForm,
    form_token,
)
from workflows.engine import TransitionNotAllowed
from workflows.time_limits import china_today


def _intake_limit() -> str:
    return current_app.config.get("COMPLAINT_RATE_LIMIT", "10 per hour")


def _phone_limit() -> str:
    return current_app.config.get("COMPLAINT_PHONE_RATE_LIMIT", "3 per day")


def _phone_key() -> str:
    return "complaint-phone:" + svc.normalise_phone(request.form.get("phone", ""))[:20]


def _throttled() -> str:
    return _("为防止滥用，同一地址或同一电话号码在一段时间内可提交的投诉数量有限。")


def _submitted(response) -> bool:
    return response.status_code == 201


# --- intake (anyone) ------------------------------------------------------------------------------------
@bp.route("/new", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_intake_limit, methods=["POST"], error_message=_throttled)
@limiter.limit(_phone_limit, methods=["POST"], key_func=_phone_key, deduct_when=_submitted, error_message=_throttled)
def new():
    pack = svc.current_pack()
    form = ComplaintForm()
    form.city_code.choices = [("", _("请选择"))] + [(c.code, c.name) for c in pack.cities]
    query = request.args.get("q", "")
    found = svc.find_firms(query) if query else []
    chosen = db.session.get(Firm, form.firm_id.data) if form.firm_id.data else None
    if chosen is not None and chosen.provisional:
        chosen = None
    problem = None
    if request.method == "POST" and form.validate():
        problem = form.human_problem()
        if problem is None:
            try:
                complaint = svc.submit(svc.Intake(
                    firm_id=chosen.id if chosen else None, firm_name=form.firm_name.data or "",
                    firm_credit_code=form.firm_credit_code.data or "", subject=form.subject.data,
                    occurred_on=form.occurred_on.data, place=form.place.data, city_code=form.city_code.data,
                    service_user=form.service_user.data, name=form.name.data, phone=form.phone.data,
                    email=form.email.data or ""), _files(form.attachments.data))
            except case_files.UploadRefused as exc:
                form.attachments.errors = [str(exc)]
            except _TooManyFiles:
                form.attachments.errors = [_("最多上传3个文件")]
            else:
                db.session.commit()
                return render_template("complaints/submitted.html", complaint=complaint), 201
    form.form_token.data = form_token()
    status = 422 if request.method == "POST" else 200
    return render_template("complaints/new.html", form=form, query=query, found=found, chosen=chosen,
                           problem=problem), status


class _TooManyFiles(Exception):
    pass


def _files(uploads):
    files = [f for f in (uploads or []) if f and f.filename]
    if len(files) > case_files.MAX_FILES:
        raise _TooManyFiles
    return files


@bp.route("/track", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("20 per hour", methods=["POST"], error_message=_throttled)
def track():
    """The complainant follows the complaint with its reference and phone: states and dates only."""
    form = TrackForm()
    complaint = None
    missing = False
    if request.method == "POST" and form.validate():
        complaint = svc.track(form.reference.data, form.phone.data)
        missing = complaint is None
    steps = svc.public_steps(complaint) if complaint else []
    return render_template("complaints/track.html", form=form, complaint=complaint, steps=steps, missing=missing,
                           labels=svc.PUBLIC_STATE_LABELS), (404 if missing else 200)


# --- clerks ------------------------------------------------------------------------------------------------
def _visible_or_404(complaint_id: int):
    found = svc.for_clerk(complaint_id, current_user) if current_user.role in CLERKS else None
    if found is None:
        abort(404)
    return found


@bp.route("/")
@allow(*STAFF)
def index():
    if current_user.role not in CLERKS:
        return render_template("complaints/queue.html", rows=[], closed=[], admin=True)
    today = china_today()
    rows = []
    for c in svc.queue(current_user):
        clock = svc.clock(c)
        rows.append({"c": c, "deadline": clock.deadline if clock else None,
                     "status": clock.status(today).value if clock else "ok",
                     "sent": complaint_reminders.sent_kinds(c)})
    return render_template("complaints/queue.html", rows=rows, closed=svc.recently_closed(current_user),
                           workflow=svc.workflow(), admin=False)


@bp.route("/<int:complaint_id>")
@allow(*CLERKS)
def detail(complaint_id: int):
    return _render_detail(_visible_or_404(complaint_id))


def _render_detail(complaint, form=None, summary_form=None, refusal=None, status=200):
    pack = svc.current_pack()
    wf = svc.workflow()
    form = form or ActionForm(formdata=None)
    other = next((a.code for a in pack.authorities if a.code != complaint.authority_code), None)
    available = wf.available(complaint, current_user, svc.context({"authority": other}))
    form.action.choices = [(t.name, _(t.label)) for t in available] or [("", "—")]
    form.authority.choices = [("", _("请选择"))] + [(a.code, a.name) for a in pack.authorities
                                                  if a.code != complaint.authority_code]
    form.assignee.choices = [(str(u.id), u.display_name or u.username)
                             for u in svc.clerks_of(complaint.authority_code or "")]
    if not form.is_submitted():
        form.service_user.data = complaint.service_user
        form.assignee.data = str(current_user.id)
    summary_form = summary_form or SummaryForm(formdata=None, data={"firm_summary": complaint.firm_summary})
    clock = svc.clock(complaint)
    today = china_today()
    return render_template(
        "complaints/detail.html", c=complaint, form=form, summary_form=summary_form, evidence_form=EvidenceForm(),
        refusal=refusal, workflow=wf, clock=clock, status_value=clock.status(today).value if clock else "ok",
        authority=pack.authority(complaint.authority_code), city=pack.city(complaint.city_code),
        public_labels=svc.PUBLIC_STATE_LABELS, pack=pack,
    ), status


@bp.route("/<int:complaint_id>/act", methods=["POST"])
@allow(*CLERKS)
def act(complaint_id: int):
    complaint = _visible_or_404(complaint_id)
    form = ActionForm()
    pack = svc.current_pack()
    form.action.choices = [(t, t) for t in svc.workflow().transitions]
    form.authority.choices = [("", "")] + [(a.code, a.name) for a in pack.authorities]
    form.assignee.choices = [(str(u.id), u.username) for u in svc.clerks_of(complaint.authority_code or "")]
    if not form.validate():
        return _render_detail(complaint, form=form, status=422)
    claim(complaint, form)
    data = {"authority": form.authority.data or None,
            "assignee_id": int(form.assignee.data) if form.assignee.data else None}
    if form.action.data == "verify":
        complaint.service_user = bool(form.service_user.data)
    try:
        svc.fire(complaint, form.action.data, current_user, form.comment.data, data)
    except TransitionNotAllowed as exc:
        db.session.rollback()
        return _render_detail(svc.for_clerk(complaint_id, current_user), form=form, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("已办理：%(reference)s（%(state)s）。", reference=complaint.reference or complaint.id,
            state=_(svc.workflow().state_label(complaint.state))), "success")
    if svc.for_clerk(complaint.id, current_user) is None:  # transferred away
        return redirect(url_for("complaints.index"))
    return redirect(url_for("complaints.detail", complaint_id=complaint.id))


@bp.route("/<int:complaint_id>/summary", methods=["POST"])
@allow(*CLERKS)
def summary(complaint_id: int):
    complaint = _visible_or_404(complaint_id)
    form = SummaryForm()
    if not form.validate():
        return _render_detail(complaint, summary_form=form, status=422)
    try:
        svc.set_summary(complaint, current_user, form.firm_summary.data)
    except svc.ComplaintError as exc:
        return _render_detail(complaint, summary_form=form, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("告知单位的摘要已保存。"), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id))


@bp.route("/<int:complaint_id>/evidence", methods=["POST"])
@allow(*CLERKS)
def evidence(complaint_id: int):
    complaint = _visible_or_404(complaint_id)
    form = EvidenceForm()
    if not form.validate():
        abort(400)
    try:
        for upload in _files(form.evidence.data):
            svc.add_evidence(complaint, current_user, upload)
    except (case_files.UploadRefused, _TooManyFiles) as exc:
        db.session.rollback()
        return _render_detail(complaint, refusal=str(exc) or _("最多上传3个文件"), status=422)
    db.session.commit()
    flash(_("核查证据已上传。"), "success")
    return redirect(url_for("complaints.detail", complaint_id=complaint.id))


@bp.route("/<int:complaint_id>/files/<int:attachment_id>")
@allow(*CLERKS)
def attachment(complaint_id: int, attachment_id: int):
    complaint = _visible_or_404(complaint_id)
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.complaint_id != complaint.id:
        abort(404)
    audit.record("complaint.file_downloaded", complaint, detail={"attachment": found.id})
    db.session.commit()
    return _send(found)


def claim(record, form) -> None:
    """Take the record for this decision before anything else is written, or refuse: app/errors.py answers
    StaleDataError with 409 and "please reload" in Chinese, nothing written.

    A page showing an older version (another clerk acted since) is refused at once. Two posts at the very
    same moment both pass that check; the claim is an UPDATE checked against the version (version_id_col),
    so the second waits for the first's row lock and then matches no row. Claiming first also takes the row
    before the audit trail's lock, in the same order as every other writer, and leaves the engine nothing to
    undo on a failed flush."""
    if form.version.data and form.version.data != str(record.version):
        raise StaleDataError(f"{type(record).__name__} {record.id}: page shows version {form.version.data}")
    flag_modified(record, "state")  # an UPDATE even though nothing changed yet: it bumps the version
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise


def _send(found: CaseAttachment):
    path = case_files.path_of(found)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=case_files.served_type(path), as_attachment=True,
                     download_name=found.original_name)


# --- the firm ---------------------------------------------------------------------------------------------
@bp.route("/firm")
@allow("firm")
def firm_index():
    from app.complaints import warnings

    return render_template("complaints/firm_index.html",
                           complaints=[svc.firm_view(c) for c in svc.for_firm(current_user.firm_id)],
                           notices=warnings.for_firm(current_user.firm_id), state_label=warnings.state_label)


@bp.route("/firm/<int:complaint_id>", methods=["GET", "POST"])
@allow("firm")
def firm_complaint(complaint_id: int):
    complaint = svc.firm_complaint(complaint_id, current_user)
    if complaint is None:
        abort(404)
    form = AnswerForm(data={"answer": complaint.firm_answer} if request.method == "GET" else None)
    refusal = None
    if request.method == "POST" and form.validate():
        try:
            svc.answer(complaint, current_user, form.answer.data)
        except svc.ComplaintError as exc:
            refusal = exc.message
        else:
            db.session.commit()
            flash(_("陈述、申辩已提交。"), "success")
            return redirect(url_for("complaints.firm_complaint", complaint_id=complaint.id))
    return render_template("complaints/firm_complaint.html", view=svc.firm_view(complaint), form=form,
                           refusal=refusal), (409 if refusal else 200)

"""Warning list pages: clerks draft, tell the firm, publish (a second clerk), decide and confirm removals; the
firm states its case and applies for removal. Liaoning art. 28; elsewhere these pages say there is no list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.cases import attachments as case_files
from app.complaints import bp
from app.complaints import warnings as svc
from app.complaints.routes import _files, _send, _TooManyFiles, claim
from app.extensions import db
from app.models import CaseAttachment, PenaltyCase
from app.models.cases import WARNING_CATEGORIES
from app.security import CLERKS, allow
from forms.complaints import ActionForm, AnswerForm, CaseDraftForm, NoticeTextForm, RemovalForm
from workflows.engine import TransitionNotAllowed


def _clerk_notice_or_404(notice_id: int):
    found = svc.for_clerk(notice_id, current_user)
    if found is None:
        abort(404)
    return found


@bp.route("/warnings")
@allow(*CLERKS)
def warnings_index():
    rules = svc.rules()
    return render_template("complaints/warnings.html", rules=rules,
                           notices=svc.clerk_list(current_user) if rules else [],
                           cases=svc.case_candidates(current_user) if rules else [],
                           state_label=svc.state_label, categories=WARNING_CATEGORIES, case_form=CaseDraftForm())


@bp.route("/warnings/from-case", methods=["POST"])
@allow(*CLERKS)
def warning_from_case():
    form = CaseDraftForm()
    if not form.validate() or svc.rules() is None:
        abort(400)
    case = db.session.get(PenaltyCase, form.case_id.data)
    if case is None:
        abort(404)
    try:
        notice = svc.draft_from_case(case, current_user)
    except svc.WarningError as exc:
        flash(exc.message, "warning")
        return redirect(url_for("complaints.warnings_index"))
    db.session.commit()
    return redirect(url_for("complaints.warning_detail", notice_id=notice.id))


@bp.route("/warnings/<int:notice_id>")
@allow(*CLERKS)
def warning_detail(notice_id: int):
    return _render(_clerk_notice_or_404(notice_id))


def _render(notice, form=None, text_form=None, refusal=None, status=200):
    wf = svc.workflow()
    form = form or ActionForm(formdata=None)
    available = wf.available(notice, current_user, svc.context())
    # publish is shown while the statement period runs too, so the refusal can say why it must wait
    names = [t.name for t in available]
    if notice.state == "notified" and "publish" not in names and current_user.id not in (notice.editor_ids or []):
        names.append("publish")
    form.action.choices = [(n, _(wf.transitions[n].label)) for n in names] or [("", "—")]
    text_form = text_form or NoticeTextForm(formdata=None, data={"notice_text": notice.notice_text})
    return render_template("complaints/warning_detail.html", n=notice, form=form, text_form=text_form,
                           refusal=refusal, state_label=svc.state_label, categories=WARNING_CATEGORIES,
                           rights=svc.rights_notice(), rules=svc.rules()), status


@bp.route("/warnings/<int:notice_id>/text", methods=["POST"])
@allow(*CLERKS)
def warning_text(notice_id: int):
    notice = _clerk_notice_or_404(notice_id)
    form = NoticeTextForm()
    if not form.validate():
        return _render(notice, text_form=form, status=422)
    try:
        svc.edit_draft(notice, current_user, form.notice_text.data)
    except svc.WarningError as exc:
        return _render(notice, text_form=form, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("公告内容已保存。"), "success")
    return redirect(url_for("complaints.warning_detail", notice_id=notice.id))


@bp.route("/warnings/<int:notice_id>/act", methods=["POST"])
@allow(*CLERKS)
def warning_act(notice_id: int):
    notice = _clerk_notice_or_404(notice_id)
    form = ActionForm()
    form.action.choices = [(t, t) for t in svc.workflow().transitions]
    form.authority.choices = [("", "")]
    form.assignee.choices = [("", "")]
    if not form.validate():
        return _render(notice, form=form, status=422)
    claim(notice, form)
    try:
        svc.fire(notice, form.action.data, current_user, form.comment.data)
    except TransitionNotAllowed as exc:
        db.session.rollback()
        return _render(svc.for_clerk(notice_id, current_user), form=form, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("已办理：%(state)s。", state=_(svc.state_label(notice.state))), "success")
    return redirect(url_for("complaints.warning_detail", notice_id=notice.id))


@bp.route("/warnings/<int:notice_id>/files/<int:attachment_id>")
@allow(*CLERKS)
def warning_file(notice_id: int, attachment_id: int):
    notice = _clerk_notice_or_404(notice_id)
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.warning_id != notice.id:
        abort(404)
    audit.record("warning.file_downloaded", notice, detail={"attachment": found.id})
    db.session.commit()
    return _send(found)


# --- the firm ---------------------------------------------------------------------------------------------
def _firm_notice_or_404(notice_id: int):
    found = svc.firm_notice(notice_id, current_user)
    if found is None:
        abort(404)
    return found


@bp.route("/firm/warnings/<int:notice_id>")
@allow("firm")
def firm_warning(notice_id: int):
    return _render_firm(_firm_notice_or_404(notice_id))


def _render_firm(notice, statement_form=None, removal_form=None, refusal=None, status=200):
    statement_form = statement_form or AnswerForm(formdata=None, data={"answer": notice.firm_statement})
    removal_form = removal_form or RemovalForm(formdata=None)
    return render_template("complaints/firm_warning.html", n=notice, statement_form=statement_form,
                           removal_form=removal_form, refusal=refusal, state_label=svc.state_label,
                           categories=WARNING_CATEGORIES, rights=svc.rights_notice(), rules=svc.rules()), status


@bp.route("/firm/warnings/<int:notice_id>/statement", methods=["POST"])
@allow("firm")
def firm_statement(notice_id: int):
    notice = _firm_notice_or_404(notice_id)
    form = AnswerForm()
    if not form.validate():
        return _render_firm(notice, statement_form=form, status=422)
    try:
        svc.state_statement(notice, current_user, form.answer.data)
    except svc.WarningError as exc:
        return _render_firm(notice, statement_form=form, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("陈述、申辩已提交。"), "success")
    return redirect(url_for("complaints.firm_warning", notice_id=notice.id))


@bp.route("/firm/warnings/<int:notice_id>/removal", methods=["POST"])
@allow("firm")
def firm_removal(notice_id: int):
    """The firm applies to leave the list after rectification, with its evidence."""
    notice = _firm_notice_or_404(notice_id)
    form = RemovalForm()
    if not form.validate():
        return _render_firm(notice, removal_form=form, status=422)
    try:
        for upload in _files(form.evidence.data):
            svc.add_removal_evidence(notice, current_user, upload)
        svc.fire(notice, "apply_removal", current_user, form.application.data)
    except (case_files.UploadRefused, _TooManyFiles, TransitionNotAllowed) as exc:
        db.session.rollback()
        message = getattr(exc, "message", None) or str(exc) or _("最多上传3个文件")
        return _render_firm(svc.firm_notice(notice_id, current_user), removal_form=form, refusal=message,
                            status=409)
    db.session.commit()
    flash(_("移出警示名单的申请已提交。"), "success")
    return redirect(url_for("complaints.firm_warning", notice_id=notice.id))


@bp.route("/firm/warnings/<int:notice_id>/files/<int:attachment_id>")
@allow("firm")
def firm_warning_file(notice_id: int, attachment_id: int):
    notice = _firm_notice_or_404(notice_id)
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.warning_id != notice.id or found.source != "firm":
        abort(404)
    return _send(found)


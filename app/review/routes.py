"""Review pages for city and provincial clerks (thin: form → service → engine → audit → one commit).

A request is looked up with app.filings.service.for_clerk: only clerks of a bureau on its route that it has
reached see it; anyone else gets 404, as for an ID that does not exist.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask import request as http_request
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.extensions import db
from app.filings import changes as filing_changes
from app.filings import service as filings
from app.review import bp
from app.security import CLERKS, allow
from forms.filing import DecisionForm, LocalityForm, flat_errors
from workflows.engine import TransitionNotAllowed
from workflows.identifiers import credit_code_province, mask_resident_id
from workflows.time_limits import china_today


def _pack():
    return filings.current_pack()


def _visible_or_404(request_id: int):
    found = filings.for_clerk(request_id, current_user)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@allow(*CLERKS)
def queue():
    pack = _pack()
    if not pack.filing.enabled:
        return render_template("filings/disabled.html", notice=pack.filing.notice)
    today = china_today()
    rows = []
    for found in filings.queue(current_user):
        clock = filings.clock(found, pack)
        rows.append({
            "req": found,
            "waited": clock.working_days_waited(today) if clock else 0,
            "deadline": clock.deadline if clock else None,
            "status": clock.status(today).value if clock else "ok",
        })
    return render_template(
        "review/queue.html", rows=rows, decided=filings.recently_decided(current_user),
        awaiting=filings.awaiting_firm(current_user),
        workflow=filings.workflow(), authority=pack.authority(current_user.authority_code),
    )


@bp.route("/<int:request_id>")
@allow(*CLERKS)
def detail(request_id: int):
    found = _visible_or_404(request_id)
    return _render_detail(found, DecisionForm(), LocalityForm(data={"is_local": "1" if found.firm.is_local else "0"}))


@bp.route("/<int:request_id>/staff-ids")
@allow(*CLERKS)
def staff_ids(request_id: int):
    """The detail page with the staff's ID numbers in full; everywhere else they are masked.

    An ID number is sensitive personal information (个人信息保护法 art. 28): a clerk sees them in full only
    by asking, and each showing is audited — who, which request, how many people — and committed before
    the page is sent."""
    found = _visible_or_404(request_id)
    audit.record("filing.staff_ids_viewed", found, detail={"firm": found.firm_id, "staff": len(found.staff)})
    db.session.commit()
    return _render_detail(found, DecisionForm(), LocalityForm(data={"is_local": "1" if found.firm.is_local else "0"}),
                          full_ids=True)


def _render_detail(found, form, locality_form, refusal=None, status=200, full_ids=False):
    pack = _pack()
    decisions = filings.available_decisions(found, current_user)
    form.action.choices = [c for c in form.action.choices if c.value in decisions]
    clock = filings.clock(found, pack) if found.state == "under_review" else None
    today = china_today()
    return render_template(
        "review/detail.html", req=found, form=form, locality_form=locality_form, refusal=refusal, pack=pack,
        workflow=filings.workflow(), decisions=decisions,
        stage_names=filings.stage_names(pack, found), clock=clock, today=today, mask=mask_resident_id,
        code_province=pack.is_in_province(credit_code_province(found.firm.credit_code)),
        errors=flat_errors(form) + flat_errors(locality_form),
        can_correct=found.state in ("under_review", "returned") and found.authority_code == current_user.authority_code,
        status_value=clock.status(today).value if clock else "ok", full_ids=full_ids,
        changes=filing_changes.changes(found) if found.kind != "cancellation" else None,
    ), status


@bp.route("/<int:request_id>/decide", methods=["POST"])
@allow(*CLERKS)
def decide(request_id: int):
    found = _visible_or_404(request_id)
    form = DecisionForm()
    locality_form = LocalityForm(data={"is_local": "1" if found.firm.is_local else "0"}, formdata=None)
    if not form.validate():
        return _render_detail(found, form, locality_form, status=422)
    if form.action.data in CONFIRMED_DECISIONS and http_request.form.get("confirm") != "1":
        return _confirm(found, form, locality_form)
    try:
        filings.decide(found, form.action.data, current_user, form.comment.data, _posted_version())
    except (TransitionNotAllowed, filings.FilingError) as exc:
        return _render_detail(found, form, locality_form, refusal=exc.message, status=409)
    flash(_("已办理：%(request)s。", request=workflow_label(found)), "success")
    return redirect(url_for("review.queue"))


# An approval publishes the firm (or changes or ends its filing) and a refusal ends the request: both are
# asked twice. A return is not: the firm can always answer it.
CONFIRMED_DECISIONS = ("approve", "reject")


def _confirm(found, form, locality_form):
    """The second step of an approval or a refusal: what will happen, and one button that does it. A page
    already out of date, or a decision not open to this clerk, is refused now rather than after confirming."""
    posted = _posted_version()
    if posted is not None and posted != found.version:
        return _render_detail(found, form, locality_form, refusal=filings.STALE_MESSAGE, status=409)
    if form.action.data not in filings.available_decisions(found, current_user):
        try:
            filings.decide(found, form.action.data, current_user, form.comment.data, posted)
        except (TransitionNotAllowed, filings.FilingError) as exc:
            return _render_detail(found, form, locality_form, refusal=exc.message, status=409)
    pack = _pack()
    last_stage = found.stage + 1 >= len(found.stages or [])
    return render_template(
        "review/confirm.html", req=found, form=form, pack=pack, last_stage=last_stage,
        stage_names=filings.stage_names(pack, found),
    )


def _posted_version() -> int | None:
    """The request's version the clerk's page showed: acting on an out-of-date page is refused
    (app.filings.service.claim), so a decision is never made on what someone else has already changed."""
    return http_request.form.get("version", type=int)


def workflow_label(found) -> str:
    number = _("，备案编号 %(number)s", number=found.filing_number) if found.state == "filed" else ""
    return f"{found.name}（{filings.workflow().state_label(found.state)}{number}）"


@bp.route("/<int:request_id>/locality", methods=["POST"])
@allow(*CLERKS)
def correct_locality(request_id: int):
    found = _visible_or_404(request_id)
    form = LocalityForm()
    if not form.validate():
        return _render_detail(found, DecisionForm(formdata=None), form, status=422)
    try:
        filings.correct_locality(found, current_user, form.is_local.data == "1", form.reason.data, _posted_version())
    except filings.FilingError as exc:
        return _render_detail(found, DecisionForm(formdata=None), form, refusal=exc.message, status=409)
    flash(_("单位属地已更正，申请已按更正后的属地重新确定受理机关。"), "success")
    if filings.for_clerk(found.id, current_user) is None:
        return redirect(url_for("review.queue"))
    return redirect(url_for("review.detail", request_id=found.id))

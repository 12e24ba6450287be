"""Firm pages: thin views over app.filings.service (form → service → engine → audit → one commit).

Every request ID in a URL is looked up with app.filings.service.for_firm, scoped to the logged-in firm:
another firm's ID answers 404, exactly like an ID that does not exist.
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.extensions import db
from app.filings import bp
from app.filings import service as filings
from app.filings import uploads as filing_uploads
from app.links import public_url
from app.security import allow
from forms.filing import (
    MAX_STAFF,
    REASON_LABELS,
    ButtonForm,
    CancellationForm,
    filing_form_class,
    flat_errors,
)
from workflows.engine import TransitionNotAllowed
from workflows.identifiers import mask_resident_id

CLERK_AND_FIRM = ("firm", "city_clerk", "provincial_clerk")


def filing_enabled(view):
    """Where the regulation imposes no filing duty (Shanxi), every filing page says so and does nothing."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        pack = filings.current_pack()
        if not pack.filing.enabled:
            return render_template("filings/disabled.html", notice=pack.filing.notice)
        return view(*args, **kwargs)

    return wrapper


def _own_or_404(request_id: int):
    found = filings.for_firm(request_id, current_user)
    if found is None:
        abort(404)
    return found


@bp.route("/")
@allow("firm")
@filing_enabled
def index():
    firm = current_user.firm
    if firm is None:  # an account not (or no longer) bound to a firm: how to claim one (issue 9)
        return redirect(url_for("accounts.bind")) if "accounts.bind" in current_app.view_functions else abort(404)
    requests = filings.firm_requests(firm.id)
    open_one = next((r for r in requests if r.is_open), None)
    return render_template(
        "filings/index.html", firm=firm, requests=requests, open_request=open_one, form=ButtonForm(),
        workflow=filings.workflow(),
    )


@bp.route("/start", methods=["POST"])
@allow("firm")
@filing_enabled
def start():
    form = ButtonForm()
    if not form.validate() or current_user.firm is None:
        abort(400)
    from app.accounts.claims import start_refusal

    refusal = start_refusal(current_user, request.form.get("kind", ""))
    if refusal:
        flash(_(refusal), "error")
        return redirect(url_for("filings.index"))
    try:
        created = filings.start_request(current_user.firm, request.form.get("kind", ""), current_user)
    except filings.FilingError as exc:
        flash(exc.message, "error")
        return redirect(url_for("filings.index"))
    return redirect(url_for("filings.edit", request_id=created.id))


def _answer_by(found, pack):
    """The date by which the bureau now holding the request should answer (its stage's time limit)."""
    if found.state != "under_review":
        return None
    clock = filings.clock(found, pack)
    return clock.deadline if clock else None


@bp.route("/<int:request_id>")
@allow("firm")
@filing_enabled
def show(request_id: int):
    found = _own_or_404(request_id)
    pack = filings.current_pack()
    return render_template(
        "filings/show.html", req=found, form=ButtonForm(), mask=mask_resident_id, workflow=filings.workflow(),
        stage_names=filings.stage_names(pack, found), pack=pack, receipt=filings.receipt_number(found),
        answer_by=_answer_by(found, pack),
    )


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow("firm")
@filing_enabled
def edit(request_id: int):
    found = _own_or_404(request_id)
    if not found.is_editable:
        flash(_("申请已提交审核，不能修改。"), "warning")
        return redirect(url_for("filings.show", request_id=found.id))
    try:
        if found.kind == "cancellation":
            return _edit_cancellation(found)
        return _edit_details(found)
    except filings.StaleRequest as exc:
        # Another tab or a double click got there first; this post wrote nothing. Show what is stored now.
        flash(exc.message, "error")
        return redirect(url_for("filings.edit", request_id=request_id))


def _posted_version() -> int | None:
    """The request's version the firm's page showed (a hidden field; app.filings.service.claim checks it)."""
    return request.form.get("version", type=int)


def _edit_details(found):
    pack = filings.current_pack()
    materials = filings.upload_materials(pack, found.firm.is_local, found.firm.is_individual)
    form_class = filing_form_class(materials)
    form = form_class() if request.method == "POST" else form_class(data=_form_data(found))
    form.set_choices(pack, found.firm.is_local)
    change_label = REASON_LABELS["change"]
    form.reason.label.text = _(change_label)
    if request.method == "GET":
        for _row in range(min(request.args.get("add", 0, type=int), MAX_STAFF - len(form.staff.entries))):
            form.staff.append_entry()
        return _render_edit(found, form, materials)
    uploads = {f.name: f.data for f in form.upload_fields()}
    if not form.validate():
        if "csrf_token" not in form.errors:
            # Another field's error must not cost the firm its files: keep each one that passes its checks.
            _refuse_uploads(form, filings.store_uploads(found, uploads, current_user, _posted_version()))
        if form.send.data:
            _mark_blank(form)  # name every gap in one round, not only the malformed fields
        return _render_edit(found, form, materials)
    refused = filings.save_draft(found, form.details(), form.staff_rows(), uploads, current_user, _posted_version())
    _refuse_uploads(form, refused)
    if refused:
        return _render_edit(found, form, materials)
    if form.add_staff.data:
        return redirect(url_for("filings.edit", request_id=found.id, add=1, _anchor="staff"))
    if form.send.data:
        try:
            filings.submit(found, current_user, answer=form.answer.data)
        except TransitionNotAllowed as exc:
            _mark_missing(found, form, pack)
            return _render_edit(found, form, materials, refusal=exc.message)
        flash(_("已提交审核。"), "success")
        return redirect(url_for("filings.show", request_id=found.id))
    flash(_("草稿已保存。"), "success")
    return redirect(url_for("filings.edit", request_id=found.id))


def _form_data(found) -> dict:
    data = {name: getattr(found, name) for name in (
        "name", "legal_rep", "registered_address", "premises_address", "contact_name", "contact_phone",
        "equipment", "management_rules", "reason",
    )}
    data["city_code"] = found.city_code or ""
    data["business_types"] = list(found.business_types or [])
    data["staff"] = [
        {"name": s.name, "id_number": s.id_number, "role": s.role, "training_certificate": s.training_certificate}
        for s in found.staff
    ]
    return data


def _refuse_uploads(form, refused: dict[str, str]) -> None:
    for name, message in refused.items():
        form[name].errors = [message]


def _mark_missing(found, form, pack) -> None:
    """Name each missing field beside it too, not only in the refusal above the form."""
    kept = [e.form for e in form.staff if not e.form.remove.data and not e.form.is_blank()]
    for name, _label in filings.missing_items(found, pack):
        if name.startswith("staff-") and name.endswith("-training_certificate"):
            index = int(name.split("-")[1])  # the stored person's position: the kept rows, in order
            if index < len(kept) and not kept[index].training_certificate.errors:
                kept[index].training_certificate.errors = [_("提交前须填写此项")]
            continue
        if name in form and not form[name].errors:
            form[name].errors = [_("请上传此项材料") if name.startswith("doc_") else _("提交前须填写此项")]


def _mark_blank(form) -> None:
    """On a refused submission, also name the required fields the firm left empty in this post."""
    for name in (*filings.REQUIRED_DETAIL_FIELDS, "city_code", "business_types"):
        field = form[name] if name in form else None
        if field is not None and not field.errors and not field.data:
            field.errors = [_("提交前须填写此项")]


def _required_for_submission(found, pack, materials) -> set[str]:
    """The fields a submission needs (app.filings.service.missing_items), marked * on the form; a draft may
    leave them blank."""
    required = {*filings.REQUIRED_DETAIL_FIELDS, "business_types", "staff"}
    if filings.route_needs_city(pack, found.firm.is_local):
        required.add("city_code")
    required.update(f"doc_{m.code}" for m in materials)
    if found.kind == "change":
        required.add("reason")
    return required


def _render_edit(found, form, materials, refusal=None):
    pack = filings.current_pack()
    uncovered = filings.uncovered_types(pack, found.firm.is_local, [b.code for b in pack.filing.business_types])
    return render_template(
        "filings/edit.html", req=found, form=form, materials=materials, errors=flat_errors(form),
        required=_required_for_submission(found, pack, materials),
        refusal=refusal, firm=found.firm, route=filings.context_for(found), pack=pack,
        delete_form=ButtonForm(), types_hint=filings.uncovered_message(pack, uncovered) if uncovered else None,
        all_materials=[m for m in pack.filing.materials
                       if not (m.out_of_province_only and found.firm.is_local)
                       and not (m.units_only and found.firm.is_individual)],
    )


def _edit_cancellation(found):
    form = CancellationForm(data={"reason": found.reason}) if request.method == "GET" else CancellationForm()
    if request.method == "POST" and form.validate():
        filings.save_draft(found, {"reason": form.reason.data}, None, {}, current_user, _posted_version())
        if form.send.data:
            from app.accounts.claims import start_refusal

            refusal = start_refusal(current_user, "cancellation")  # a flagged account: not before confirmed
            if refusal:
                flash(_(refusal), "error")
                return redirect(url_for("filings.edit", request_id=found.id))
            try:
                filings.submit(found, current_user)
            except TransitionNotAllowed as exc:
                flash(exc.message, "error")
                return redirect(url_for("filings.edit", request_id=found.id))
            flash(_("注销申请已提交审核。"), "success")
            return redirect(url_for("filings.show", request_id=found.id))
        flash(_("草稿已保存。"), "success")
        return redirect(url_for("filings.edit", request_id=found.id))
    return render_template("filings/cancel.html", req=found, form=form, errors=flat_errors(form))


@bp.route("/<int:request_id>/withdraw", methods=["POST"])
@allow("firm")
@filing_enabled
def withdraw(request_id: int):
    found = _own_or_404(request_id)
    if not ButtonForm().validate():
        abort(400)
    try:
        filings.withdraw(found, current_user, _posted_version())
    except (TransitionNotAllowed, filings.StaleRequest) as exc:
        flash(exc.message, "error")
    else:
        flash(_("申请已撤回。"), "success")
    return redirect(url_for("filings.index"))


@bp.route("/<int:request_id>/documents/<int:document_id>/delete", methods=["POST"])
@allow("firm")
@filing_enabled
def delete_document(request_id: int, document_id: int):
    found = _own_or_404(request_id)
    if not ButtonForm().validate():
        abort(400)
    try:
        filings.delete_document(found, document_id, current_user, _posted_version())
    except filings.StaleRequest as exc:
        flash(exc.message, "error")
        return redirect(url_for("filings.edit", request_id=request_id, _anchor="materials"))
    except filings.FilingError:
        abort(404)
    flash(_("材料已删除。"), "success")
    return redirect(url_for("filings.edit", request_id=found.id, _anchor="materials"))


@bp.route("/documents/<int:document_id>")
@allow(*CLERK_AND_FIRM)
def document(document_id: int):
    """An uploaded material, to its firm and to the clerks of the bureaus its request reached.

    Sent as an attachment named and typed by what its bytes are (app/filings/uploads.py), never by
    the name the sender gave. Materials carry personal data (licences, ID cards, certificates), so every
    download is audited — who, which request, which document — and committed before the file is sent."""
    found = filings.document_for(document_id, current_user)
    path = filing_uploads.path_of(found) if found else None
    if found is None or not path.is_file():
        abort(404)
    content_type = filing_uploads.served_type(path)
    name = filing_uploads.display_name(found.original_name, content_type)
    audit.record("filing.document_download", found, detail={
        "request": found.request_id, "material": found.material_code, "name": name, "sha256": found.sha256,
    })
    db.session.commit()
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/certificate.pdf")
@allow("firm")
@filing_enabled
def certificate():
    """The 备案证明 of a filing in force; its QR code opens the firm's public roster entry."""
    from reports.certificate import render_certificate

    firm = current_user.firm
    if firm is None or firm.filing_status != "in_force" or not firm.filing_number:
        abort(404)
    pdf = render_certificate(firm, filings.current_pack(), _verify_url(firm))
    name = quote(f"备案证明-{firm.filing_number}.pdf")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=certificate.pdf; filename*=UTF-8''{name}",
            "Cache-Control": "private, no-store",
        },
    )


def _verify_url(firm) -> str:
    """The public roster entry (app.roster.routes.entry: the token is the credit code), under the configured
    PUBLIC_URL: never the request's Host header, which anyone can set (app/links.py)."""
    if "roster.entry" in current_app.view_functions:
        return public_url("roster.entry", token=firm.credit_code)
    endpoint = "roster.index" if "roster.index" in current_app.view_functions else "main.home"
    return public_url(endpoint)

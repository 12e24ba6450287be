"""Penalty case pages for the staff of the bureau running a case (and the provincial bureau, which sees all).

Thin views: form → app.cases.service → engine → audit → one commit. Another bureau's case or order
answers 404 as an id that does not exist, on every route.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app import audit
from app.cases import attachments as case_files
from app.cases import bp
from app.cases import service as svc
from app.extensions import db
from app.models import CaseAttachment, Firm
from app.models.cases import CASE_OUTCOMES, NO_PENALTY_REASONS, PARTY_ID_TYPES, SERVICE_METHODS
from app.security import CASE_STAFF, CLERKS, allow
from forms.cases import ConfirmForm, EvidenceForm, LinkForm, OpenForm, ProposeForm, StepForm
from reports.money import fen_to_yuan_short
from workflows.engine import GuardFailed, TransitionNotAllowed
from workflows.time_limits import china_today

# The fields each step's form shows (StepForm), and the steps asked once more before they are done.
STEP_FIELDS = {
    "investigate": (),
    "revise": ("comment",),
    "notify": ("day",),
    "request_hearing": ("day",),
    "submit_review": ("text", "waived", "day", "hearing_record"),
    "send_back": ("comment",),
    "pass_review": ("comment",),
    "record_discussion": ("day", "text"),
    "decide": ("comment", "confirm"),
    "decide_no_penalty": ("reason", "comment", "confirm"),
    "transfer": ("organ", "comment", "confirm"),
    "serve": ("day", "method", "late_reason", "confirm"),
    "close": ("confirm",),
    "withdraw": ("comment", "confirm"),
}
IRREVERSIBLE = {name for name, fields in STEP_FIELDS.items() if "confirm" in fields}
DAY_LABELS = {
    "notify": "告知日期", "request_hearing": "当事人申请听证的日期", "submit_review": "听证举行日期（举行了听证的）",
    "record_discussion": "集体讨论日期", "serve": "送达日期",
}
TEXT_LABELS = {"submit_review": "当事人陈述、申辩的内容（未陈述申辩的写明）", "record_discussion": "集体讨论记录"}
# A guard's refusal shown beside the field it concerns.
GUARD_FIELDS = {
    "notice_date_valid": "day", "hearing_request_in_time": "day", "hearing_window_over": "day",
    "discussion_given": "text", "no_penalty_reason_given": "reason", "transfer_target_given": "organ",
    "service_valid": "day",
}
STATE_FILTERS = ("open", "ended")
SHOWN_GUARDS = ("in_case_bureau", "not_self_approval")


def _case_or_404(case_id: int):
    found = svc.for_user(case_id, current_user)
    if found is None:
        abort(404)
    return found


def _order_or_404(order_id: int):
    found = svc.order_for_user(order_id, current_user)
    if found is None:
        abort(404)
    return found


def _require_authority():
    if not current_user.authority_code:
        abort(404)


# --- lists --------------------------------------------------------------------------------------------------
@bp.route("/")
@allow(*CASE_STAFF)
def index():
    _require_authority()
    state = request.args.get("state", "open")
    wf = svc.workflow()
    if state not in STATE_FILTERS and state not in wf.states and state != "all":
        state = "open"
    cases = svc.cases_for(current_user, None if state == "all" else state)
    today = china_today()
    rows = []
    for c in cases:
        clock = svc.clock(c)
        rows.append({"c": c, "deadline": clock.deadline if clock else None,
                     "status": clock.status(today).value if clock else "ok"})
    return render_template("cases/index.html", rows=rows, state=state, workflow=wf,
                           orders=svc.orders_for(current_user, pending_only=True), can_open=current_user.role in CLERKS,
                           waiting=svc.waiting_for(current_user), today=today)


# --- opening and orders -------------------------------------------------------------------------------------
def _open_form_page(form, template_kind: str, status=200, refusal=None):
    query = request.args.get("q", "")
    found = svc.find_firms(current_user, query) if query else []
    chosen = db.session.get(Firm, form.firm_id.data) if form.firm_id.data else None
    return render_template("cases/new.html", form=form, kind=template_kind, query=query, found=found,
                           chosen=chosen, refusal=refusal, pack=svc.penalty_pack()), status


def _prepare(form):
    form.provision.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(value, label, optgroup=g["label"]) for g in svc.provision_groups() for value, label in g["choices"]]
    if not form.is_submitted() and request.args.get("firm", type=int):
        firm = db.session.get(Firm, request.args.get("firm", type=int))
        if firm is not None and firm in svc.find_firms(current_user, firm.credit_code or firm.name):
            form.firm_id.data = firm.id


def _opening(form) -> svc.Opening:
    firm = db.session.get(Firm, form.firm_id.data) if form.firm_id.data else None
    if form.firm_id.data and (firm is None or firm not in svc.find_firms(current_user, firm.credit_code or firm.name)):
        raise svc.CaseError(_("请从本机关的备案名录中选择单位"), "party_name")
    code, item = svc.split_choice(form.provision.data)
    if firm is not None:
        party = svc.Party(name=firm.name, id_type="credit_code" if firm.credit_code else "resident_id",
                          id_number=firm.credit_code or "", address=form.party_address.data or "", firm_id=firm.id)
    else:
        party = svc.Party(name=form.party_name.data, id_type=form.id_type.data, id_number=form.id_number.data,
                          address=form.party_address.data or "")
    return svc.Opening(party=party, provision_code=code, item=item, act_date=form.act_date.data,
                       discovered_on=form.discovered_on.data, facts=form.facts.data)


def _files(uploads):
    return [f for f in (uploads or []) if f and f.filename]


def _field_error(form, exc: svc.CaseError):
    target = form[exc.field] if exc.field and exc.field in form else None
    if target is None:
        return exc.message
    target.errors = [*target.errors, exc.message]
    return None


@bp.route("/new", methods=["GET", "POST"])
@allow(*CLERKS)
def new():
    _require_authority()
    form = OpenForm()
    _prepare(form)
    refusal = None
    if request.method == "POST" and form.validate():
        try:
            case = svc.open_case(_opening(form), current_user, _files(form.evidence.data))
        except svc.CaseError as exc:
            refusal = _field_error(form, exc)
        except case_files.UploadRefused as exc:
            form.evidence.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("已立案：%(number)s。", number=case.case_number), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return _open_form_page(form, "case", 422 if request.method == "POST" else 200, refusal)


@bp.route("/orders/new", methods=["GET", "POST"])
@allow(*CLERKS)
def new_order():
    _require_authority()
    form = OpenForm()
    _prepare(form)
    refusal = None
    if request.method == "POST" and form.validate():
        if not form.issued_on.data or not form.deadline.data:
            for f in (form.issued_on, form.deadline):
                if not f.data:
                    f.errors = [*f.errors, _("请填写此项")]
        else:
            try:
                order = svc.issue_order(_opening(form), current_user, issued_on=form.issued_on.data,
                                        deadline=form.deadline.data)
            except svc.CaseError as exc:
                refusal = _field_error(form, exc)
            else:
                db.session.commit()
                flash(_("已发出责令限期改正通知：%(number)s。", number=order.number), "success")
                return redirect(url_for("cases.order", order_id=order.id))
    return _open_form_page(form, "order", 422 if request.method == "POST" else 200, refusal)


@bp.route("/orders/<int:order_id>")
@allow(*CASE_STAFF)
def order(order_id: int):
    found = _order_or_404(order_id)
    return _order_page(found)


def _order_page(found, refusal=None, status=200):
    wf = svc.order_workflow()
    available = [t for t in wf.transitions.values() if found.state in t.from_ and current_user.role in t.roles
                 and svc.in_case_bureau(found, current_user, svc.context()) is None]
    provision = svc.penalty_pack().provision(found.provision_code)
    return render_template("cases/order.html", o=found, workflow=wf, available=available, form=ConfirmForm(),
                           refusal=refusal, provision=provision, id_types=PARTY_ID_TYPES,
                           authority=svc.current_pack().authority(found.authority_code)), status


@bp.route("/orders/<int:order_id>/act/<transition>", methods=["POST"])
@allow(*CLERKS)
def order_act(order_id: int, transition: str):
    found = _order_or_404(order_id)
    form = ConfirmForm()
    if not form.validate() or transition not in svc.order_workflow().transitions:
        abort(400)
    svc.claim(found, form.version.data)
    try:
        svc.fire_order(found, transition, current_user)
    except TransitionNotAllowed as exc:
        db.session.rollback()
        return _order_page(svc.order_for_user(order_id, current_user), refusal=exc.message, status=409)
    db.session.commit()
    if found.case is not None:
        flash(_("逾期未改正，已立案：%(number)s。", number=found.case.case_number), "success")
        return redirect(url_for("cases.detail", case_id=found.case.id))
    flash(_("已记录按期改正。"), "success")
    return redirect(url_for("cases.order", order_id=found.id))


# --- a case -------------------------------------------------------------------------------------------------
@bp.route("/<int:case_id>")
@allow(*CASE_STAFF)
def detail(case_id: int):
    return _render_detail(_case_or_404(case_id))


def _step_form(name: str, formdata=None) -> StepForm:
    form = StepForm(formdata=formdata)
    for f in form:  # several steps' forms on one page: ids unique per step, names as the browser posts them
        if f.name not in ("csrf_token", "version"):
            f.id = f.label.field_id = f"{name}-{f.name}"
    form.method.choices = [SelectChoice("", _("请选择"))] + [SelectChoice(k, _(v)) for k, v in SERVICE_METHODS.items()]
    form.reason.choices = [SelectChoice("", _("请选择"))] + [SelectChoice(k, _(v)) for k, v in NO_PENALTY_REASONS.items()]
    return form


def _proposal_yuan(case) -> int | None:
    """The proposal form's figure, in whole yuan as it was entered (app.cases.service.propose records
    yuan × 100). An amount with cents (none is proposed here) is left blank rather than cut to the yuan."""
    whole, cents = divmod(case.proposed_fen or 0, 100)
    return whole if whole and not cents else None


def _render_detail(case, *, step_forms=None, propose_form=None, refusal=None, status=200):
    wf = svc.workflow()
    # A step is offered where the state, the role, the bureau and the investigator rule allow it; what the form
    # carries (dates, reasons…) and the rest of the guards are checked when it is sent, and refused there.
    ctx = svc.context()
    offered = set()
    for t in wf.transitions.values():
        if case.state not in t.from_ or current_user.role not in t.roles:
            continue
        if any(wf.registry.guards[g](case, current_user, ctx) for g in t.guards if g in SHOWN_GUARDS):
            continue
        offered.add(t.name)
    # (the steps after service have their own forms: app/cases/payment_routes.py, cases/_after_service.html)
    steps = [t for t in wf.transitions.values() if t.name in offered and t.name != "propose" and t.name in STEP_FIELDS]
    forms = {}
    for t in steps:
        forms[t.name] = (step_forms or {}).get(t.name) or _step_form(t.name)
    can_propose = "propose" in offered
    pack = svc.penalty_pack()
    provision = pack.provision(case.provision_code) if case.authority_code else None
    item = provision.item(case.provision_item) if provision and case.provision_item else None
    propose_form = propose_form or ProposeForm(formdata=None, data={
        "tier": case.tier or "normal", "amount": _proposal_yuan(case),
        "mitigated": case.mitigated, "serious": case.serious, "outside_tier_reason": case.outside_tier_reason})
    clock = svc.clock(case)
    today = china_today()
    warning = svc.warning_of(case)
    from app.complaints import warnings

    offer_warning = (warning is None and case.firm_id is not None and case.outcome == "fined"
                     and warnings.rules() is not None and current_user.role in CLERKS
                     and current_user.authority_code == case.authority_code)
    return render_template(
        "cases/detail.html", c=case, workflow=wf, steps=steps, forms=forms, step_fields=STEP_FIELDS,
        irreversible=IRREVERSIBLE, day_labels=DAY_LABELS, text_labels=TEXT_LABELS, can_propose=can_propose,
        propose_form=propose_form, refusal=refusal, provision=provision, item=item, clock=clock,
        status_value=clock.status(today).value if clock else "ok", same_act=svc.same_act(case),
        evidence_form=EvidenceForm(), link_form=LinkForm(), confirm_form=ConfirmForm(), warning=warning,
        offer_warning=offer_warning, id_types=PARTY_ID_TYPES, outcomes=CASE_OUTCOMES,
        service_methods=SERVICE_METHODS, no_penalty_reasons=NO_PENALTY_REASONS, user_name=svc.user_name,
        authority=svc.current_pack().authority(case.authority_code), is_clerk=current_user.role in CLERKS,
        own=current_user.authority_code == case.authority_code,
    ), status


def _step_data(name: str, form: StepForm) -> dict:
    if name == "notify":
        return {"notified_on": form.day.data}
    if name == "request_hearing":
        return {"requested_on": form.day.data}
    if name == "submit_review":
        return {"statement": form.text.data, "waived": form.waived.data, "hearing_held_on": form.day.data,
                "hearing_record": form.hearing_record.data}
    if name == "record_discussion":
        return {"discussed_on": form.day.data, "discussion": form.text.data}
    if name == "decide_no_penalty":
        return {"reason": form.reason.data}
    if name == "transfer":
        return {"organ": form.organ.data}
    if name == "serve":
        return {"served_on": form.day.data, "method": form.method.data, "late_reason": form.late_reason.data}
    return {}


@bp.route("/<int:case_id>/act/<transition>", methods=["POST"])
@allow(*CASE_STAFF)
def act(case_id: int, transition: str):
    case = _case_or_404(case_id)
    if transition not in STEP_FIELDS:
        abort(404)
    form = _step_form(transition, request.form)
    if not form.validate():
        return _render_detail(case, step_forms={transition: form}, status=422)
    if transition in IRREVERSIBLE and not form.confirm.data:
        form.confirm.errors = [_("请确认后再办理")]
        return _render_detail(case, step_forms={transition: form}, status=422)
    svc.claim(case, form.version.data)
    try:
        svc.fire(case, transition, current_user, form.comment.data, _step_data(transition, form))
    except TransitionNotAllowed as exc:
        db.session.rollback()
        case = svc.for_user(case_id, current_user)
        form = _step_form(transition, request.form)
        form.validate()
        refusal = exc.message
        if isinstance(exc, GuardFailed) and exc.guard in GUARD_FIELDS:
            target = form[GUARD_FIELDS[exc.guard]]
            target.errors = [*target.errors, exc.message]
            refusal = None
        elif exc.reason == "comment":
            form.comment.errors = [*form.comment.errors, exc.message]
            refusal = None
        return _render_detail(case, step_forms={transition: form}, refusal=refusal, status=409)
    db.session.commit()
    flash(_("已办理：%(number)s（%(state)s）。", number=case.case_number,
            state=_(svc.workflow().state_label(case.state))), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/propose", methods=["POST"])
@allow(*CLERKS)
def propose(case_id: int):
    case = _case_or_404(case_id)
    form = ProposeForm()
    if not form.validate():
        return _render_detail(case, propose_form=form, status=422)
    svc.claim(case, form.version.data)
    try:
        svc.propose(case, current_user, tier=form.tier.data, amount_yuan=form.amount.data, severe=form.severe.data,
                    illegal_gains=form.illegal_gains.data or 0, mitigated=form.mitigated.data,
                    outside_tier_reason=form.outside_tier_reason.data or "", serious=form.serious.data)
        svc.fire(case, "propose", current_user, None)
    except svc.CaseError as exc:
        db.session.rollback()
        case = svc.for_user(case_id, current_user)
        refusal = _field_error(form, exc)
        return _render_detail(case, propose_form=form, refusal=refusal, status=422)
    except TransitionNotAllowed as exc:
        db.session.rollback()
        return _render_detail(svc.for_user(case_id, current_user), propose_form=form, refusal=exc.message, status=409)
    audit.record("penalty_case.proposal", case, actor=current_user, detail={
        "amount_fen": case.proposed_fen, "tier": case.tier, "mitigated": case.mitigated,
        "hearing": case.hearing_offered, "serious": case.serious})
    db.session.commit()
    flash(_("已拟定处罚意见：罚款%(amount)s元。", amount=fen_to_yuan_short(case.proposed_fen)), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/evidence", methods=["POST"])
@allow(*CLERKS)
def evidence(case_id: int):
    case = _case_or_404(case_id)
    form = EvidenceForm()
    if not form.validate() or case.authority_code != current_user.authority_code:
        abort(400 if case.authority_code == current_user.authority_code else 404)
    try:
        svc.add_evidence(case, current_user, _files(form.evidence.data))
    except (case_files.UploadRefused, svc.CaseError) as exc:
        db.session.rollback()
        return _render_detail(svc.for_user(case_id, current_user), refusal=getattr(exc, "message", str(exc)),
                              status=422)
    db.session.commit()
    flash(_("证据材料已上传。"), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/<int:case_id>/files/<int:attachment_id>")
@allow(*CASE_STAFF)
def attachment(case_id: int, attachment_id: int):
    case = _case_or_404(case_id)
    found = db.session.get(CaseAttachment, attachment_id)
    if found is None or found.case_id != case.id:
        abort(404)
    audit.record("penalty_case.file_downloaded", case, detail={"attachment": found.id})
    db.session.commit()
    path = case_files.path_of(found)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=case_files.served_type(path), as_attachment=True, download_name=found.original_name)


@bp.route("/<int:case_id>/link", methods=["POST"])
@allow(*CLERKS)
def link(case_id: int):
    case = _case_or_404(case_id)
    form = LinkForm()
    if case.authority_code != current_user.authority_code:
        abort(404)
    if form.validate():
        try:
            other = svc.link_same_act(case, form.other.data, current_user)
        except svc.CaseError as exc:
            form.other.errors = [exc.message]
        else:
            db.session.commit()
            flash(_("已关联同一违法行为的案件 %(number)s。", number=other.case_number), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    db.session.rollback()
    page, status = _render_detail(svc.for_user(case_id, current_user), status=422)
    return page.replace("<!--link-errors-->", "".join(
        f'<p class="error" id="other-error">{e}</p>' for e in form.other.errors)), status


@bp.route("/<int:case_id>/warning", methods=["POST"])
@allow(*CLERKS)
def warning(case_id: int):
    """Art. 28: a decided case against a registered firm is offered to the warning list (a draft notice)."""
    case = _case_or_404(case_id)
    if case.authority_code != current_user.authority_code or not ConfirmForm().validate():
        abort(404 if case.authority_code != current_user.authority_code else 400)
    try:
        notice = svc.offer_warning(case, current_user)
    except svc.CaseError as exc:
        db.session.rollback()
        return _render_detail(case, refusal=exc.message, status=409)
    db.session.commit()
    flash(_("已生成警示公告草稿。"), "success")
    return redirect(url_for("complaints.warning_detail", notice_id=notice.id))

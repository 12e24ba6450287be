"""After service: the bank's receipts, surcharge pauses, deferral, the reminder and the court application;
the clerks' home panel of case deadlines; `flask cases remind`.

Pages: the case page (app/cases/routes.py) includes cases/_after_service.html, which reads
`case_money(case)`. Views are thin: form → app/cases/payments.py or the workflow → audit → one commit. Every
route answers 404 for another bureau's case (app.cases.service.for_user), and only the clerks (the
bureau head for a deferral) of the case's own bureau act.
"""

from __future__ import annotations

import click
from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from app.cases import bp, deadlines, enforcement, payments
from app.cases import service as svc
from app.cases.deadlines import N_
from app.cases.payment_forms import EndPauseForm, EnforceForm, PauseForm, PaymentForm
from app.extensions import db
from app.home import home_panel
from app.models import PenaltyCase
from app.models.case_payments import DEFERRAL_KINDS, PAUSE_KINDS, REMINDER_METHODS
from app.security import CASE_STAFF, CLERKS, allow
from workflows.engine import TransitionNotAllowed
from workflows.time_limits import china_today

AFTER_SERVICE_STEPS = ("approve_deferral", "serve_reminder", "apply_to_court")
IRREVERSIBLE = ("approve_deferral", "apply_to_court")


def _case_or_404(case_id: int) -> PenaltyCase:
    found = svc.for_user(case_id, current_user)
    if found is None:
        abort(404)
    return found


def _enforce_form(name: str, formdata=None) -> EnforceForm:
    form = EnforceForm(formdata=formdata)
    for f in form:
        if f.name not in ("csrf_token", "version"):
            f.id = f.label.field_id = f"{name}-{f.name}"
    form.method.choices = [SelectChoice("", _("请选择"))] + [SelectChoice(k, _(v)) for k, v in REMINDER_METHODS.items()]
    return form


@bp.app_template_global("case_money")
def case_money(case: PenaltyCase) -> dict:
    """What the case page shows after service: the reckoning as of today, the records and the forms."""
    today = china_today()
    own = current_user.is_authenticated and current_user.authority_code == case.authority_code
    forms = getattr(g, "case_money_forms", {})
    wf = svc.workflow()
    steps = []
    for name in AFTER_SERVICE_STEPS:
        t = wf.transitions[name]
        if own and case.state in t.from_ and current_user.role in t.roles:
            steps.append(t)
    return {
        "shown": case.served_on is not None and case.outcome == "fined",
        "reck": payments.reckon(case, today) if case.served_on else None,
        "today": today,
        "yuan": payments.yuan,
        "can_record": own and current_user.role in CLERKS and case.state in payments.PAYABLE_STATES,
        "payment_form": forms.get("payment") or PaymentForm(formdata=None),
        "pause_form": forms.get("pause") or PauseForm(formdata=None),
        "end_form": EndPauseForm(formdata=None),
        "steps": steps,
        "step_forms": {t.name: forms.get(t.name) or _enforce_form(t.name) for t in steps},
        "irreversible": IRREVERSIBLE,
        "court": enforcement.court_dates(case),
        "removal": enforcement.orders_removal(case),
        "pause_kinds": PAUSE_KINDS, "deferral_kinds": DEFERRAL_KINDS, "reminder_methods": REMINDER_METHODS,
        "readings": {"partial": payments.PARTIAL_PAYMENT_READING, "pause": payments.PAUSE_READING,
                     "deferral": payments.DEFERRAL_READING},
        "deadlines": deadlines.for_case(case, today),
    }


def _again(case_id: int, forms: dict, refusal: str | None = None, status: int = 422):
    from app.cases.routes import _render_detail

    db.session.rollback()
    g.case_money_forms = forms
    return _render_detail(_case_or_404(case_id), refusal=refusal, status=status)


def _field_error(form, exc: payments.PaymentError) -> str | None:
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return None
    return exc.message


@bp.route("/<int:case_id>/payments", methods=["POST"])
@allow(*CLERKS)
def record_payment(case_id: int):
    case = _case_or_404(case_id)
    form = PaymentForm()
    if not form.validate():
        return _again(case_id, {"payment": form})
    number = form.receipt_number.data
    try:
        amount = payments.parse_yuan(form.amount.data)
        payments.record_payment(case, current_user, receipt_number=number, paid_on=form.paid_on.data,
                                amount_fen=amount)
        db.session.commit()
    except payments.PaymentError as exc:
        return _again(case_id, {"payment": form}, _field_error(form, exc), 409 if exc.field is None else 422)
    except IntegrityError:
        # The same receipt posted twice at the same moment: the other post recorded it.
        db.session.rollback()
        flash(_("收据 %(number)s 已登记，不再重复登记。", number=number), "info")
        return redirect(url_for("cases.detail", case_id=case_id))
    flash(_("已登记缴款：收据 %(number)s，%(amount)s元。", number=number, amount=payments.yuan(amount)), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.route("/<int:case_id>/pauses", methods=["POST"])
@allow(*CLERKS)
def record_pause(case_id: int):
    case = _case_or_404(case_id)
    form = PauseForm()
    if not form.validate():
        return _again(case_id, {"pause": form})
    try:
        payments.record_pause(case, current_user, kind=form.kind.data, start_on=form.start_on.data,
                              end_on=form.end_on.data, note=form.note.data or "")
        db.session.commit()
    except payments.PaymentError as exc:
        return _again(case_id, {"pause": form}, _field_error(form, exc), 409 if exc.field is None else 422)
    flash(_("已登记：%(kind)s期间不计算加处罚款。", kind=_(PAUSE_KINDS[form.kind.data])), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


@bp.route("/<int:case_id>/pauses/<int:pause_id>/end", methods=["POST"])
@allow(*CLERKS)
def end_pause(case_id: int, pause_id: int):
    case = _case_or_404(case_id)
    form = EndPauseForm()
    if not form.validate():
        return _again(case_id, {}, _("请填写终结日期"))
    try:
        payments.end_pause(case, current_user, pause_id, form.end_on.data)
        db.session.commit()
    except payments.PaymentError as exc:
        return _again(case_id, {}, exc.message, 409)
    flash(_("已登记终结日期。"), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


def _step_data(name: str, form: EnforceForm) -> dict:
    if name == "approve_deferral":
        parts = payments.parse_instalments(form.instalments.data) if form.kind.data == "instalments" else []
        return {"kind": form.kind.data, "applied_on": form.applied_on.data, "approved_on": form.approved_on.data,
                "due_on": form.due_on.data, "instalments": parts}
    if name == "serve_reminder":
        return {"reminder_served_on": form.day.data, "reminder_method": form.method.data}
    return {"applied_on": form.day.data, "court": form.court.data or "", "removal": form.removal.data}


@bp.route("/<int:case_id>/after/<transition>", methods=["POST"])
@allow(*CASE_STAFF)
def after_service(case_id: int, transition: str):
    case = _case_or_404(case_id)
    if transition not in AFTER_SERVICE_STEPS:
        abort(404)
    form = _enforce_form(transition, request.form)
    if not form.validate():
        return _again(case_id, {transition: form})
    if transition in IRREVERSIBLE and not form.confirm.data:
        form.confirm.errors = [_("请确认后再办理")]
        return _again(case_id, {transition: form})
    try:
        data = _step_data(transition, form)
    except payments.PaymentError as exc:
        form.instalments.errors = [exc.message]
        return _again(case_id, {transition: form})
    try:
        svc.claim(case, form.version.data)
        svc.fire(case, transition, current_user, form.comment.data if transition == "approve_deferral" else None,
                 data)
    except StaleDataError:
        return _again(case_id, {}, _("该案件已被他人办理，页面已过期，请查看最新情况后再办理。"), 409)
    except TransitionNotAllowed as exc:
        return _again(case_id, {transition: form}, exc.message, 409)
    payments.refresh_totals(case)
    db.session.commit()
    flash(_("已办理：%(number)s（%(state)s）。", number=case.case_number,
            state=_(svc.workflow().state_label(case.state))), "success")
    return redirect(url_for("cases.detail", case_id=case_id))


# --- home page: each clerk's case deadlines --------------------------------------------------------------------
STATUS_LABELS = {"overdue": N_("已到期"), "upcoming": N_("即将到期"), "refused": N_("无法计算")}


@home_panel("city_clerk", "provincial_clerk", order=16)
def case_deadlines(user):
    if not user.authority_code:
        return None
    scope = None if svc.is_provincial(user) else user.authority_code
    found = [d for d in deadlines.for_bureau(scope, china_today()) if d.status != "later"]
    if not found:
        return None
    rows = []
    for d in found[:20]:
        when = d.message if d.status == "refused" else f"{d.due.isoformat()} {_(STATUS_LABELS[d.status])}"
        rows.append((f"{d.case.case_number} · {_(d.label)}", when, url_for("cases.detail", case_id=d.case.id)))
    overdue = sum(1 for d in found if d.status in ("overdue", "refused"))
    items = [_("已到期 %(overdue)d 项，七日内到期 %(upcoming)d 项", overdue=overdue, upcoming=len(found) - overdue)]
    return {"title": _("案件期限（已到期和七日内到期）"), "items": items, "rows": rows}


# --- `flask cases remind` ---------------------------------------------------------------------------------------
@bp.cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="按此日期计算（默认北京时间今天）")
def remind(today):
    """Advance what is due (payments overdue), record each deadline reminder once, and list them (cron-safe)."""
    from app.complaints import warnings

    day = today.date() if today else china_today()
    actor = warnings.SystemActor()
    marked = 0
    ids = db.session.scalars(select(PenaltyCase.id).where(
        PenaltyCase.state.in_(("served", "deferred")), PenaltyCase.authority_code.is_not(None)).order_by(
        PenaltyCase.id)).all()
    for case_id in ids:
        case = db.session.get(PenaltyCase, case_id, populate_existing=True)
        if case is None or case.state not in ("served", "deferred") or payments.payment_overdue(
                case, actor, svc.context({"today": day})):
            db.session.rollback()
            continue
        try:
            svc.fire(case, "mark_overdue", actor, None, {"today": day})
            payments.refresh_totals(case, day)
            db.session.commit()
        except (StaleDataError, TransitionNotAllowed):  # another run moved it first
            db.session.rollback()
            continue
        marked += 1
        click.echo(f"逾期未缴纳：{case.case_number}（{case.authority_code}）")
    # The paid fine and the surcharge to date, into the case's columns (the reminder document and the exports).
    for case in db.session.scalars(select(PenaltyCase).where(PenaltyCase.state.in_(payments.PAYABLE_STATES),
                                                             PenaltyCase.authority_code.is_not(None))).all():
        payments.refresh_totals(case, day)
    db.session.commit()
    due = deadlines.for_bureau(None, day)
    recorded = 0
    for d in due:
        if d.status == "later":
            continue
        when = d.message if d.status == "refused" else f"{d.due.isoformat()} {STATUS_LABELS[d.status]}"
        click.echo(f"{d.case.case_number}（{d.case.authority_code}）：{d.label}，{when}")
        if d.key in (d.case.sent_actions or []):
            continue
        table = PenaltyCase.__table__
        keys = [*(d.case.sent_actions or []), d.key]
        db.session.execute(table.update().where(table.c.id == d.case.id).values(sent_actions=keys))
        from app import audit

        audit.record("penalty_case.deadline_reminder", d.case, actor="system", detail={
            "kind": d.kind, "due": d.due.isoformat() if d.due else None, "status": d.status, "key": d.key,
            "authority": d.case.authority_code, "message": d.message})
        db.session.commit()
        recorded += 1
    if not marked and not [d for d in due if d.status != "later"]:
        click.echo(f"{day.isoformat()}：没有到期的案件期限。")
    click.echo(f"标记逾期 {marked} 件，新记录提醒 {recorded} 条。")

"""Pages of firm claims (thin views over app.accounts.claims: form → service → audit → one commit).

Firms: bind an unbound account by claim code or claim request. Clerks: look a firm of their bureau up by
credit code, issue claim and reset codes (shown once, printable), decide claim requests and flagged old
bindings. Public: reset a firm account's password with a bureau's reset code. Another bureau's firm,
request or account answers 404, like an ID that does not exist.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy.orm.exc import StaleDataError

from app.accounts import bp, claims, reset_bp
from app.extensions import db, limiter
from app.models import User
from app.passwords import hash_password
from app.security import CLERKS, PUBLIC, allow, carries_no_cookie
from forms.claims import (
    ClaimCodeForm,
    ClaimDecisionForm,
    ClaimRequestForm,
    FirmLookupForm,
    FlaggedDecisionForm,
    IssueResetForm,
    ResetPasswordForm,
)
from forms.filing import ButtonForm

# Wrong, expired, used and withdrawn codes all get these words: a guesser learns nothing from them.
BAD_CLAIM_CODE = "认领码无效或已失效，请核对后重新输入；如仍不能使用，请联系单位所在地公安机关重新申领。"
BAD_RESET = "用户名或重置码不正确，或重置码已失效。"
STALE = "该申请已被处理"


def pending_account_checks():
    """Before every request of a pending firm account: an expired one is closed and logged out; one whose
    provisional firm entered the register by other means is detached (it never gains a filed firm)."""
    if carries_no_cookie() or not current_user.is_authenticated or current_user.role != "firm" or current_user.firm_binding != "pending":
        return None
    if request.endpoint == "static":
        return None
    if claims.is_expired(current_user):
        claims.expire_one(current_user._get_current_object())
        logout_user()
        flash(_("该账号注册后30天内未提交备案，已停用。如需办理，请重新注册。"), "warning")
        return redirect(url_for("auth.login"))
    claims.enforce_pending_scope(current_user._get_current_object())
    return None


# --- the firm's side ----------------------------------------------------------------------------------
@bp.route("/bind")
@allow("firm")
def bind():
    if current_user.firm_binding == "bound":
        return redirect(url_for("main.home"))
    return _render_bind(ClaimCodeForm(), ClaimRequestForm())


def _render_bind(code_form, request_form, status=200, code_error=None, not_on_roster=False):
    return render_template(
        "accounts/bind.html", code_form=code_form, request_form=request_form, code_error=code_error,
        not_on_roster=not_on_roster, requests=claims.requests_of(current_user),
    ), status


@bp.route("/claim", methods=["POST"])
@allow("firm")
@limiter.limit("10 per hour")
def claim():
    form = ClaimCodeForm()
    if not form.validate():
        return _render_bind(form, ClaimRequestForm(formdata=None), 422)
    try:
        firm = claims.redeem_claim_code(current_user._get_current_object(), form.code.data)
    except claims.ClaimError as exc:
        flash(_(exc.message), "warning")
        return redirect(url_for("main.home"))
    if firm is None:
        return _render_bind(form, ClaimRequestForm(formdata=None), 422, code_error=_(BAD_CLAIM_CODE))
    flash(_("认领成功：本账号已绑定%(name)s。", name=firm.name), "success")
    return redirect(url_for("main.home"))


@bp.route("/claim-request", methods=["POST"])
@allow("firm")
@limiter.limit("20 per hour")
def claim_request():
    form = ClaimRequestForm()
    if not form.validate():
        return _render_bind(ClaimCodeForm(formdata=None), form, 422)
    try:
        found = claims.request_claim(current_user._get_current_object(), form.credit_code.data,
                                     form.applicant_name.data, form.applicant_phone.data, form.note.data or "")
    except claims.ClaimError as exc:
        flash(_(exc.message), "warning")
        return redirect(url_for("main.home"))
    if found is None:
        return _render_bind(ClaimCodeForm(formdata=None), form, 200, not_on_roster=True)
    flash(_("认领申请已提交，请等待单位所在地公安机关核实（可能需要携营业执照前往办理）。"), "success")
    return redirect(url_for("accounts.bind"))


# --- the clerk's side ---------------------------------------------------------------------------------
@bp.route("/")
@allow(*CLERKS)
def index():
    form = FirmLookupForm(request.args, meta={"csrf": False})
    not_found = False
    if request.args.get("credit_code") is not None:
        if form.validate():
            firm = claims.firm_for_clerk(current_user, form.credit_code.data)
            if firm is not None:
                return redirect(url_for("accounts.firm", firm_id=firm.id))
            not_found = True
    return render_template(
        "accounts/index.html", form=form, not_found=not_found, requests=claims.claim_requests_for(current_user),
        flagged=claims.flagged_for(current_user)
    )


def _firm_or_404(firm_id: int):
    firm = claims.firm_by_id_for_clerk(current_user, firm_id)
    if firm is None:
        abort(404)
    return firm


@bp.route("/firms/<int:firm_id>")
@allow(*CLERKS)
def firm(firm_id: int):
    found = _firm_or_404(firm_id)
    pack = claims.current_pack()
    authority = pack.authority(claims.firm_authority(found))
    return render_template(
        "accounts/firm.html", firm=found, accounts=claims.firm_accounts(found), codes=claims.open_codes(found),
        authority=authority, form=ButtonForm(), reset_form=IssueResetForm(),
    )


@bp.route("/firms/<int:firm_id>/claim-code", methods=["POST"])
@allow(*CLERKS)
def issue_claim_code(firm_id: int):
    found = _firm_or_404(firm_id)
    if not ButtonForm().validate():
        abort(400)
    issued = claims.issue_code(current_user, purpose="claim", firm=found)
    return _notice(issued, found, None)


@bp.route("/firms/<int:firm_id>/reset-code", methods=["POST"])
@allow(*CLERKS)
def issue_reset_code(firm_id: int):
    found = _firm_or_404(firm_id)
    form = IssueResetForm()
    if not form.validate():
        abort(400)
    user = db.session.get(User, form.user_id.data)
    if user is None or user.firm_id != found.id or user.role != "firm":
        abort(404)
    issued = claims.issue_code(current_user, purpose="reset", firm=found, user=user)
    return _notice(issued, found, user)


def _notice(issued, found, user):
    """The code, once: the printable notice the clerk hands the firm. Never cached (no-store)."""
    pack = claims.current_pack()
    response = render_template(
        "accounts/notice.html", code=issued.code, record=issued.record, firm=found, account=user,
        bureau=pack.authority(current_user.authority_code),
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/requests/<int:request_id>")
@allow(*CLERKS)
def claim_request_detail(request_id: int):
    found = _request_or_404(request_id)
    return _render_request(found, ClaimDecisionForm(data={"version": found.version}))


def _request_or_404(request_id: int):
    found = claims.claim_request_for(current_user, request_id)
    if found is None:
        abort(404)
    return found


def _render_request(found, form, status=200, refusal=None):
    holders = claims.firm_accounts(found.firm)
    return render_template("accounts/request.html", req=found, form=form, holders=holders, refusal=refusal), status


@bp.route("/requests/<int:request_id>/decide", methods=["POST"])
@allow(*CLERKS)
def decide_claim_request(request_id: int):
    found = _request_or_404(request_id)
    form = ClaimDecisionForm()
    if not form.validate():
        return _render_request(found, form, 422)
    try:
        seen = int(form.version.data or 0)
    except ValueError:
        seen = 0
    try:
        claims.decide_claim_request(found, current_user, form.decision.data == "approve", form.note.data or "", seen)
    except StaleDataError:
        db.session.rollback()
        flash(_(STALE), "warning")
        return redirect(url_for("accounts.index"))
    except claims.ClaimError as exc:
        db.session.rollback()
        return _render_request(db.session.get(type(found), request_id), form, 409, refusal=_(exc.message))
    flash(_("已办理认领申请。"), "success")
    return redirect(url_for("accounts.index"))


@bp.route("/flagged/<int:user_id>/decide", methods=["POST"])
@allow(*CLERKS)
def decide_flagged(user_id: int):
    user = claims.flagged_for_clerk(current_user, user_id)
    if user is None:
        abort(404)
    form = FlaggedDecisionForm()
    if not form.validate():
        abort(400)
    claims.decide_flagged(user, current_user, form.decision.data == "confirm")
    flash(_("已确认该账号与单位的绑定。") if form.decision.data == "confirm" else _("已解除该账号与单位的绑定。"), "success")
    return redirect(url_for("accounts.index"))


# --- public: password reset with a bureau's code ------------------------------------------------------
@reset_bp.route("", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def reset():
    form = ResetPasswordForm()
    error = None
    if form.validate_on_submit():
        user = claims.reset_password(form.username.data, form.code.data, hash_password(form.password.data))
        if user is not None:
            flash(_("密码已重新设置，请用新密码登录。"), "success")
            return redirect(url_for("auth.login"))
        error = _(BAD_RESET)
    return render_template("accounts/reset.html", form=form, error=error), 422 if error else 200

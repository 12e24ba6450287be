import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.auth import bp, login_guard
from app.extensions import db, limiter
from app.models import User
from app.models.base import utcnow
from app.passwords import check_password, check_password_of, hash_password
from app.security import OFFICIALS, PUBLIC, allow, safe_next
from forms import N_
from forms.auth import ChangePasswordForm, FirmRegistrationForm, LoginForm, TotpForm


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _throttled_message() -> str:
    """The detail under the 429 page's heading (尝试过于频繁，请稍后再试, app/errors.py)."""
    return _("为保护账号安全，同一地址在短时间内的登录尝试次数有限。")


PENDING_LOGIN_SECONDS = 300  # the second step must follow the password within five minutes
LOGIN_FAILED = N_("用户名或密码不正确")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"], error_message=_throttled_message)
def login():
    """Password first; staff who enrolled a second factor then give a one-time code (login_code).

    Every refusal (unknown user, wrong password, inactive or locked account) reads the same and costs the
    same hash check, so the answer tells a stranger nothing about which accounts exist.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        password_ok = check_password_of(user, form.password.data)
        if user is None or not user.active or login_guard.is_locked(user):
            form.password.errors.append(_(LOGIN_FAILED))
        elif not password_ok:
            login_guard.record_failure(user)
            db.session.commit()
            form.password.errors.append(_(LOGIN_FAILED))
        elif login_guard.needs_totp_enrolment(user) and not user.must_change_password:
            audit.record("login_refused", user, actor=user, detail={"reason": "no_second_factor"})
            db.session.commit()
            form.password.errors.append(_("本系统要求工作人员使用动态口令登录，该账号尚未设置。请联系系统管理员重置密码后设置。"))
        elif login_guard.is_staff(user) and user.totp_secret:
            session["pending_login"] = {
                "uid": user.id,
                "gen": user.session_generation,
                "at": int(time.time()),
                "next": safe_next(request.args.get("next")),
            }
            return redirect(url_for("auth.login_code"))
        else:
            return _complete_login(user, safe_next(request.args.get("next")))
    return render_template(
        "auth/login.html", form=form, max_failures=login_guard.MAX_FAILURES,
        lock_minutes=int(login_guard.LOCK_DURATION.total_seconds() // 60),
    )


def _complete_login(user, next_url: str | None):
    login_guard.clear_failures(user)
    user.last_login_at = utcnow()
    audit.record("login", user, actor=user)
    db.session.commit()
    login_guard.start_session(user)
    return redirect(next_url or url_for("main.home"))


def _pending_user():
    """The account whose password was right a moment ago in this browser, or None."""
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LOGIN_SECONDS:
        return None, None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or not user.totp_secret or user.session_generation != pending.get("gen"):
        return None, None
    return user, pending


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"], error_message=_throttled_message)
def login_code():
    """The second step for staff with a second factor: a wrong code counts toward the account lock."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, pending = _pending_user()
    if user is None:
        session.pop("pending_login", None)
        flash(_("请重新输入用户名和密码。"), "warning")
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        if login_guard.is_locked(user):
            session.pop("pending_login", None)
            flash(_(LOGIN_FAILED), "error")
            return redirect(url_for("auth.login"))
        if login_guard.use_totp_code(user, form.code.data):
            session.pop("pending_login", None)
            return _complete_login(user, pending.get("next"))
        locked = login_guard.record_failure(user, step="totp")
        db.session.commit()
        if locked:
            session.pop("pending_login", None)
            flash(_(LOGIN_FAILED), "error")
            return redirect(url_for("auth.login"))
        form.code.errors.append(_("动态口令不正确"))
    return render_template("auth/login_code.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow("firm", "city_clerk", "provincial_clerk", "admin")
def logout():
    """Ends this session and every other one of the account: a cookie copied before logout is dead."""
    user = current_user._get_current_object()
    login_guard.bump_generation(user)
    audit.record("logout", user, actor=user)
    db.session.commit()
    login_guard.end_session()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("main.home"))


@bp.route("/password", methods=["GET", "POST"])
@allow("firm", "city_clerk", "provincial_clerk", "admin")
@limiter.limit(_login_limit, methods=["POST"], error_message=_throttled_message)
def change_password():
    """Everyone changes their own password; other sessions of the account end, this one continues."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.user_inputs = (user.username, user.display_name, user.firm.name if user.firm else None)
    if form.validate_on_submit():
        if not check_password(user.password_hash, form.current.data):
            locked = login_guard.record_failure(user, step="change_password")
            db.session.commit()
            if locked:
                login_guard.end_session()
                flash(_(LOGIN_FAILED), "error")
                return redirect(url_for("auth.login"))
            form.current.errors.append(_("当前密码不正确"))
        else:
            was_one_time = user.must_change_password
            user.password_hash = hash_password(form.password.data)
            user.must_change_password = False
            user.password_changed_at = utcnow()
            generation = login_guard.bump_generation(user)
            audit.record("change_password", user, actor=user, detail={"one_time": was_one_time})
            db.session.commit()
            session["gen"] = generation
            flash(_("密码已修改，其他设备上的登录已失效。"), "success")
            if login_guard.needs_totp_enrolment(user):
                return redirect(url_for("auth.totp_setup"))
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form, one_time=current_user.must_change_password)


@bp.route("/totp", methods=["GET", "POST"])
@allow(*OFFICIALS)
@limiter.limit(_login_limit, methods=["POST"], error_message=_throttled_message)
def totp_setup():
    """Enrol a second factor (RFC 6238): the secret is kept in the session until a code confirms it."""
    user = current_user._get_current_object()
    if user.totp_secret:
        return render_template("auth/totp_setup.html", enrolled=True)
    secret = session.get("totp_pending")
    if not isinstance(secret, str) or not secret:
        secret = session["totp_pending"] = login_guard.new_totp_secret()
    form = TotpForm()
    if form.validate_on_submit():
        step = login_guard.totp_step(secret, form.code.data)
        if step is not None:
            user.totp_secret = secret
            user.totp_last_step = step
            audit.record("totp_enrolled", user, actor=user)
            db.session.commit()
            session.pop("totp_pending", None)
            flash(_("动态口令已设置，今后登录时须输入。"), "success")
            return redirect(url_for("main.home"))
        form.code.errors.append(_("动态口令不正确"))
    uri = login_guard.totp_uri(secret, user.username, _("公安机关技防管理系统"))
    return render_template(
        "auth/totp_setup.html", enrolled=False, form=form, secret=secret, uri=uri,
        qr_data_uri=login_guard.qr_data_uri(uri),
    )


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """A firm opens its own account. It is never bound to a firm already in the register (issue 9, defect 1):
    a firm not yet in it gets a pending account that may prepare its first filing; otherwise the account
    starts unbound and claims the firm with a bureau's claim code or request (app/accounts/claims.py).
    Every credit code gets the same answer, so sign-up tells a stranger nothing the roster does not."""
    from app.accounts import claims as firm_claims

    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = FirmRegistrationForm()
    if form.validate_on_submit():
        user = firm_claims.sign_up(form.firm_name.data, form.credit_code.data, form.username.data,
                                   hash_password(form.password.data))
        if user is None:
            form.username.errors.append(_("该用户名不可用，请换一个"))
        else:
            flash(_("注册成功，请登录。"), "success")
            return redirect(url_for("auth.login"))
    from app.filings.individuals import allowed as individuals_allowed

    return render_template("auth/register.html", form=form, individuals_allowed=individuals_allowed())


@bp.route("/register/individual", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def register_individual():
    """A person from another province opens an account to file (Liaoning art. 17: 外省单位和个人), where the
    jurisdiction's pack allows it; elsewhere the page does not exist."""
    from app.filings import individuals as filing_individuals
    from forms.auth import IndividualRegistrationForm

    pack = current_app.extensions["jifang.pack"]
    if not filing_individuals.allowed(pack):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = IndividualRegistrationForm()
    form.set_pack(pack)
    if form.validate_on_submit():
        user = filing_individuals.sign_up(
            form.person_name.data, form.document_type.data, form.document_number.data, form.home_province.data,
            form.username.data, hash_password(form.password.data),
        )
        if user is None:
            form.username.errors.append(_("该用户名不可用，请换一个"))
        else:
            flash(_("注册成功，请登录。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register_individual.html", form=form, individuals=pack.filing.individuals,
                           regulation="《" + pack.regulation.title + "》",
                           province=pack.province)

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app import audit
from app.auth import bp
from app.extensions import db, limiter
from app.models import User
from app.models.base import utcnow
from app.passwords import check_password, hash_password
from app.security import PUBLIC, allow, safe_next
from forms.auth import FirmRegistrationForm, LoginForm


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None or not user.active or not check_password(user.password_hash, form.password.data):
            audit.record("login_failed", object_type="user", object_id=form.username.data[:64], actor="anonymous")
            db.session.commit()
            form.password.errors.append(_("用户名或密码不正确"))
        else:
            session.clear()
            session.permanent = True
            login_user(user)
            user.last_login_at = utcnow()
            audit.record("login", user, actor=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow("firm", "city_clerk", "provincial_clerk", "admin")
def logout():
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """A firm opens its own account. It is never bound to a firm already in the register (issue 9, defect 1):
    a firm not yet in it gets a pending account that may prepare its first filing; otherwise the account
    starts unbound and claims the firm with a bureau's claim code or request (app/services/firm_claims.py).
    Every credit code gets the same answer, so sign-up tells a stranger nothing the roster does not."""
    from app.services import firm_claims

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
    return render_template("auth/register.html", form=form)

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app import audit
from app.auth import bp
from app.extensions import db
from app.models import Firm, User
from app.models.base import utcnow
from app.passwords import check_password, hash_password
from app.security import PUBLIC, allow, safe_next
from app.services.firms import locality_from_credit_code
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
def register():
    """A firm opens its own account, bound to one firm by its credit code (one account per firm)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = FirmRegistrationForm()
    if form.validate_on_submit():
        code = form.credit_code.data
        firm = db.session.scalar(select(Firm).where(Firm.credit_code == code))
        if db.session.scalar(select(User.id).where(User.username == form.username.data)):
            form.username.errors.append(_("该用户名已被使用"))
        elif firm is not None and firm.account is not None:
            form.credit_code.errors.append(_("该统一社会信用代码已注册账号，请联系原账号持有人或公安机关"))
        else:
            if firm is None:
                firm = Firm(name=form.firm_name.data, credit_code=code, is_local=locality_from_credit_code(code))
                db.session.add(firm)
                db.session.flush()
            user = User(
                username=form.username.data,
                password_hash=hash_password(form.password.data),
                role="firm",
                display_name=form.firm_name.data,
                firm_id=firm.id,
            )
            db.session.add(user)
            db.session.flush()
            audit.record("register_firm_account", user, actor=user, detail={"credit_code": code})
            db.session.commit()
            flash(_("注册成功，请登录。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)

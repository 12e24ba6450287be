import tempfile

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import audit
from app.admin import audit_view, bp
from app.auth import login_guard
from app.extensions import db
from app.models import User
from app.passwords import hash_password, one_time_password
from app.security import allow
from app.transfer.routes import XLSX, _attachment
from forms import N_
from forms.admin import ConfirmForm, NewStaffForm, StaffRoleForm
from workflows.time_limits import china_today

PAGE = 50


@bp.route("/audit")
@allow("admin")
def audit_log():
    """The trail, newest first, filtered by who, what, object and Beijing dates; PAGE entries a page."""
    filters = audit_view.Filters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = 0 if filters.errors else audit_view.count(filters)
    pages = max((total + PAGE - 1) // PAGE, 1)
    page = min(page, pages)
    rows = [] if filters.errors else [audit_view.row(e) for e in
                                      audit_view.entries(filters, offset=(page - 1) * PAGE, limit=PAGE)]
    actions, objects = audit_view.choices()
    return render_template("admin/audit.html", rows=rows, filters=filters, total=total, page=page, pages=pages,
                           actions=actions, objects=objects), (400 if filters.errors else 200)


@bp.route("/audit/export.xlsx")
@allow("admin")
def audit_export():
    """The filtered entries as a workbook; the export is itself audited (it shows who did what to whom)."""
    filters = audit_view.Filters.from_args(request.args)
    if filters.errors:
        abort(400)
    raw = tempfile.TemporaryFile()
    audit_view.export(raw, filters, actor=_me())
    raw.seek(0, 2)
    stamp = china_today().isoformat()
    return _attachment(raw, XLSX, f"审计记录-{stamp}.xlsx", f"jifang-audit-{stamp}.xlsx")


@bp.route("/audit/verify")
@allow("admin")
def audit_verify():
    return render_template("admin/audit_verify.html", report=audit.verify())


@bp.route("/users")
@allow("admin")
def users():
    accounts = db.session.scalars(select(User).order_by(User.role, User.username)).all()
    return render_template("admin/users.html", users=accounts)


@bp.route("/account")
@allow("firm", "city_clerk", "provincial_clerk", "admin", "legal_reviewer", "bureau_head")
def account():
    return render_template("admin/account.html", user=current_user)


def _pack():
    return current_app.extensions["jifang.pack"]


def _account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new():
    """An admin opens a staff account; its first password is shown once and must be changed at first log-in."""
    form = NewStaffForm().with_authorities(_pack())
    if form.validate_on_submit():
        if db.session.scalar(select(User.id).where(User.username == form.username.data)):
            form.username.errors.append(_("该用户名已被使用"))
        else:
            password = one_time_password()
            user = User(
                username=form.username.data,
                display_name=form.display_name.data,
                password_hash=hash_password(password),
                role=form.role.data,
                authority_code=None if form.role.data == "admin" else form.authority_code.data,
                must_change_password=True,
            )
            db.session.add(user)
            db.session.flush()
            audit.record(
                "create_user", user, actor=_me(), detail={"role": user.role, "authority": user.authority_code}
            )
            db.session.commit()
            return render_template("admin/one_time_password.html", user=user, password=password, created=True)
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>")
@allow("admin")
def user_detail(user_id: int):
    user = _account(user_id)
    role_form = StaffRoleForm(data={"role": user.role, "authority_code": user.authority_code or ""})
    return _detail_page(user, role_form.with_authorities(_pack()))


def _detail_page(user, role_form, status=200):
    return (
        render_template(
            "admin/user.html", user=user, role_form=role_form, action_form=ConfirmForm(),
            locked=login_guard.is_locked(user), is_me=user.id == current_user.id,
        ),
        status,
    )


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@allow("admin")
def user_role(user_id: int):
    """Change a staff account's role or bureau; its sessions end so the new rights apply at once."""
    user = _account(user_id)
    if user.role == "firm":
        abort(404)
    if user.id == current_user.id:
        flash(_("不能修改自己的角色或所属机关。"), "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    form = StaffRoleForm().with_authorities(_pack())
    if not form.validate_on_submit():
        return _detail_page(user, form, 400)
    before = {"role": user.role, "authority": user.authority_code}
    user.role = form.role.data
    user.authority_code = None if user.role == "admin" else form.authority_code.data
    after = {"role": user.role, "authority": user.authority_code}
    if after != before:
        login_guard.bump_generation(user)
        audit.record("change_user_role", user, actor=_me(), detail={"before": before, "after": after})
        db.session.commit()
        flash(_("已修改账号 %(name)s 的角色或所属机关。", name=user.username), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# Actions on an account: (question on the confirmation page, refused on one's own account).
ACTIONS = {
    "deactivate": (N_("停用账号 %(name)s？该账号的所有登录将立即结束，之后无法登录，直到重新启用。"), True),
    "reactivate": (N_("重新启用账号 %(name)s？"), True),
    "reset": (
        N_("为账号 %(name)s 重置密码？原密码立即失效，该账号的所有登录将结束；新的一次性密码只显示一次，首次登录后须修改。"),
        True,
    ),
    "clear_totp": (N_("清除账号 %(name)s 的动态口令？该账号的所有登录将结束，下次登录后须重新设置。"), False),
}


def _action_refusal(user, action: str) -> str | None:
    if ACTIONS[action][1] and user.id == current_user.id:
        return _("不能对自己的账号执行此操作。")
    if action == "deactivate" and not user.active:
        return _("该账号已停用。")
    if action == "reactivate" and user.active:
        return _("该账号已启用。")
    if action == "clear_totp" and not user.totp_secret:
        return _("该账号未设置动态口令。")
    return None


@bp.route("/users/<int:user_id>/<action>", methods=["GET", "POST"])
@allow("admin")
def user_action(user_id: int, action: str):
    """GET asks for confirmation, the POST from that page (with its CSRF token) does it, audited."""
    if action not in ACTIONS:
        abort(404)
    user = _account(user_id)
    refusal = _action_refusal(user, action)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        return _apply(user, action)
    question = _(ACTIONS[action][0], name=user.username)
    return render_template("admin/confirm.html", user=user, action=action, form=form, question=question)


def _apply(user, action: str):
    me = _me()
    password = None
    if action == "deactivate":
        user.active = False
        login_guard.bump_generation(user)
        message = _("账号 %(name)s 已停用。", name=user.username)
    elif action == "reactivate":
        user.active = True
        login_guard.clear_failures(user)
        message = _("账号 %(name)s 已重新启用。", name=user.username)
    elif action == "reset":
        password = one_time_password()
        user.password_hash = hash_password(password)
        user.must_change_password = True
        login_guard.clear_failures(user)
        login_guard.bump_generation(user)
        message = None
    else:  # clear_totp
        user.totp_secret = None
        login_guard.bump_generation(user)
        message = _("已清除账号 %(name)s 的动态口令。", name=user.username)
    audit.record(f"admin_{action}", user, actor=me)
    db.session.commit()
    if password is not None:
        return render_template("admin/one_time_password.html", user=user, password=password, created=False)
    flash(message, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))

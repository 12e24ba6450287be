from flask import render_template, request
from sqlalchemy import select

from app import audit
from app.admin import bp
from app.extensions import db
from app.models import AuditEntry, User
from app.security import allow

PAGE = 100


@bp.route("/audit")
@allow("admin")
def audit_log():
    before = request.args.get("before", type=int)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query).all()
    return render_template("admin/audit.html", entries=entries, page_size=PAGE)


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
@allow("firm", "city_clerk", "provincial_clerk", "admin")
def account():
    from flask_login import current_user

    return render_template("admin/account.html", user=current_user)

"""Home panels every deployment has: the account itself and, for admins, the state of the audit trail."""

from flask import url_for
from sqlalchemy import func, select

from app.extensions import db
from app.home import home_panel
from app.models import AuditEntry, User


@home_panel("admin", order=90)
def admin_overview(user):
    users = db.session.scalar(select(func.count(User.id)))
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    return {
        "title": "系统概况",
        "items": [f"账号数：{users}", f"审计记录：{entries} 条（可用 flask --app app audit verify 校验）"],
    }


@home_panel("firm", order=5)
def firm_identity(user):
    firm = user.firm
    if firm is None:
        return None
    status = {"none": "尚未备案", "in_force": "备案有效", "cancelled": "备案已注销"}[firm.filing_status]
    items = [f"单位：{firm.name}", f"统一社会信用代码：{firm.credit_code}", f"备案状态：{status}"]
    if firm.filing_number:
        items.append(f"备案编号：{firm.filing_number}")
    return {"title": "本单位", "items": items}


@home_panel("public", order=10)
def public_links(user):
    return {
        "title": "公开信息",
        "items": ["查询已备案的技防从业单位名录，核验备案证明真伪。"],
        "link": (url_for("roster.index"), "查看备案名录") if "roster.index" in _endpoints() else None,
    }


def _endpoints():
    from flask import current_app

    return current_app.view_functions

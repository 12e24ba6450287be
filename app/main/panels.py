"""Home panels every deployment has: the account itself and, for admins, the state of the audit trail."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.home import home_panel
from app.models import AuditEntry, User


@home_panel("admin", order=90)
def admin_overview(user):
    users = db.session.scalar(select(func.count(User.id)))
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    return {
        "title": _("系统概况"),
        "items": [
            _("账号数：%(count)d", count=users),
            _("审计记录：%(count)d 条（可用 flask --app app audit verify 校验）", count=entries),
        ],
    }


@home_panel("firm", order=5)
def firm_identity(user):
    firm = user.firm
    if firm is None:
        return None
    status = {"none": _("尚未备案"), "in_force": _("备案有效"), "cancelled": _("备案已注销")}[firm.filing_status]
    items = [
        _("单位：%(name)s", name=firm.name),
        _("统一社会信用代码：%(code)s", code=firm.credit_code),
        _("备案状态：%(status)s", status=status),
    ]
    if firm.filing_number:
        items.append(_("备案编号：%(number)s", number=firm.filing_number))
    return {"title": _("本单位"), "items": items}


@home_panel("public", order=10)
def public_links(user):
    return {
        "title": _("公开信息"),
        "items": [_("查询已备案的技防从业单位名录，核验备案证明真伪。")],
        "link": (url_for("roster.index"), _("查看备案名录")) if "roster.index" in _endpoints() else None,
    }


def _endpoints():
    from flask import current_app

    return current_app.view_functions

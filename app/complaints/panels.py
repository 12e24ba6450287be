"""Home panels: clerks see complaints waiting, near and over their limits, and the warning list's work;
a firm sees complaints it may answer and its listings; the public is pointed to the complaint form."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.complaints import reminders as complaint_reminders
from app.complaints import service as complaints
from app.complaints import warnings
from app.extensions import db
from app.home import home_panel
from app.models import WarningNotice
from workflows.time_limits import china_today


@home_panel("city_clerk", "provincial_clerk", order=20)
def complaint_queue(user):
    if not user.authority_code:
        return None
    waiting = complaints.queue(user)
    today = china_today()
    statuses = [c.status(today).value for c in (complaints.clock(r) for r in waiting) if c]
    items = [_("待办投诉：%(count)d 件", count=len(waiting))]
    if statuses.count("near"):
        items.append(_("临近办理时限：%(count)d 件", count=statuses.count("near")))
    if statuses.count("overdue"):
        items.append(_("已超过办理时限：%(count)d 件", count=statuses.count("overdue")))
    escalated = sum(1 for r in waiting if "escalate" in complaint_reminders.sent_kinds(r))
    if escalated:  # recorded by `flask complaints remind`
        items.append(_("已升级至省级公安机关：%(count)d 件", count=escalated))
    if warnings.rules() is not None:
        stmt = select(WarningNotice.state, func.count()).where(
            WarningNotice.state.in_(("draft", "notified", "removal_requested", "removal_approved")))
        if user.role != "provincial_clerk":
            stmt = stmt.where(WarningNotice.authority_code == user.authority_code)
        counts = dict(db.session.execute(stmt.group_by(WarningNotice.state)).all())
        if counts.get("draft", 0) + counts.get("notified", 0):
            items.append(_("待告知或待发布的警示公告：%(count)d 件",
                           count=counts.get("draft", 0) + counts.get("notified", 0)))
        if counts.get("removal_requested", 0) + counts.get("removal_approved", 0):
            items.append(_("待决定或待复核的移出申请：%(count)d 件",
                           count=counts.get("removal_requested", 0) + counts.get("removal_approved", 0)))
    return {"title": _("投诉与警示"), "items": items, "link": (url_for("complaints.index"), _("进入投诉办理"))}


@home_panel("firm", order=20)
def firm_complaints(user):
    answerable = [c for c in complaints.for_firm(user.firm_id) if c.state in complaints.ANSWERABLE_STATES]
    notices = [n for n in warnings.for_firm(user.firm_id) if n.state in ("notified", "warning_issued",
                                                                         "removal_requested", "removal_approved")]
    if not answerable and not notices:
        return None
    items = []
    if answerable:
        items.append(_("有关本单位的投诉正在核查，可提交陈述、申辩：%(count)d 件", count=len(answerable)))
    if notices:
        items.append(_("本单位的警示公告：%(count)d 件", count=len(notices)))
    return {"title": _("投诉与警示"), "items": items, "link": (url_for("complaints.firm_index"), _("查看"))}


@home_panel("public", order=25)
def complain(user):
    return {"title": _("投诉技防从业单位"),
            "items": [_("对技防从业单位的设计、安装、维护或报警运营服务不满意，可向公安机关投诉，无需注册账号。")],
            "link": (url_for("complaints.new"), _("我要投诉"))}

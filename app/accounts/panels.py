"""Home panels: an unbound or pending firm account is told how to come to act for its firm; clerks see the
claim requests and flagged accounts waiting at their bureau."""

from flask import url_for
from flask_babel import gettext as _

from app.accounts import claims
from app.home import home_panel


@home_panel("firm", order=1)
def binding(user):
    if user.firm_id is None:
        items = [
            _("本账号尚未绑定单位，看不到任何单位的备案信息，也不能以单位名义办理业务。"),
            _("如本单位已在备案名录中：请持营业执照到单位所在地公安机关申领认领码，登录后输入认领码；或在线提交认领申请，由公安机关核实后办理。"),
        ]
        waiting = [r for r in claims.requests_of(user) if r.state == "pending"]
        if waiting:
            items.append(_("已提交的认领申请正在等待公安机关核实。"))
        return {"title": _("绑定单位"), "items": items, "link": (url_for("accounts.bind"), _("输入认领码或申请认领"))}
    if user.firm_binding != "bound":
        return {"title": _("账号待核实"), "items": [
            _("本账号为单位自行注册，尚未经公安机关核实：可以填写并提交本单位的首次备案申请，公安机关审核通过（核对营业执照）后，本账号即正式绑定本单位。"),
            _("注册后30天内未提交备案申请的，账号将停用。"),
        ]}
    if user.binding_flagged:
        return {"title": _("账号待确认"), "items": [
            _("本账号与单位的绑定尚待公安机关确认；确认前可以照常办理，但不能申请注销备案。"),
        ]}
    return None


@home_panel("city_clerk", "provincial_clerk", order=20)
def accounts_waiting(user):
    if not user.authority_code:
        return None
    requests, flagged = claims.pending_counts(user)
    return {
        "title": _("单位账号"),
        "items": [
            _("待办认领申请：%(count)d 件", count=requests),
            _("需确认的单位账号：%(count)d 个", count=flagged),
            _("为单位签发认领码或密码重置码，请按统一社会信用代码查找单位。"),
        ],
        "link": (url_for("accounts.index"), _("办理单位账号")),
    }

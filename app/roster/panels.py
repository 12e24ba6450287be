"""The roster's home panel for the public: how to check a certificate (no firm is named or ranked)."""

from flask import current_app, url_for
from flask_babel import gettext as _

from app.home import home_panel


@home_panel("public", order=20)
def check_certificate(user):
    pack = current_app.extensions["jifang.pack"]
    if not pack.filing.enabled:
        return {"title": _("从业单位备案"), "items": [pack.filing.notice]}
    return {
        "title": _("核验备案证明"),
        "items": [
            _("扫描备案证明上的二维码，即可查看该备案是否真实、是否有效。"),
            _("也可在备案名录中按单位名称或统一社会信用代码查询。"),
        ],
        "link": (url_for("roster.index"), _("查询备案名录")),
    }


@home_panel("public", order=30)
def warning_notices(user):
    """Where the regulation has warnings published (Liaoning art. 28), the public is pointed to them."""
    rules = current_app.extensions["jifang.pack"].warning_notices
    if rules is None or not rules.published:
        return None
    return {
        "title": _("警示公告"),
        "items": [_("经查证属实有违法行为或者因服务受到投诉的从业单位，由公安机关发布警示公告。")],
        "link": (url_for("roster.warnings"), _("查看警示公告")),
    }

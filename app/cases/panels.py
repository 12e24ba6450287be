"""Home panels: the cases waiting on each role of a bureau (clerks, legal reviewers, bureau heads)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.cases import service as penalty_cases
from app.home import home_panel


@home_panel("city_clerk", "provincial_clerk", "legal_reviewer", "bureau_head", order=15)
def case_work(user):
    if not user.authority_code:
        return None
    waiting = penalty_cases.waiting_for(user)
    if user.role == "legal_reviewer":
        items = [_("待法制审核的案件：%(count)d 件", count=len(waiting))]
    elif user.role == "bureau_head":
        items = [_("待负责人决定的案件：%(count)d 件", count=len(waiting))]
    else:
        items = [_("办理中的处罚案件：%(count)d 件", count=len(waiting))]
    return {"title": _("处罚案件"), "items": items, "link": (url_for("cases.index"), _("进入案件办理"))}

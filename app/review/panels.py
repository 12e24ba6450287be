"""The clerk's home panel: how many filings wait at his or her bureau, and how many are near or past due."""

from flask import url_for
from flask_babel import gettext as _

from app.home import home_panel
from app.services import filing as filings
from workflows.time_limits import china_today


@home_panel("city_clerk", "provincial_clerk", order=10)
def review_queue(user):
    pack = filings.current_pack()
    if not pack.filing.enabled or not user.authority_code:
        return None
    waiting = filings.queue(user)
    today = china_today()
    statuses = [c.status(today).value for c in (filings.clock(r, pack) for r in waiting) if c]
    items = [_("待审核备案申请：%(count)d 件", count=len(waiting))]
    if statuses.count("near"):
        items.append(_("临近办理时限：%(count)d 件", count=statuses.count("near")))
    if statuses.count("overdue"):
        items.append(_("已超过办理时限：%(count)d 件", count=statuses.count("overdue")))
    return {"title": _("备案审核"), "items": items, "link": (url_for("review.queue"), _("进入审核队列"))}

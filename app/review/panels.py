"""The clerk's home panel: how many filings wait at his or her bureau, and how many are near or past due."""

from flask import url_for

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
    items = [f"待审核备案申请：{len(waiting)} 件"]
    if statuses.count("near"):
        items.append(f"临近办理时限：{statuses.count('near')} 件")
    if statuses.count("overdue"):
        items.append(f"已超过办理时限：{statuses.count('overdue')} 件")
    return {"title": "备案审核", "items": items, "link": (url_for("review.queue"), "进入审核队列")}

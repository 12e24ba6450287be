"""The clerk's home panel: how many filings wait at his or her bureau, and how many are near or past due."""

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.filings import service as filings
from app.home import home_panel
from app.models import FilingRequest
from workflows.time_limits import china_today, local_date


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


MOVED_AWAY_DAYS = 90
MOVED_AWAY_SHOWN = 10


@home_panel("city_clerk", "provincial_clerk", order=15)
def moved_away(user):
    """Firms whose approved change moved their filing from this bureau to another (Liaoning art. 16: the
    filing follows the premises' city). The new bureau reviewed the change; the old one must still learn
    that the firm is no longer under its supervision."""
    if not user.authority_code:
        return None
    since = china_today() - dt.timedelta(days=MOVED_AWAY_DAYS)
    moves = db.session.scalars(
        select(FilingRequest)
        .where(FilingRequest.previous_authority_code == user.authority_code,
               FilingRequest.decided_at >= dt.datetime.combine(since, dt.time()))
        .order_by(FilingRequest.decided_at.desc()).limit(MOVED_AWAY_SHOWN)).all()
    if not moves:
        return None
    pack = filings.current_pack()
    bureaus = {a.code: a.name for a in pack.authorities}
    cities = {c.code: c.name for c in pack.cities}
    items = [_("%(date)s %(name)s（%(number)s）经营场所迁至%(city)s，备案改由%(bureau)s管理",
               date=local_date(r.decided_at).isoformat(), name=r.name, number=r.filing_number or "",
               city=cities.get(r.city_code, r.city_code or ""), bureau=bureaus.get(r.firm.filing_authority_code, ""))
             for r in moves]
    return {"title": _("迁出本辖区的备案单位（近 %(days)d 天）", days=MOVED_AWAY_DAYS), "items": items, "link": None}

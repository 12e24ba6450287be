"""Scheduling the hearing a party asked for (听证, 行政处罚法 art. 64), so that its notice (听证通知书) can be
issued from the case.

Once the case is in the `hearing` state (the party's request recorded: `request_hearing` in
workflows/definitions/penalty_case.yaml), a clerk of the case's bureau records:
- the day and time: a Beijing wall clock, stored as a local date (`hearing_on`) and a local time
  (`hearing_time`), never converted to UTC; the notice is issued today (`hearing_notice_on`, Beijing date)
  and art. 64(2) asks it seven days before the hearing; art. 85 makes 七日 working days: the hearing may be
  held from the day after the seventh working day after today (a year the calendar does not know is refused);
- the place; the host (主持人), a member of the bureau's staff who is not an investigator of the case
  (art. 64(4): the case's editor_ids); public, unless it touches a state secret, a trade secret or personal
  privacy (art. 64(3)).
It may be changed while the case is in the hearing state (a new notice is then issued); every scheduling is
audited (penalty_case.hearing_scheduled). Holding it is recorded by the existing `submit_review` step (the
day it was held and the record's summary). Another bureau's case answers 404 (app.cases.service.for_user);
the provincial bureau sees the schedule but does not set it.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import DateField, HiddenField, SelectField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app import audit
from app.cases import bp
from app.cases import service as svc
from app.extensions import db
from app.models import PenaltyCase, User
from app.models.cases import HEARING_PRIVATE_REASONS
from app.security import CASE_STAFF, CLERKS, allow
from forms.validators import Stripped
from workflows import case_periods
from workflows.case_periods import CalendarNotCovered
from workflows.time_limits import china_today

REQUIRED = _l("请填写此项")
NOTICE_WORKING_DAYS = 7  # art. 64(2) 七日前, working days by art. 85


class HearingForm(FlaskForm):
    version = HiddenField()
    day = DateField(_l("听证日期"), validators=[DataRequired(REQUIRED)])
    time = TimeField(_l("听证开始时间（北京时间）"), validators=[DataRequired(REQUIRED)])
    place = StringField(_l("听证地点"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=300)])
    host = SelectField(_l("听证主持人"), coerce=int, validate_choice=False,
                       validators=[DataRequired(_l("请选择听证主持人"))])
    publicity = SelectField(_l("是否公开举行"), validate_choice=False)


def earliest_hearing_day(notice_on: dt.date) -> dt.date:
    """The first day a hearing noticed on `notice_on` may be held: the day after the seventh working day
    after the notice (art. 64(2) with art. 85). Raises CalendarNotCovered for a year the calendar lacks."""
    return case_periods.add_working_days(notice_on, NOTICE_WORKING_DAYS) + dt.timedelta(days=1)


def _hosts(case: PenaltyCase) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.authority_code == case.authority_code, User.role.in_(CASE_STAFF),
                           User.active.is_(True)).order_by(User.id)))


def _form(case: PenaltyCase, formdata=None) -> HearingForm:
    data = None
    if formdata is None and case.hearing_on:
        data = {"day": case.hearing_on, "time": case.hearing_time, "place": case.hearing_place,
                "host": case.hearing_host_id, "publicity": case.hearing_private_reason or "public"}
    form = HearingForm(formdata=formdata, data=data)
    investigators = set(case.editor_ids or [])
    form.host.choices = [SelectChoice(0, _("请选择"))] + [
        SelectChoice(u.id, (u.display_name or u.username) + (_("（本案调查人员）") if u.id in investigators else ""))
        for u in _hosts(case)]
    form.publicity.choices = [SelectChoice("public", _("公开举行"))] + [
        SelectChoice(k, _("不公开举行：%(reason)s", reason=_(v))) for k, v in HEARING_PRIVATE_REASONS.items()]
    for f in form:
        if f.name not in ("csrf_token", "version"):
            f.id = f.label.field_id = f"hearing-{f.name}"
    return form


@bp.app_template_global("case_hearing")
def case_hearing(case: PenaltyCase) -> dict:
    """What the case page shows of the hearing: the schedule once set, and the form to set it (the case's own
    clerks, while the case is in the hearing state)."""
    own = current_user.is_authenticated and current_user.authority_code == case.authority_code
    can_schedule = own and current_user.role in CLERKS and case.state == "hearing"
    today = china_today()
    try:
        earliest = earliest_hearing_day(today) if can_schedule else None
    except CalendarNotCovered:
        earliest = None
    return {
        "shown": case.state == "hearing" or case.hearing_on is not None,
        "can_schedule": can_schedule,
        "form": getattr(g, "hearing_form", None) or (_form(case) if can_schedule else None),
        "earliest": earliest,
        "host": svc.user_name(case.hearing_host_id),
        "private_reasons": HEARING_PRIVATE_REASONS,
    }


def _again(case_id: int, form: HearingForm | None, refusal: str | None = None, status: int = 422):
    from app.cases.routes import _render_detail

    db.session.rollback()
    g.hearing_form = form
    return _render_detail(_case_or_404(case_id), refusal=refusal, status=status)


def _case_or_404(case_id: int) -> PenaltyCase:
    found = svc.for_user(case_id, current_user)
    if found is None:
        abort(404)
    return found


def _check(case: PenaltyCase, form: HearingForm, today: dt.date) -> bool:
    """Field-level refusals (art. 64(2)-(4)); True when the schedule may be recorded."""
    try:
        earliest = earliest_hearing_day(today)
    except CalendarNotCovered as exc:
        form.day.errors = [*form.day.errors, exc.message]
        return False
    ok = True
    if form.day.data < earliest:
        form.day.errors = [*form.day.errors, _(
            "应当在举行听证的七日（工作日）前通知当事人：通知书今天（%(today)s）发出，听证最早于%(earliest)s举行"
            "（《行政处罚法》第六十四条第二项、第八十五条）", today=today.isoformat(), earliest=earliest.isoformat())]
        ok = False
    host = db.session.get(User, form.host.data) if form.host.data else None
    if host is None or host not in _hosts(case):
        form.host.errors = [*form.host.errors, _("请从本机关的工作人员中选择听证主持人")]
        ok = False
    elif host.id in (case.editor_ids or []):
        form.host.errors = [*form.host.errors, _(
            "听证由行政机关指定的非本案调查人员主持：%(name)s是本案的调查人员（《行政处罚法》第六十四条第四项）",
            name=host.display_name or host.username)]
        ok = False
    if form.publicity.data != "public" and form.publicity.data not in HEARING_PRIVATE_REASONS:
        form.publicity.errors = [*form.publicity.errors, _("请选择是否公开举行")]
        ok = False
    return ok


@bp.route("/<int:case_id>/hearing", methods=["POST"])
@allow(*CLERKS)
def schedule_hearing(case_id: int):
    case = _case_or_404(case_id)
    if case.authority_code != current_user.authority_code:
        abort(404)  # the provincial bureau supervises; only the case's own bureau schedules
    form = _form(case, formdata=request.form)
    if case.state != "hearing":
        return _again(case_id, None, _("当事人申请听证后（听证程序中）才能安排听证"), 409)
    if not form.validate() or not _check(case, form, china_today()):
        return _again(case_id, form)
    today = china_today()
    before = {"day": case.hearing_on.isoformat() if case.hearing_on else None,
              "time": case.hearing_time.strftime("%H:%M") if case.hearing_time else None,
              "place": case.hearing_place, "host_id": case.hearing_host_id}
    try:
        svc.claim(case, form.version.data)
    except StaleDataError:
        return _again(case_id, None, _("该案件已被他人办理，页面已过期，请查看最新情况后再办理。"), 409)
    case.hearing_on = form.day.data
    case.hearing_time = form.time.data.replace(second=0, microsecond=0)
    case.hearing_place = form.place.data
    case.hearing_host_id = form.host.data
    case.hearing_public = form.publicity.data == "public"
    case.hearing_private_reason = None if case.hearing_public else form.publicity.data
    case.hearing_notice_on = today
    audit.record("penalty_case.hearing_scheduled", case, actor=current_user, detail={
        "day": case.hearing_on.isoformat(), "time": case.hearing_time.strftime("%H:%M"), "timezone": "Asia/Shanghai",
        "place": case.hearing_place, "host_id": case.hearing_host_id, "public": case.hearing_public,
        "private_reason": case.hearing_private_reason, "notice_on": today.isoformat(),
        "before": before if before["day"] else None})
    db.session.commit()
    flash(_("已安排听证：%(day)s %(time)s，%(place)s。请下载并送达听证通知书。", day=case.hearing_on.isoformat(),
            time=case.hearing_time.strftime("%H:%M"), place=case.hearing_place), "success")
    return redirect(url_for("cases.detail", case_id=case_id))

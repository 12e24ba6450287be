"""The statistics dashboard: the annual workbook's figures as SVG charts with tables beside them."""

from __future__ import annotations

import calendar
import tempfile

from flask import abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.dashboard import bp
from app.security import STAFF, allow
from app.transfer.exports import annual_figures, write_annual_report
from app.transfer.roster_import import cities_of
from app.transfer.routes import XLSX, _attachment
from reports.charts import bar_chart, line_chart
from workflows.time_limits import china_today

YEARS_SHOWN = 10


def _year() -> int:
    this_year = china_today().year
    raw = request.args.get("year", "")
    if not raw:
        return this_year
    if not raw.isdigit() or not this_year - 50 <= int(raw) <= this_year:
        abort(404)
    return int(raw)


def _rows(frame, *, drop_total: bool = False):
    frame = frame.drop(index="合计", errors="ignore") if drop_total else frame
    return [(label, list(values)) for label, values in frame.iterrows()]


def _scope() -> tuple[set[str] | None, str]:
    """The cities whose figures this person sees, and the city picked (provincial clerks and admins).

    A city clerk sees their own bureau's cities only, whatever the address says; the others see the whole
    jurisdiction, or one city of it with ?city=CODE (a code the pack does not name is 404)."""
    pack = current_app.extensions["jifang.pack"]
    own = cities_of(current_user, pack)
    if own is not None:
        return own, ""
    picked = request.args.get("city", "")
    if not picked:
        return None, ""
    if picked not in {c.code for c in pack.cities}:
        abort(404)
    return {picked}, picked


@bp.route("/")
@allow(*STAFF)
def index():
    year = _year()
    cities, picked = _scope()
    f = annual_figures(year, cities)
    this_year = china_today().year
    pack = current_app.extensions["jifang.pack"]
    city_choices = [] if cities_of(current_user, pack) is not None else [(c.code, c.name) for c in pack.cities]
    common = dict(year=year, f=f, rows=_rows, picked=picked, city_choices=city_choices,
                  years=range(this_year, this_year - YEARS_SHOWN, -1))
    if not f.has_data:
        return render_template("dashboard/index.html", charts=None, **common)
    from reports.annual import FIRMS_ROW  # pandas, imported when a page needs it (not by every command)

    months = [m.replace("月", "") for m in f.monthly.index[:12]]
    # The axis draws 1…12; the description a screen reader speaks names the month (1月 / Jan).
    month_names = ([calendar.month_abbr[int(m)] for m in months] if str(get_locale()).startswith("en")
                   else [f"{m}月" for m in months])
    firms = f.by_type_city.drop(columns="合计").loc[FIRMS_ROW]
    cases = f.cases.drop(index="合计")["合计"]
    fines = f.fines.drop(index="合计")
    # Titles and series in the page's language; the figures' own labels are the workbook's (Chinese),
    # translated for display where the glossary knows them (_ returns any other label, a city, as it is).
    language = "en" if str(get_locale()).startswith("en") else "zh"
    charts = {
        "monthly": line_chart(_("%(year)s年每月新备案、变更与注销", year=year), months,
                              {_(c): list(f.monthly[c].iloc[:12]) for c in f.monthly.columns}, language=language,
                              spoken=month_names),
        "cities": bar_chart(_("%(year)s年末各市在册备案单位", year=year), list(firms.index),
                            {_("在册单位"): list(firms)}, language=language),
        "complaints": bar_chart(_("%(year)s年投诉处理结果", year=year), [_(o) for o in f.complaints.index[:-1]],
                                {_("件数"): list(f.complaints["件数"].iloc[:-1])}, language=language),
        "warnings": bar_chart(_("%(year)s年每月警示发布与撤销", year=year), months,
                              {_(c): list(f.warnings[c].iloc[:12]) for c in f.warnings.columns}, language=language,
                              spoken=month_names),
        "cases": bar_chart(_("%(year)s年各条款处罚案件", year=year), list(cases.index), {_("案件"): list(cases)},
                           language=language),
        "fines": bar_chart(_("%(year)s年各条款罚款（元）", year=year), list(fines.index),
                           {_(c): list(fines[c]) for c in ("决定罚款（元）", "已收缴（元）", "未缴（元）")},
                           language=language, integer=False),
    }
    return render_template("dashboard/index.html", charts=charts, **common)


@bp.route("/annual-<int:year>.xlsx")
@allow(*STAFF)
def annual(year: int):
    this_year = china_today().year
    if not this_year - 50 <= year <= this_year:
        abort(404)
    cities, picked = _scope()
    raw = tempfile.TemporaryFile()
    figures = write_annual_report(raw, year, cities)
    raw.seek(0, 2)
    suffix = f"-{figures.scope}" if figures.scope else ""
    return _attachment(raw, XLSX, f"技防管理年度统计-{year}{suffix}.xlsx",
                       f"jifang-annual-{year}{'-' + picked if picked else ''}.xlsx")

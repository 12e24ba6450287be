"""The annual statistics workbook (Shanxi art. 23 asks for a yearly public report on supervision).

Every figure is aggregated in SQL (GROUP BY over the year's rows; nothing is loaded row by row), pandas
shapes the small results into tables (pivots, totals), and xlsxwriter writes them with native Excel charts.
No Flask here: ``collect`` takes a SQLAlchemy connection and plain jurisdiction data, so the CLI, the
dashboard, the tests and benchmarks/bench_annual.py all call it alike. The dashboard draws the same
``Figures`` as SVG (reports/charts.py).

What "in the year" means for each count is stated beside its query: firms on the roster at the year's end,
filings made in the year (filed_on), complaints received in the year, warnings issued or lifted in the
year, and penalty cases by the date of their decision (or, for a case not yet decided, of the act).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

import pandas as pd
import xlsxwriter
from sqlalchemy import Integer, and_, column, extract, func, inspect, literal_column, or_, select, table, true

from reports.charts import axis_scale
from reports.money import fen_to_yuan_figure
from workflows.time_limits import CHINA_TZ, format_beijing

MONTHS = [f"{m}月" for m in range(1, 13)]
FIRMS_ROW = "在册单位（家）"
"""The business type × city table's last row: firms per city, each once whatever its business types."""
TOTAL_ROWS = ("合计", FIRMS_ROW)
COMPLAINT_OUTCOMES = {"pending": "办理中", "substantiated": "查证属实", "unsubstantiated": "查证不属实",
                      "refused": "不予受理"}
CASE_OUTCOMES = {"pending": "待决定", "fined": "罚款", "warning_only": "警告", "no_penalty": "不予处罚",
                 "withdrawn": "撤销立案"}

_firm = table("firm", column("id"), column("city_code"), column("is_local"), column("filing_number"),
              column("filed_on"), column("filing_status"), column("updated_at"))
_types = table("firm_business_type", column("firm_id"), column("type_code"))
_complaint = table("complaint", column("received_on"), column("outcome"), column("firm_id"))
_warning = table("warning", column("issued_on"), column("lifted_on"), column("firm_id"))
_case = table("penalty_case", column("firm_id"), column("provision_code"), column("outcome"), column("decided_on"),
              column("act_date"), column("fine_decided_fen"), column("fine_collected_fen"), column("surcharge_fen"),
              column("authority_code"))
_request = table("filing_request", column("firm_id"), column("kind"), column("state"), column("decided_at"))


@dataclass(frozen=True)
class Jurisdiction:
    """The plain data the workbook needs from the jurisdiction's packs (names in the pack's order)."""

    name: str
    cities: Mapping[str, str]  # code -> name
    business_types: Mapping[str, str]  # code -> name
    provisions: Mapping[str, str]  # code -> label, e.g. 第三十五条

    @classmethod
    def from_packs(cls, pack, penalty_pack=None) -> Jurisdiction:
        provisions = {}
        if penalty_pack is not None:
            provisions = {p.code: p.reference.label() for p in penalty_pack.provisions}
        return cls(pack.name, {c.code: c.name for c in pack.cities},
                   {b.code: b.name for b in pack.filing.business_types}, provisions)


@dataclass
class Figures:
    year: int
    jurisdiction: Jurisdiction
    generated_at: dt.datetime
    scope: str = ""  # "" for the whole jurisdiction, else the cities' names ("沈阳市")
    totals: dict[str, int | Decimal] = field(default_factory=dict)  # money (元) as Decimal
    by_type_city: pd.DataFrame = field(default_factory=pd.DataFrame)  # rows business types, columns cities
    locality: pd.DataFrame = field(default_factory=pd.DataFrame)  # 在册 / 本年新备案 × 省内 / 省外
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # months × 新备案, 变更, 注销
    changes_source: str = ""
    complaints: pd.DataFrame = field(default_factory=pd.DataFrame)  # outcome -> count
    warnings: pd.DataFrame = field(default_factory=pd.DataFrame)  # months × 发布, 撤销
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)  # provisions × outcomes
    fines_fen: pd.DataFrame = field(default_factory=pd.DataFrame)  # provisions × decided/surcharge/collected/unpaid
    fines: pd.DataFrame = field(default_factory=pd.DataFrame)  # the same in yuan (Decimal), made from fines_fen at the end

    @property
    def has_data(self) -> bool:
        """Anything at all to report for the year (a firm on the roster, a filing, a complaint, a case...)."""
        return any(self.totals.values())

    @property
    def title(self) -> str:
        return f"{self.jurisdiction.name}{self.scope}技防管理年度统计（{self.year}年）"


def _year_range(year: int):
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _in_year(col, year: int):
    start, end = _year_range(year)
    return and_(col >= start, col < end)


def _monthly(conn, date_col, where) -> pd.Series:
    month = extract("month", date_col).label("m")
    rows = conn.execute(select(month, func.count()).where(where).group_by(month)).all()
    series = pd.Series(0, index=range(1, 13), dtype="int64")
    for m, n in rows:
        series[int(m)] = n
    return series


def _utc_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The Beijing year as the naive UTC moments the tables store: 1 January 00:00 CST is 16:00 UTC the day before."""
    shift = dt.timedelta(hours=8)
    return dt.datetime(year, 1, 1) - shift, dt.datetime(year + 1, 1, 1) - shift


def _monthly_moments(conn, moment_col, where) -> pd.Series:
    """Like _monthly for a stored moment (naive UTC): counted in the Beijing month it happened in, so a change
    decided at 01:30 on 1 December Beijing time (17:30 UTC on 30 November) counts in December."""
    if conn.dialect.name == "sqlite":
        month = func.cast(func.strftime("%m", moment_col, "+8 hours"), Integer).label("m")
    else:
        month = extract("month", moment_col + literal_column("interval '8 hours'")).label("m")
    rows = conn.execute(select(month, func.count()).where(where).group_by(month)).all()
    series = pd.Series(0, index=range(1, 13), dtype="int64")
    for m, n in rows:
        series[int(m)] = n
    return series


def _numeric(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """SUM() gives Decimal on PostgreSQL and an empty result gives object columns: make them int64."""
    for name in columns:
        frame[name] = pd.to_numeric(frame[name]).fillna(0).astype("int64")
    return frame


def collect(conn, year: int, jurisdiction: Jurisdiction, *, now: dt.datetime | None = None,
            cities: set[str] | None = None) -> Figures:
    """Run the year's GROUP BY queries and shape them; a dozen statements whatever the table sizes.

    ``cities`` (GB/T 2260 codes) narrows every figure to those cities' firms — a city clerk's own bureau:
    complaints, warnings, cases and filing requests count where their firm is; one linked to no firm (a
    person, a party not on the roster) belongs to no city and counts only for the whole jurisdiction."""
    scope = ""
    if cities is not None:
        names = {c: n for c, n in jurisdiction.cities.items() if c in cities}
        scope = "、".join(names.values())
        jurisdiction = Jurisdiction(jurisdiction.name, names, jurisdiction.business_types, jurisdiction.provisions)
    figures = Figures(year=year, jurisdiction=jurisdiction, generated_at=now or dt.datetime.now(CHINA_TZ),
                      scope=scope)
    start, end = _year_range(year)
    tables = set(inspect(conn).get_table_names())
    in_scope = true() if cities is None else _firm.c.city_code.in_(sorted(cities))

    def of_scope(firm_id_col):
        return true() if cities is None else firm_id_col.in_(select(_firm.c.id).where(in_scope))

    # On the roster at the year's end: filed before it and in force (a cancelled filing carries no date of
    # cancellation on the firm, so it leaves the count from the moment it is cancelled).
    on_roster = and_(_firm.c.filing_number.is_not(None), _firm.c.filing_status == "in_force", _firm.c.filed_on < end,
                     in_scope)
    filed_in_year = and_(_firm.c.filing_number.is_not(None), _in_year(_firm.c.filed_on, year), in_scope)

    pairs = conn.execute(
        select(_types.c.type_code, _firm.c.city_code, func.count())
        .select_from(_firm.join(_types, _types.c.firm_id == _firm.c.id)).where(on_roster)
        .group_by(_types.c.type_code, _firm.c.city_code)).all()
    frame = _numeric(pd.DataFrame(pairs, columns=["type", "city", "n"]), "n")
    pivot = frame.pivot_table(index="type", columns="city", values="n", aggfunc="sum", fill_value=0)
    pivot = pivot.reindex(index=list(jurisdiction.business_types), columns=list(jurisdiction.cities), fill_value=0)
    pivot.index = [jurisdiction.business_types[c] for c in pivot.index]
    pivot.columns = [jurisdiction.cities[c] for c in pivot.columns]
    firms = dict(conn.execute(select(_firm.c.city_code, func.count()).where(on_roster)
                              .group_by(_firm.c.city_code)).all())
    pivot["合计"] = pivot.sum(axis=1)
    # The last row counts firms, not firm × business type pairs: it is the key figure 年末在册备案单位 (its
    # 合计 column), where a column sum would count a firm with two business types twice.
    pivot.loc[FIRMS_ROW] = [int(firms.get(c, 0)) for c in jurisdiction.cities] + [0]
    pivot.loc[FIRMS_ROW, "合计"] = int(sum(firms.values()))  # with any firm whose city the pack does not name
    figures.by_type_city = pivot.astype("int64")

    locality = pd.DataFrame(0, index=["年末在册", "本年新备案"], columns=["省内单位", "省外单位"], dtype="int64")
    for label, where in (("年末在册", on_roster), ("本年新备案", filed_in_year)):
        for is_local, n in conn.execute(select(_firm.c.is_local, func.count()).where(where).group_by(_firm.c.is_local)):
            locality.loc[label, "省内单位" if is_local else "省外单位"] = n
    locality["合计"] = locality.sum(axis=1)
    figures.locality = locality

    monthly = pd.DataFrame({"新备案": _monthly(conn, _firm.c.filed_on, filed_in_year)})
    if "filing_request" in tables:
        first, after = _utc_bounds(year)
        decided = and_(_request.c.decided_at >= first, _request.c.decided_at < after, of_scope(_request.c.firm_id))
        monthly["变更"] = _monthly_moments(conn, _request.c.decided_at,
                                           and_(decided, _request.c.kind == "change", _request.c.state == "changed"))
        monthly["注销"] = _monthly_moments(conn, _request.c.decided_at, and_(
            decided, _request.c.kind == "cancellation", _request.c.state == "cancelled"))
        figures.changes_source = "变更、注销按备案变更、注销申请的办结日期统计。"
    else:
        monthly["变更"] = 0
        first, after = _utc_bounds(year)
        monthly["注销"] = _monthly_moments(conn, _firm.c.updated_at, and_(
            _firm.c.filing_status == "cancelled", _firm.c.updated_at >= first, _firm.c.updated_at < after, in_scope))
        figures.changes_source = "本系统未启用备案变更申请；注销按单位记录最后更新日期估计。"
    monthly.index = MONTHS
    monthly.loc["合计"] = monthly.sum(axis=0)
    figures.monthly = monthly.astype("int64")

    counts = dict(conn.execute(select(_complaint.c.outcome, func.count())
                               .where(_in_year(_complaint.c.received_on, year), of_scope(_complaint.c.firm_id))
                               .group_by(_complaint.c.outcome)).all())
    complaints = pd.DataFrame({"件数": [counts.get(k, 0) for k in COMPLAINT_OUTCOMES]},
                              index=list(COMPLAINT_OUTCOMES.values()))
    complaints.loc["合计"] = complaints.sum()
    figures.complaints = complaints.astype("int64")

    warning_scope = of_scope(_warning.c.firm_id)
    warnings = pd.DataFrame({
        "发布": _monthly(conn, _warning.c.issued_on, and_(_in_year(_warning.c.issued_on, year), warning_scope)),
        "撤销": _monthly(conn, _warning.c.lifted_on, and_(_in_year(_warning.c.lifted_on, year), warning_scope))})
    warnings.index = MONTHS
    warnings.loc["合计"] = warnings.sum(axis=0)
    figures.warnings = warnings.astype("int64")
    in_force = conn.execute(select(func.count()).select_from(_warning).where(
        _warning.c.issued_on < end, or_(_warning.c.lifted_on.is_(None), _warning.c.lifted_on >= end),
        warning_scope)).scalar()

    case_day = func.coalesce(_case.c.decided_on, _case.c.act_date)
    case_bureau = true() if cities is None else _case.c.authority_code.in_(sorted(cities))
    rows = conn.execute(
        select(_case.c.provision_code, _case.c.outcome, func.count(), func.sum(_case.c.fine_decided_fen),
               func.sum(_case.c.fine_collected_fen), func.sum(_case.c.surcharge_fen))
        # A case a city bureau ran in the system counts for that city even against a party not on the roster.
        .where(_in_year(case_day, year), or_(of_scope(_case.c.firm_id), case_bureau))
        .group_by(_case.c.provision_code, _case.c.outcome)).all()
    frame = _numeric(pd.DataFrame(rows, columns=["provision", "outcome", "n", "decided", "collected", "surcharge"]),
                     "n", "decided", "collected", "surcharge")
    order = list(jurisdiction.provisions) + sorted(set(frame["provision"]) - set(jurisdiction.provisions))
    labels = [jurisdiction.provisions.get(c, c) for c in order]
    cases = frame.pivot_table(index="provision", columns="outcome", values="n", aggfunc="sum", fill_value=0)
    cases = cases.reindex(index=order, columns=list(CASE_OUTCOMES), fill_value=0)
    cases.index, cases.columns = labels, list(CASE_OUTCOMES.values())
    cases["合计"] = cases.sum(axis=1)
    cases.loc["合计"] = cases.sum(axis=0)
    figures.cases = cases.astype("int64")

    money = frame.groupby("provision")[["decided", "collected", "surcharge"]].sum().reindex(order, fill_value=0)
    money = money.astype("int64")
    fen = pd.DataFrame({
        "决定罚款（元）": money["decided"],
        "加处罚款（元）": money["surcharge"],
        "已收缴（元）": money["collected"],
        "未缴（元）": (money["decided"] + money["surcharge"] - money["collected"]).clip(lower=0),
    })
    fen.index = labels
    fen.loc["合计"] = fen.sum(axis=0)  # summed in integer fen, exactly
    figures.fines_fen = fen.astype("int64")
    # Yuan for the sheet, the charts and the page, exact (Decimal); the last step, after all the adding up
    # was done in fen.
    figures.fines = figures.fines_fen.map(fen_to_yuan_figure)

    roster_total = int(figures.by_type_city.loc[FIRMS_ROW, "合计"])
    figures.totals = {
        "年末在册备案单位": int(roster_total),
        "本年新备案": int(figures.monthly.loc["合计", "新备案"]),
        "本年备案变更": int(figures.monthly.loc["合计", "变更"]),
        "本年备案注销": int(figures.monthly.loc["合计", "注销"]),
        "本年受理投诉": int(figures.complaints.loc["合计", "件数"]),
        "本年发布警示": int(figures.warnings.loc["合计", "发布"]),
        "年末警示中": int(in_force),
        "本年处罚案件": int(figures.cases.loc["合计", "合计"]),
        "决定罚款（元）": fen_to_yuan_figure(fen.loc["合计", "决定罚款（元）"]),
        "已收缴罚款（元）": fen_to_yuan_figure(fen.loc["合计", "已收缴（元）"]),
        "未缴罚款（元）": fen_to_yuan_figure(fen.loc["合计", "未缴（元）"]),
    }
    return figures


# ---- the workbook -------------------------------------------------------------------------------------
SHEETS = ("封面", "业务类型×城市", "省内省外", "月度新备案", "变更与注销", "投诉", "警示", "处罚案件", "罚没款")


class _Writer:
    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.head = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1, "text_wrap": True})
        self.cell = book.add_format({"border": 1})
        self.money = book.add_format({"border": 1, "num_format": "#,##0.00"})
        self.total = book.add_format({"border": 1, "bold": True, "top": 2})
        self.total_money = book.add_format({"border": 1, "bold": True, "top": 2, "num_format": "#,##0.00"})

    def table(self, sheet, title: str, df: pd.DataFrame, *, first_header: str, note: str = "",
              money: bool = False, top: int = 0) -> tuple[int, int]:
        """Write a titled table; returns (first data row, last data row) excluding a 合计 row."""
        sheet.write_string(top, 0, title, self.title)
        row = top + 1
        if note:
            sheet.write_string(row, 0, note)
            row += 1
        sheet.write_string(row, 0, first_header, self.head)
        for c, name in enumerate(df.columns, start=1):
            sheet.write_string(row, c, str(name), self.head)
        first = row + 1
        for r, (label, values) in enumerate(df.iterrows(), start=first):
            is_total = label in TOTAL_ROWS
            sheet.write_string(r, 0, str(label), self.total if is_total else self.cell)
            for c, value in enumerate(values, start=1):
                fmt = (self.total_money if money else self.total) if is_total else (self.money if money else self.cell)
                sheet.write_number(r, c, float(value) if money else int(value), fmt)
        last = first + len(df) - 1 - (1 if len(df) and df.index[-1] in TOTAL_ROWS else 0)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, len(df.columns), 12)
        sheet.freeze_panes(row + 1, 1)
        sheet.repeat_rows(row)  # the column headings again at the top of every printed page
        return first, last

    def chart(self, sheet, kind: str, title: str, name: str, first: int, last: int, series_cols, *,
              at: str, peak: float, subtype: str | None = None, y_title: str = "", size=(720, 360),
              integer: bool = True) -> None:
        """A native chart of the table's rows; ``peak`` is the tallest bar (a stacked bar's sum), so a count
        chart's value axis steps in whole numbers (1, 2, 5 × 10^n, as the dashboard's)."""
        options = {"type": kind} | ({"subtype": subtype} if subtype else {})
        chart = self.book.add_chart(options)
        header_row = first - 1
        for col in series_cols:
            series = {"name": [name, header_row, col], "categories": [name, first, 0, last, 0],
                      "values": [name, first, col, last, col]}
            chart.add_series(series)
        chart.set_title({"name": title, "name_font": {"size": 12}})
        font = {"size": 10}  # 10 pt: 13 px as printed at 100 %
        values = {"name": y_title, "major_gridlines": {"visible": True}, "min": 0, "num_font": font,
                  "name_font": font}
        if integer:
            top, steps = axis_scale(peak, True)
            values |= {"max": top, "major_unit": top // steps, "num_format": "0"}
        categories = {"num_font": font}
        if kind == "bar":  # a horizontal bar chart's value axis is its x axis
            chart.set_x_axis(values)
            chart.set_y_axis(categories | {"reverse": True})
        else:
            chart.set_y_axis(values)
            chart.set_x_axis(categories)
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_size({"width": size[0], "height": size[1]})
        sheet.insert_chart(at, chart, {"object_position": 1})


def _print_layout(sheet, title: str, *, landscape: bool = True, rows: int = 0) -> None:
    """Print the sheet as a page of the report: A4, fit to one page wide (and one page tall when the table
    is short enough to stay legible, so its chart prints on the same page), the report's title in the
    header and 第 n 页，共 m 页 in the footer; the table's heading row repeats (set by _Writer.table)."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 1 if rows <= ONE_PAGE_ROWS else 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
    sheet.set_header(f"&C&12{title.replace('&', '&&')}", {"margin": 0.3})
    sheet.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})


ONE_PAGE_ROWS = 40
"""A table of up to this many rows is printed with its chart on one page; a longer one runs on, one page
wide, its chart beside its first rows."""


def _peak(df: pd.DataFrame, columns, *, stacked: bool = False) -> float:
    body = df.drop(index=[r for r in TOTAL_ROWS if r in df.index])[list(columns)]
    if body.empty:
        return 0
    return float(body.sum(axis=1).max() if stacked else body.max().max())


def write_annual(target: str | os.PathLike | IO[bytes], figures: Figures) -> None:
    book = xlsxwriter.Workbook(target if not isinstance(target, os.PathLike) else os.fspath(target),
                               {"strings_to_formulas": False, "strings_to_urls": False})
    w = _Writer(book)
    j, year = figures.jurisdiction, figures.year
    title = figures.title

    cover = book.add_worksheet(SHEETS[0])
    _print_layout(cover, title, landscape=False)
    cover.set_column(0, 0, 26)
    cover.set_column(1, 1, 40)
    cover.write_string(0, 0, title, w.title)
    facts = [("辖区", j.name + (f"（{figures.scope}）" if figures.scope else "")), ("统计年度", f"{year}年"),
             ("生成时间", format_beijing(figures.generated_at, label=True)), ("统计口径", figures.changes_source)]
    if not figures.has_data:
        facts.append(("说明", "本年度没有统计数据：没有在册备案单位，也没有备案、投诉、警示或处罚案件的记录。"))
    for r, (label, value) in enumerate(facts, start=2):
        cover.write_string(r, 0, label, w.head)
        cover.write_string(r, 1, value, w.cell)
    r = len(facts) + 3
    cover.write_string(r, 0, "主要数据", w.title)
    for i, (label, value) in enumerate(figures.totals.items(), start=r + 1):
        cover.write_string(i, 0, label, w.head)
        if isinstance(value, Decimal):  # money (reports/money.py), a number in the sheet as in reports/export.py
            cover.write_number(i, 1, float(value), w.money)
        else:
            cover.write_number(i, 1, value, w.cell)

    def sheet_for(name: str, df: pd.DataFrame):
        sheet = book.add_worksheet(name)
        _print_layout(sheet, f"{title}　{name}", rows=len(df))
        return sheet

    name = SHEETS[1]
    sheet = sheet_for(name, figures.by_type_city)
    first, last = w.table(sheet, f"{year}年末在册备案单位：业务类型×所在市", figures.by_type_city, first_header="业务类型",
                          note=f"一家单位有几种业务类型即在几行计数；末行“{FIRMS_ROW}”每家单位只计一次，与封面的年末在册备案单位一致。")
    cities = range(1, len(figures.by_type_city.columns))
    w.chart(sheet, "column", "各市在册备案单位（按业务类型）", name, first, last, cities,
            at=f"B{last + 5}", subtype="stacked", y_title="家", size=(900, 400),
            peak=_peak(figures.by_type_city, figures.by_type_city.columns[:-1], stacked=True))

    name = SHEETS[2]
    sheet = sheet_for(name, figures.locality)
    first, last = w.table(sheet, "省内与省外单位", figures.locality, first_header="")
    _pie_by_row(w, sheet, name, first, at=f"B{last + 4}")

    name = SHEETS[3]
    monthly = figures.monthly[["新备案"]]
    sheet = sheet_for(name, monthly)
    first, last = w.table(sheet, f"{year}年每月新备案", monthly, first_header="月份")
    w.chart(sheet, "column", f"{year}年每月新备案", name, first, last, [1], at="D2", y_title="家",
            peak=_peak(monthly, ["新备案"]))

    name = SHEETS[4]
    changes = figures.monthly[["变更", "注销"]]
    sheet = sheet_for(name, changes)
    first, last = w.table(sheet, f"{year}年备案变更与注销", changes, first_header="月份",
                          note=figures.changes_source)
    w.chart(sheet, "line", "每月变更与注销", name, first, last, [1, 2], at="E2", y_title="件",
            peak=_peak(changes, ["变更", "注销"]))

    name = SHEETS[5]
    sheet = sheet_for(name, figures.complaints)
    first, last = w.table(sheet, f"{year}年受理投诉（按处理结果）", figures.complaints, first_header="处理结果")
    w.chart(sheet, "column", "投诉处理结果", name, first, last, [1], at="D2", y_title="件",
            peak=_peak(figures.complaints, ["件数"]))

    name = SHEETS[6]
    sheet = sheet_for(name, figures.warnings)
    first, last = w.table(sheet, f"{year}年警示公告发布与撤销", figures.warnings, first_header="月份",
                          note=f"年末仍在警示中：{figures.totals['年末警示中']} 家")
    w.chart(sheet, "column", "每月发布与撤销的警示", name, first, last, [1, 2], at="E2", y_title="件",
            peak=_peak(figures.warnings, ["发布", "撤销"]))

    name = SHEETS[7]
    sheet = sheet_for(name, figures.cases)
    first, last = w.table(sheet, f"{year}年处罚案件：违法条款×处理结果", figures.cases, first_header="违法条款",
                          note="按决定日期计入年度；尚未决定的案件按违法行为日期计入。")
    outcomes = len(figures.cases.columns) - 1
    long_table = len(figures.cases) > ONE_PAGE_ROWS
    w.chart(sheet, "bar", "各条款案件数（按处理结果）", name, first, last, range(1, outcomes + 1),
            at="J2" if long_table else f"B{last + 5}", subtype="stacked", y_title="件", size=(800, 400),
            peak=_peak(figures.cases, figures.cases.columns[:-1], stacked=True))

    name = SHEETS[8]
    sheet = sheet_for(name, figures.fines)
    first, last = w.table(sheet, f"{year}年罚没款（元）", figures.fines, first_header="违法条款", money=True,
                          note="未缴 = 决定罚款 + 加处罚款 − 已收缴（《行政处罚法》第七十二条：加处罚款不超过罚款数额）。")
    w.chart(sheet, "column", "各条款罚款：决定、收缴与未缴", name, first, last, [1, 3, 4],
            at="G2" if len(figures.fines) > ONE_PAGE_ROWS else f"B{last + 5}", y_title="元", size=(800, 400),
            peak=0, integer=False)
    book.close()


def _pie_by_row(w: _Writer, sheet, name: str, row: int, *, at: str) -> None:
    """A pie needs its slices in one row: categories from the header row, values from ``row``."""
    chart = w.book.add_chart({"type": "pie"})
    chart.add_series({"name": [name, row, 0], "categories": [name, row - 1, 1, row - 1, 2],
                      "values": [name, row, 1, row, 2], "data_labels": {"percentage": True, "category": True}})
    chart.set_title({"name": "年末在册：省内与省外"})
    chart.set_size({"width": 480, "height": 320})
    sheet.insert_chart(at, chart)


def write_annual_for(target, conn, year: int, jurisdiction: Jurisdiction, *, now=None, cities=None) -> Figures:
    figures = collect(conn, year, jurisdiction, now=now, cities=cities)
    write_annual(target, figures)
    return figures


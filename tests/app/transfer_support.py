"""Helpers for the import/export tests: roster workbooks built with the export writer, firm rows."""

from __future__ import annotations

import datetime as dt

from app.demo import credit_code
from reports.export import ROSTER_HEADERS, write_csv, write_xlsx


def code(n: int, division: str = "210100") -> str:
    return credit_code(division, f"MA0T{n:05d}")


def roster_row(n: int, *, name=None, city="沈阳市", types="设计、安装", number=True, **over) -> list:
    row = {
        "单位名称": name or f"沈阳第{n}安防科技有限公司",
        "统一社会信用代码": code(n),
        "法定代表人": "张三",
        "注册地址": f"沈阳市和平区{n}号",
        "经营场所地址": f"沈阳市沈河区{n}号",
        "所在市": city,
        "业务类型": types,
        "联系人": "李四",
        "联系电话": "13800000000",
        "备案编号": f"辽公技备2024{n:04d}" if number else "",
        "备案日期": dt.date(2024, 3, 1) + dt.timedelta(days=n) if number else None,
    }
    row.update(over)
    return [row[h] for h in ROSTER_HEADERS]


def roster_file(path, rows, *, title: str | None = None):
    """An .xlsx (or .csv by extension) in the template's columns; ``title`` adds a title row above."""
    path = str(path)
    if path.endswith(".csv"):
        write_csv(path, ROSTER_HEADERS, rows)
        return path
    if title:
        import xlsxwriter

        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet()
        sheet.write(0, 0, title)
        sheet.write_row(1, 0, ROSTER_HEADERS)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()))
                elif value not in (None, ""):
                    sheet.write_string(r, c, str(value))
        book.close()
        return path
    write_xlsx(path, ROSTER_HEADERS, rows)
    return path

"""The error report workbook: the refused rows as the user wrote them, each refused cell marked.

The user fixes the rows in this workbook and imports it again, so it keeps the file's own header (below a
原行号 column giving the row number in the original file) and the values as read; each refused cell is
filled pink and carries a comment with the reason, and a last column 错误原因 lists every reason of the row.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import IO

from imports.filing_rows import RowError
from imports.headers import HeaderMatcher
from imports.workbook import Cell, open_sheet
from reports.export import FORMULA_TRIGGERS

ROW_NUMBER_HEADER = "原行号"
REASON_HEADER = "错误原因"
REFUSED_FILL = "#FFC7CE"
REFUSED_FONT = "#9C0006"


def write_error_report(target: str | os.PathLike | IO[bytes], header_values: Sequence[Cell],
                       rows: Iterable[tuple[int, list[Cell]]], errors: Sequence[RowError], *,
                       only_refused: bool = True) -> int:
    """Write the report; ``rows`` is the sheet read again (e.g. ``open_sheet(path).rows()``) and
    ``header_values`` the header row as written. Returns the number of rows written.

    Rows before the header and, by default, rows that passed are left out.
    """
    by_row: dict[int, list[RowError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    import xlsxwriter  # here, not at start-up: every command loads this module, few write a report

    book = xlsxwriter.Workbook(
        target if not isinstance(target, os.PathLike) else os.fspath(target),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("错误报告")
    bold = book.add_format({"bold": True})
    refused = book.add_format({"bg_color": REFUSED_FILL, "font_color": REFUSED_FONT})
    refused_date = book.add_format({"bg_color": REFUSED_FILL, "font_color": REFUSED_FONT, "num_format": "yyyy-mm-dd"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "font_color": REFUSED_FONT})
    width = len(header_values)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, width, 18)
    sheet.set_column(width + 1, width + 1, 60)
    sheet.write_string(0, 0, ROW_NUMBER_HEADER, bold)
    for col, title in enumerate(header_values, start=1):
        sheet.write(0, col, title if title != "" else None, bold)
    sheet.write_string(0, width + 1, REASON_HEADER, bold)
    sheet.freeze_panes(1, 1)
    out = 0
    for number, values in rows:
        row_errors = by_row.get(number)
        if row_errors is None and (only_refused or number <= 0):
            continue
        out += 1
        sheet.write_number(out, 0, number)
        marked = {e.position: e.reason for e in row_errors or () if e.position is not None}
        for col, value in enumerate(values[:width]):
            reason = marked.get(col)
            _write_value(sheet, out, col + 1, value, refused if reason else None,
                         refused_date if reason else date)
            if reason:
                sheet.write_comment(out, col + 1, reason, {"x_scale": 2, "y_scale": 1.2})
        for col, reason in marked.items():
            if col >= len(values):  # the row was shorter than the header: mark the empty cell
                sheet.write_blank(out, col + 1, None, refused)
                sheet.write_comment(out, col + 1, reason, {"x_scale": 2, "y_scale": 1.2})
        if row_errors:
            sheet.write_string(out, width + 1, "；".join(e.reason for e in row_errors), wrap)
    book.close()
    return out


def _write_value(sheet, row: int, col: int, value: Cell, fmt, date_fmt) -> None:
    if value.__class__ is str:
        if value:
            sheet.write_string(row, col, "'" + value if value[0] in FORMULA_TRIGGERS else value, fmt)
        elif fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, dt.date | dt.datetime):
        sheet.write_datetime(row, col, value, date_fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def write_error_report_for_file(target: str | os.PathLike | IO[bytes], source: str | os.PathLike,
                                errors: Sequence[RowError], *, filename: str | None = None) -> int:
    """Read the uploaded file again (it was streamed once already) and write its error report."""
    header, rows = HeaderMatcher().find(open_sheet(source, filename).rows())
    return write_error_report(target, header.values, rows, errors)

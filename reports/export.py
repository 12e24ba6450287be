"""Streaming exports to XLSX and CSV from any iterable of row tuples.

Rows are written as they arrive (xlsxwriter's constant_memory mode, csv.writer), so an export of the whole
roster streams from the database query without holding it. Text that a spreadsheet would read as a formula
— starting with =, +, -, @, a tab or a carriage return (OWASP "CSV injection") — is written with a single
quote in front. The quote is the choice OWASP recommends: it is visible, so nothing is silently changed,
and Excel shows the rest of the text as typed. The importer takes the quote off again before =, +, - or @
(``imports.filing_rows.clean_text``), so an exported roster imports back unchanged. Numbers, dates and
booleans are written as such and never quoted (a Decimal, money from reports.money, is a number too); dates
are real Excel dates. A datetime is a stored moment (naive means UTC) and is written as Beijing time
(workflows.time_limits.format_beijing); a column holding one says 北京时间 in its header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import IO

from reports.columns import FILING_COLUMNS, headers
from workflows.time_limits import beijing_time, format_beijing

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet evaluate or reinterpret a text cell."""
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
ROSTER_HEADERS: tuple[str, ...] = headers(FILING_COLUMNS)
"""The roster export's columns: exactly the filing import's canonical columns, in the same order."""
ROSTER_WIDTHS = (36, 22, 12, 40, 40, 10, 24, 10, 16, 30, 12)


def neutralise(text: str) -> str:
    """Put a single quote before text a spreadsheet would take for a formula."""
    return "'" + text if text[:1] in FORMULA_TRIGGERS else text


class XlsxExport:
    """One sheet written row by row; use as a context manager or call close()."""

    def __init__(self, target: str | os.PathLike | IO[bytes], headers: Sequence[str], *,
                 sheet_name: str = "Sheet1", widths: Sequence[int] | None = None):
        import xlsxwriter  # here, not at start-up: the app loads this module for every command

        self.book = xlsxwriter.Workbook(
            target if not isinstance(target, os.PathLike) else os.fspath(target),
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
             "strings_to_numbers": False},
        )
        self.sheet = self.book.add_worksheet(sheet_name)
        self.date = self.book.add_format({"num_format": DATE_FORMAT})
        self.datetime = self.book.add_format({"num_format": DATETIME_FORMAT})
        bold = self.book.add_format({"bold": True})
        for col, width in enumerate(widths or ()):
            self.sheet.set_column(col, col, width)
        for col, title in enumerate(headers):
            self.sheet.write_string(0, col, title, bold)
        self.sheet.freeze_panes(1, 0)
        self.rows_written = 0

    def write_rows(self, rows: Iterable[Sequence]) -> int:
        """Append rows; None leaves a cell empty. Returns the number of rows written so far."""
        sheet = self.sheet
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime, write_boolean = sheet.write_datetime, sheet.write_boolean
        date_format, datetime_format = self.date, self.datetime
        triggers = FORMULA_TRIGGERS
        r = self.rows_written
        for row in rows:
            r += 1
            for c, value in enumerate(row):
                cls = value.__class__
                if cls is str:
                    if value:
                        write_string(r, c, "'" + value if value[0] in triggers else value)
                elif value is None:
                    continue
                elif cls is int or cls is float:
                    write_number(r, c, value)
                elif cls is dt.date:
                    write_datetime(r, c, value, date_format)
                elif cls is dt.datetime:  # a stored moment (naive = UTC) as Beijing wall-clock time
                    write_datetime(r, c, beijing_time(value).replace(tzinfo=None), datetime_format)
                elif cls is bool:
                    write_boolean(r, c, value)
                elif cls is Decimal:  # money from reports.money: exact up to here, a number in the sheet
                    write_number(r, c, float(value))
                else:
                    write_string(r, c, neutralise(str(value)))
        self.rows_written = r
        return r

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> XlsxExport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_xlsx(target: str | os.PathLike | IO[bytes], headers: Sequence[str], rows: Iterable[Sequence], *,
               sheet_name: str = "Sheet1", widths: Sequence[int] | None = None) -> int:
    """Write one sheet and return the number of data rows."""
    with XlsxExport(target, headers, sheet_name=sheet_name, widths=widths) as export:
        return export.write_rows(rows)


def _csv_cell(value: object) -> object:
    if value.__class__ is str:
        return "'" + value if value[:1] in FORMULA_TRIGGERS else value  # type: ignore[index]
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_beijing(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_csv(target: str | os.PathLike | IO[str], headers: Sequence[str], rows: Iterable[Sequence]) -> int:
    """UTF-8 with a BOM, so Excel opens it as Unicode rather than the local code page; CRLF like Excel."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8-sig", newline="") as fh:
            return write_csv(fh, headers, rows)
    if isinstance(target, io.TextIOBase) and target.tell() == 0 and getattr(target, "encoding", "") != "utf-8-sig":
        target.write("\ufeff")
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        count += 1
    return count


def export_file(path: str | os.PathLike, headers: Sequence[str], rows: Iterable[Sequence], **options) -> int:
    """Format from the file's extension: .csv or .xlsx (what the CLI's ``export ... FILE`` needs)."""
    suffix = os.fspath(path).lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        return write_csv(path, headers, rows)
    if suffix == "xlsx":
        return write_xlsx(path, headers, rows, **options)
    raise ValueError("导出文件的扩展名应为 .xlsx 或 .csv")


def roster_rows(records: Iterable[Mapping], city_names: Mapping[str, str],
                business_type_names: Mapping[str, str]) -> Iterator[tuple]:
    """Roster records with the importer's keys (city_code, business_types as codes) as export tuples in
    ROSTER_HEADERS order, names in place of codes, so the file imports back to the same records."""
    for r in records:
        yield (
            r["name"], r["credit_code"], r["legal_rep"], r.get("registered_address") or "",
            r.get("premises_address") or "", city_names.get(r["city_code"], r["city_code"]),
            "、".join(business_type_names.get(code, code) for code in r["business_types"]),
            r.get("contact") or "", r.get("phone") or "", r.get("filing_number") or "", r.get("filed_on"),
        )


def write_roster(path: str | os.PathLike, records: Iterable[Mapping], city_names: Mapping[str, str],
                 business_type_names: Mapping[str, str]) -> int:
    """The roster export, XLSX or CSV by extension, with the import template's columns."""
    rows = roster_rows(records, city_names, business_type_names)
    if os.fspath(path).lower().endswith(".xlsx"):
        return write_xlsx(path, ROSTER_HEADERS, rows, sheet_name="备案名录", widths=ROSTER_WIDTHS)
    return export_file(path, ROSTER_HEADERS, rows)

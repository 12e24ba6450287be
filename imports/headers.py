"""Finding the header row of a bureau's sheet and mapping its columns to canonical ones.

Bureau sheets rarely start at A1: a merged title row ("2024年技防从业单位备案名录"), a date line or an empty
row usually come first, and headers are typed by hand — with stray or full-width spaces, full-width
brackets, a star for "required", a line break inside the cell, or a synonym. So the first rows are scanned
and the one matching most canonical columns wins; unknown columns (序号, 备注) are ignored. The canonical
columns themselves are the sheets' schema, shared with the exports, in reports/columns.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain

from imports.workbook import Cell, MissingColumns
from reports.columns import FILING_COLUMNS, Column

HEADER_SCAN_ROWS = 20
"""How many non-empty rows from the top may come before the header row."""


# Every other header a bureau's sheet may use for each column, in one table (the matcher and the tests read
# it; normalise_header already drops spaces, brackets and stars, so only the words need listing here).
FILING_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "name": ("企业名称", "公司名称", "单位全称", "从业单位名称", "从业单位", "企业全称", "备案单位名称", "名称"),
    "credit_code": (
        "信用代码", "社会信用代码", "统一信用代码", "社会统一信用代码", "统一代码",
        "统一社会信用代码证号", "统一社会信用代码号",
    ),
    "legal_rep": ("法人", "法人代表", "法定代表人姓名", "法定代表", "法人姓名"),
    "registered_address": ("注册地", "住所", "住所地", "注册住所", "登记地址"),
    "premises_address": ("经营场所", "经营地址", "经营场所地", "实际经营地址", "办公地址"),
    "city": (
        "所在城市", "所属城市", "城市", "城市名称", "市", "地市", "地级市", "所属市", "所属地市", "所在地市",
        "所属地区", "所在地区", "地区", "所在区县", "区县", "市州", "所属市州",
    ),
    "business_types": ("业务类别", "备案业务类型", "从业类别", "经营类别", "业务种类", "业务"),
    "contact": ("联系人姓名",),
    "phone": ("电话", "手机", "手机号", "手机号码", "电话号码", "联系方式", "联系人电话", "联系电话号码"),
    "filing_number": ("备案号", "备案证号", "备案证编号", "备案证书编号", "备案编码"),
    "filed_on": ("备案时间", "备案日", "备案登记日期"),
}

_NOTES = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>")
_DECORATION = re.compile(r"[\s*:：※#]")


def normalise_header(text: object) -> str:
    """NFKC (full-width letters, digits, brackets and spaces become half-width), then drop whitespace,
    notes in brackets ("业务类型（多个用、分隔）"), required-field stars and trailing colons."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _NOTES.sub("", text)
    return _DECORATION.sub("", text)


@dataclass
class HeaderMap:
    """Where each canonical column is in the sheet, and how the file wrote its header."""

    row_number: int  # Excel row number of the header row
    index: dict[str, int]  # key -> position in the row's values
    written: dict[str, str]  # key -> header text as written in the file
    ignored: list[str] = field(default_factory=list)  # headers of columns that are not imported
    values: list[Cell] = field(default_factory=list)  # the header row as read, for the error report

    def header_for(self, key: str, columns: Iterable[Column] = FILING_COLUMNS) -> str:
        """The header as the user wrote it, else the canonical one (for a column the file lacks)."""
        if key in self.written:
            return self.written[key]
        return next((c.header for c in columns if c.key == key), key)


class HeaderMatcher:
    """Maps header cells to canonical keys; built once per import, it is a dict lookup per cell."""

    def __init__(self, columns: tuple[Column, ...] = FILING_COLUMNS,
                 synonyms: Mapping[str, tuple[str, ...]] = FILING_SYNONYMS):
        self.columns = columns
        self._lookup: dict[str, tuple[str, int]] = {}
        for column in columns:
            for alias in synonyms.get(column.key, ()):
                self._lookup.setdefault(normalise_header(alias), (column.key, 1))
        for column in columns:  # the canonical header wins over any synonym spelled the same
            self._lookup[normalise_header(column.header)] = (column.key, 0)

    def match(self, text: object) -> tuple[str, int] | None:
        """(key, 0 for the canonical header or 1 for a synonym), or None for a column not imported."""
        return self._lookup.get(normalise_header(text))

    def map_row(self, row_number: int, values: list[Cell]) -> HeaderMap:
        chosen: dict[str, tuple[int, int]] = {}  # key -> (priority, position)
        ignored: list[str] = []
        for position, value in enumerate(values):
            found = self.match(value)
            if found is None:
                if isinstance(value, str) and value.strip():
                    ignored.append(value.strip())
                continue
            key, priority = found
            if key not in chosen or priority < chosen[key][0]:
                chosen[key] = (priority, position)
        index = {key: position for key, (_, position) in chosen.items()}
        written = {key: str(values[position]).strip() for key, position in index.items()}
        return HeaderMap(row_number=row_number, index=index, written=written, ignored=ignored, values=list(values))

    def find(self, rows: Iterator[tuple[int, list[Cell]]],
             scan: int = HEADER_SCAN_ROWS) -> tuple[HeaderMap, Iterator[tuple[int, list[Cell]]]]:
        """Return the header and an iterator over the rows after it (the scanned rows are replayed).

        Raises MissingColumns when no row carries the required columns.
        """
        buffered: list[tuple[int, list[Cell]]] = []
        best: HeaderMap | None = None
        best_at = -1
        for number, values in rows:
            buffered.append((number, values))
            candidate = self.map_row(number, values)
            if best is None or len(candidate.index) > len(best.index):
                best, best_at = candidate, len(buffered) - 1
            if len(buffered) >= scan:
                break
        if best is None or not best.index:
            raise MissingColumns(
                [c.header for c in self.columns if c.required],
                reason=f"前 {scan} 行中未找到表头行（应含“单位名称”“统一社会信用代码”等列）",
            )
        missing = [c.header for c in self.columns if c.required and c.key not in best.index]
        if missing:
            raise MissingColumns(missing)
        return best, chain(buffered[best_at + 1:], rows)

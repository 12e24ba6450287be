"""Safe reading of the workbooks people upload: .xlsx through python-calamine, .csv through the csv module.

Why the care: an upload is untrusted. A few kilobytes of zip can inflate to gigabytes, two cells far apart
make calamine allocate the whole rectangle between them, and one long shared string referenced by every
cell is copied into every cell. So before calamine sees a file, the zip is opened with the standard library,
every part is inflated once under a hard cap (which also verifies each part's CRC against its declared size),
and the chosen sheet's XML is scanned with a few byte searches for the extent of its cells and the size of
its text. Only then is calamine asked for the values. Formulas are never evaluated: calamine returns a
formula's cached value, and a formula without one reads as an empty cell.

Everything here is plain Python with no Flask in it; the caps are module constants so the web layer, the
CLI and the tests name the same numbers.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

import python_calamine

# ---- caps ---------------------------------------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024
"""The uploaded file itself (compressed for .xlsx). A 100,000-row roster is about 6 MB."""
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
"""All parts of an .xlsx inflated, counted while inflating (declared sizes can lie)."""
MAX_ROWS = 200_000
"""The last sheet row holding a value; the issue's large case is 100,000 firms."""
MAX_COLUMNS = 64
"""The right-most column holding a value; the template has 11."""
MAX_CELLS = MAX_ROWS * 26
"""Rows × columns of the rectangle calamine allocates (32 bytes a cell in Rust); a sheet within column Z
counts as 26 wide, so a wider sheet may have proportionally fewer rows."""
MAX_CELL_CHARS = 5_000
"""Longest text a cell may hold; the longest real field (an address) is under 200 characters."""
MAX_TEXT_BYTES = 512 * 1024 * 1024
"""Estimated bytes of all cell text once calamine has copied shared strings into their cells."""
MAX_EMPTY_ROWS_IN_A_ROW = 1_000
"""Reading stops after this many consecutive empty rows: what follows is formatting, not data."""

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_INFLATE_CHUNK = 1024 * 1024

Cell = str | float | int | bool | dt.date | dt.datetime | dt.time | dt.timedelta
"""What a cell reads as: calamine's types for .xlsx; always str for .csv. Empty cells read as ''."""


# ---- errors -------------------------------------------------------------------------------------------
class UnusableWorkbook(Exception):
    """The file as a whole cannot be imported; ``reason`` is one line of Chinese for the user (exit code 2)."""

    default_reason = "文件无法读取"

    def __init__(self, reason: str | None = None):
        self.reason = reason or self.default_reason
        super().__init__(self.reason)


class NotAWorkbook(UnusableWorkbook):
    default_reason = "文件不是 .xlsx 工作簿或 .csv 文件"


class EncryptedWorkbook(UnusableWorkbook):
    """OLE2 container: an .xlsx protected with a password, or a legacy .xls (both start D0 CF 11 E0)."""

    default_reason = "文件已加密或为旧版 .xls 格式，请取消密码并另存为 .xlsx 后再导入"


class NoSheet(UnusableWorkbook):
    default_reason = "工作簿中没有可见的工作表"


class TooLarge(UnusableWorkbook):
    default_reason = "文件过大"


class CellTooLarge(TooLarge):
    default_reason = f"有单元格内容超过 {MAX_CELL_CHARS} 个字符"


class MissingColumns(UnusableWorkbook):
    """Raised by the header finder; kept here so callers catch every file-level failure in one place."""

    default_reason = "缺少必需的列"

    def __init__(self, missing: list[str], reason: str | None = None):
        self.missing = list(missing)
        super().__init__(reason or "缺少必需的列：" + "、".join(self.missing))


# ---- the result ---------------------------------------------------------------------------------------
@dataclass
class SheetReader:
    """One sheet, ready to iterate: ``rows()`` yields (Excel row number, values) and never holds two copies."""

    sheet_name: str
    kind: str  # "xlsx" or "csv"
    _rows: Iterator[list[Cell]] = field(repr=False)
    _consumed: bool = field(default=False, repr=False)
    check_cell_length: bool = True  # False when the file was shown, before reading, to hold no huge cell
    height: int | None = None  # rows the sheet spans (empty ones included), when known before reading

    def rows(self) -> Iterator[tuple[int, list[Cell]]]:
        """Yield each row with its 1-based number as Excel shows it; stops at a long run of empty rows."""
        if self._consumed:
            raise RuntimeError("rows() can be iterated only once")
        self._consumed = True
        empty_run = 0
        number = 0
        check = self.check_cell_length
        for values in self._rows:
            number += 1
            if number > MAX_ROWS:
                raise TooLarge(f"工作表超过 {MAX_ROWS} 行")
            if values.count("") != len(values):
                empty_run = 0
                if check:
                    for v in values:
                        if v.__class__ is str and len(v) > MAX_CELL_CHARS:
                            raise CellTooLarge(f"第 {number} 行有单元格内容超过 {MAX_CELL_CHARS} 个字符")
                yield number, values
            else:
                empty_run += 1
                if empty_run >= MAX_EMPTY_ROWS_IN_A_ROW:
                    return


def open_sheet(path: str | os.PathLike, filename: str | None = None) -> SheetReader:
    """Open an uploaded file and return its first visible worksheet, or raise an UnusableWorkbook.

    ``filename`` is the name the user gave the file (uploads are stored under temporary names); a file
    that is neither a zip nor an OLE2 container is read as CSV only when that name ends in .csv.
    """
    path = os.fspath(path)
    if _file_kind(path, filename) == "csv":
        return _open_csv(path)
    return _open_xlsx(path)


def _file_kind(path: str, filename: str | None) -> str:
    """"xlsx" or "csv" by the file's first bytes (and the user's name for CSV); raises UnusableWorkbook."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise NotAWorkbook("文件无法打开") from exc
    if size > MAX_FILE_BYTES:
        raise TooLarge(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if head.startswith(_OLE2_MAGIC):
        raise EncryptedWorkbook()
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if (filename or path).lower().endswith(".csv"):
        return "csv"
    raise NotAWorkbook()


def is_xlsx(path: str | os.PathLike, filename: str | None = None) -> bool:
    """Whether open_sheet would read the file as .xlsx (False for CSV and for files it refuses)."""
    try:
        return _file_kind(os.fspath(path), filename) == "xlsx"
    except UnusableWorkbook:
        return False


# ---- CSV ----------------------------------------------------------------------------------------------
def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030, which WPS and older Excel save."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise NotAWorkbook("CSV 文件编码无法识别，请保存为 UTF-8 编码") from exc


def _open_csv(path: str) -> SheetReader:
    with open(path, "rb") as fh:
        data = fh.read()
    if b"\x00" in data[:4096]:
        raise NotAWorkbook()
    text = decode_csv_bytes(data)
    del data
    first_line = text[:4096].split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return SheetReader(sheet_name="", kind="csv", _rows=_checked_csv_rows(reader))


def _checked_csv_rows(reader: Iterator[list[str]]) -> Iterator[list[Cell]]:
    try:
        for values in reader:
            if len(values) > MAX_COLUMNS:
                values = _trim_trailing_empty(values)
                if len(values) > MAX_COLUMNS:
                    raise TooLarge(f"工作表超过 {MAX_COLUMNS} 列")
            yield values
    except csv.Error as exc:
        raise NotAWorkbook("CSV 文件格式不正确") from exc


def _trim_trailing_empty(values: list[str]) -> list[str]:
    end = len(values)
    while end and values[end - 1] == "":
        end -= 1
    return values[:end]


# ---- XLSX ---------------------------------------------------------------------------------------------
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class _SheetEntry:
    name: str
    part: str  # path inside the zip, e.g. xl/worksheets/sheet1.xml
    visible: bool


def _open_xlsx(path: str) -> SheetReader:
    sheet_name, may_hold_huge_cells = check_xlsx(path)
    return read_checked_xlsx(path, sheet_name, may_hold_huge_cells)


def check_xlsx(path: str | os.PathLike) -> tuple[str, bool]:
    """Every check made before calamine may read an .xlsx: the zip inflated under its caps, the first
    visible worksheet found, its extent and text measured. Returns that sheet's name and whether a cell
    of it may exceed MAX_CELL_CHARS; raises UnusableWorkbook."""
    path = os.fspath(path)
    if _file_kind(path, None) != "xlsx":  # pragma: no cover - callers ask is_xlsx first
        raise NotAWorkbook("文件不是 .xlsx 工作簿，请另存为 .xlsx")
    parts = _inflate_all(path)
    if "xl/workbook.xml" not in parts:
        # .xlsb, .ods, .docx and plain zips: calamine could read some, but the checks below are for XML.
        raise NotAWorkbook("文件不是 .xlsx 工作簿，请另存为 .xlsx")
    sheet = _first_visible_worksheet(parts)
    shared = parts.get("xl/sharedStrings.xml", b"")
    may_hold_huge_cells = _check_sheet_extent(parts.get(sheet.part, b""), shared)
    return sheet.name, may_hold_huge_cells


def read_checked_xlsx(path: str | os.PathLike, sheet_name: str | None, check_cell_length: bool = True) -> SheetReader:
    """Calamine's reading of a sheet: ``sheet_name``, or the first visible worksheet when None. Only for a
    file that check_xlsx passed, or in a process whose memory is capped (imports/streamed_validation.py)."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(os.fspath(path))
        if sheet_name is None:
            sheet_name = next((m.name for m in book.sheets_metadata
                               if m.visible == python_calamine.SheetVisibleEnum.Visible
                               and m.typ == python_calamine.SheetTypeEnum.WorkSheet), None)
            if sheet_name is None:
                raise NoSheet()
        data = book.get_sheet_by_name(sheet_name)
    except python_calamine.PasswordError as exc:  # pragma: no cover - caught by the OLE2 check
        raise EncryptedWorkbook() from exc
    except (python_calamine.CalamineError, ValueError) as exc:
        raise NotAWorkbook("工作簿已损坏，无法读取") from exc
    rows = data.iter_rows()
    first_column = (data.start or (0, 0))[1]
    if first_column:  # calamine drops empty leading columns; put them back so positions are Excel's
        rows = ([""] * first_column + values for values in rows)
    return SheetReader(sheet_name=sheet_name, kind="xlsx", _rows=rows, check_cell_length=check_cell_length,
                       height=data.height)


def _inflate_all(path: str) -> dict[str, bytes]:
    """Inflate every part under MAX_UNCOMPRESSED_BYTES and keep the few the checks need.

    The declared sizes are capped first; each part is then inflated by at most its declared size (zipfile
    cuts it there and checks its CRC), so a part that lies about its size fails here as a damaged file,
    having cost no more memory than it declared, instead of inflating without end inside calamine.
    """
    keep_prefixes = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/")
    parts: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
                raise TooLarge(f"解压后超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB")
            for info in infos:
                if info.flag_bits & 0x1:
                    raise EncryptedWorkbook()
                if info.filename.startswith(keep_prefixes):
                    with archive.open(info) as member:
                        # read(n) inflates at most n bytes; read() would let a lying part inflate up to
                        # 2 GB in one call before zipfile cuts it to the declared size.
                        parts[info.filename] = member.read(info.file_size or 1)
                    continue
                with archive.open(info) as member:
                    while member.read(_INFLATE_CHUNK):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        raise NotAWorkbook("文件已损坏或不是 .xlsx 工作簿") from exc
    return parts


def _first_visible_worksheet(parts: dict[str, bytes]) -> _SheetEntry:
    """The first sheet in workbook order whose state is visible and which is a worksheet (not a chart)."""
    try:
        book = ElementTree.fromstring(parts["xl/workbook.xml"])
        rels = ElementTree.fromstring(parts.get("xl/_rels/workbook.xml.rels", b"<Relationships/>"))
    except ElementTree.ParseError as exc:
        raise NotAWorkbook("工作簿已损坏，无法读取") from exc
    targets: dict[str, tuple[str, str]] = {}
    for rel in rels.iter(_NS_PKG_REL + "Relationship"):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], part)
    for node in book.iter(_NS_MAIN + "sheet"):
        kind, part = targets.get(node.get(_NS_REL + "id", ""), ("", ""))
        state = node.get("state", "visible")
        if kind == "worksheet" and state == "visible" and part in parts:
            return _SheetEntry(name=node.get("name", ""), part=part, visible=True)
    raise NoSheet()


# A cell reference whose column has two or three letters (AA onwards) on a cell that is not self-closing.
_WIDE_CELL = re.compile(rb' r="([A-Z]{2,3})[0-9]+"[^>]*(?<!/)>')
_CELL_REFERENCE = re.compile(rb'\sr="[A-Z]{1,3}([0-9]+)"')
_ROW_NUMBER = re.compile(rb'\sr="([0-9]+)"')
_SHARED_REF = re.compile(rb't="s"[^>]*><(?:\w+:)?v>([0-9]+)<')
_TAG = re.compile(rb"<[^>]*>")


def column_number(letters: bytes | str) -> int:
    """'A' -> 1, 'AA' -> 27, 'XFD' -> 16384."""
    number = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + (ch - 64)
    return number


def _element_prefix(sheet_xml: bytes) -> bytes:
    """b'' for <sheetData>, b'x:' for <x:sheetData> (some .NET writers prefix every element)."""
    return _element_prefix_of(sheet_xml, b"sheetData")


def _check_sheet_extent(sheet_xml: bytes, shared_xml: bytes) -> bool:
    """Refuse, before calamine allocates anything, a sheet whose cells span too large a rectangle or whose
    text would grow too large once shared strings are copied into cells. A few byte searches, no parsing.

    Returns whether an inline string might exceed MAX_CELL_CHARS (then rows() checks every cell).
    """
    prefix = _element_prefix(sheet_xml)
    referenced = _all_cells_referenced(sheet_xml, prefix)
    last_row = _last_value_row(sheet_xml, prefix, referenced)
    if last_row > MAX_ROWS:
        raise TooLarge(f"工作表超过 {MAX_ROWS} 行")
    width = _widest_column(sheet_xml, prefix, referenced)
    if width > MAX_COLUMNS:
        raise TooLarge(f"工作表超过 {MAX_COLUMNS} 列")
    if last_row * width > MAX_CELLS:
        raise TooLarge(f"工作表超过 {MAX_CELLS} 个单元格")
    _check_shared_strings(sheet_xml, shared_xml, prefix)
    return _longest_piece(sheet_xml, b"<" + prefix + b"is>") > MAX_CELL_CHARS


def _all_cells_referenced(sheet_xml: bytes, prefix: bytes) -> bool:
    """Whether every cell carries an r attribute; without one calamine places cells one after another.

    Inside sheetData only cells start with "<c", and every writer seen puts r first, so two counts settle
    the common case; the exact search runs only when they differ.
    """
    start, end = sheet_xml.find(b"sheetData"), sheet_xml.rfind(b"sheetData")
    cell = b"<" + prefix + b"c"
    if sheet_xml.count(cell, start, end) == sheet_xml.count(cell + b' r="', start, end):
        return True
    pattern = re.compile(re.escape(cell) + rb"(?:/?>|(?![^>]*\sr=)\s)")
    return pattern.search(sheet_xml, start, end) is None


def _longest_piece(xml: bytes, separator: bytes) -> int:
    """Bytes from one separator to the next, at most: an upper bound on the text each element holds."""
    if separator not in xml:
        return 0
    return max(map(len, xml.split(separator)[1:]))


def _last_value_row(sheet_xml: bytes, prefix: bytes, referenced: bool) -> int:
    """Row number of the last cell holding a value or an inline string (cells are in order, ECMA-376)."""
    end = max(sheet_xml.rfind(b"</" + prefix + b"v>"), sheet_xml.rfind(b"</" + prefix + b"is>"))
    if end < 0:
        return 0
    if referenced:
        cell_at = sheet_xml.rfind(b"<" + prefix + b"c ", 0, end)
        found = _CELL_REFERENCE.search(sheet_xml, cell_at, sheet_xml.find(b">", cell_at) + 1)
        if found:
            return int(found.group(1))
    row_at = sheet_xml.rfind(b"<" + prefix + b"row", 0, end)
    found = _ROW_NUMBER.search(sheet_xml, row_at, sheet_xml.find(b">", row_at) + 1) if row_at >= 0 else None
    if found:
        return int(found.group(1))
    return sheet_xml.count(b"<" + prefix + b"row", 0, end)  # rows without r are numbered by position


def _widest_column(sheet_xml: bytes, prefix: bytes, referenced: bool) -> int:
    """Right-most column of any non-empty cell; one-letter columns count as 26 (an upper bound)."""
    widest = 26
    for found in _WIDE_CELL.finditer(sheet_xml):
        widest = max(widest, column_number(found.group(1)))
        if widest > MAX_COLUMNS:
            return widest
    if not referenced:
        # Unreferenced cells follow the previous one: count cells per row (rare writers only).
        cell_open = b"<" + prefix + b"c"
        for row in sheet_xml.split(b"</" + prefix + b"row>"):
            widest = max(widest, row.count(cell_open + b" ") + row.count(cell_open + b">"))
            if widest > MAX_COLUMNS:
                break
    return widest


def _check_shared_strings(sheet_xml: bytes, shared_xml: bytes, prefix: bytes) -> None:
    """Refuse a huge shared string, and shared strings whose copying into cells by calamine would blow up
    (one long string referenced by every cell)."""
    if not shared_xml:
        return
    sst_prefix = _element_prefix_of(shared_xml, b"sst")
    pieces = shared_xml.split(b"<" + sst_prefix + b"si>")[1:]
    if not pieces:
        return
    lengths = list(map(len, pieces))  # bytes of XML: an upper bound on the text's UTF-8 bytes
    longest = max(lengths)
    if longest > MAX_CELL_CHARS:
        for index, size in enumerate(lengths):
            if size > MAX_CELL_CHARS and _text_length(pieces[index]) > MAX_CELL_CHARS:
                raise CellTooLarge()
    references = sheet_xml.count(b't="s"')
    if references * longest <= MAX_TEXT_BYTES:
        return
    # The quick bound failed (some long strings): add up what the cells actually reference.
    counts = Counter(int(m) for m in _SHARED_REF.findall(sheet_xml))
    total = sum(lengths[i] * n for i, n in counts.items() if i < len(lengths))
    if total > MAX_TEXT_BYTES:
        raise TooLarge("单元格文字总量过大")


def _element_prefix_of(xml: bytes, local_name: bytes) -> bytes:
    at = xml.find(local_name)
    start = xml.rfind(b"<", 0, at) if at > 0 else -1
    return xml[start + 1:at] if 0 <= start and at - start <= 16 else b""


def _text_length(xml_piece: bytes) -> int:
    """Characters of text in a piece of XML (tags dropped, entities counted as written: an upper bound)."""
    return len(_TAG.sub(b"", xml_piece).decode("utf-8", "replace"))

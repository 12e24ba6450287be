"""Hostile and broken workbooks, built from raw SpreadsheetML (faster than any writer).

Shared by the tests, which check what each is refused with, and by benchmarks/bench_hostile.py, which
times the refusals and tries the plain way (pandas.read_excel) on the same files.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from app.demo import credit_code
from imports import workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
ROSTER_HEADER = ("单位名称", "统一社会信用代码", "法定代表人", "所在市", "业务类型")


def raw_xlsx(path, sheets, shared_strings=None):
    """sheets: [(name, sheet_data_xml_bytes_or_iterable, state)]; state 'visible', 'hidden', 'veryHidden'."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' + overrides + "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        entries = "".join(
            f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"' + (f' state="{state}"' if state != "visible" else "")
            + "/>" for i, (name, _, state) in enumerate(sheets, start=1))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
                   f"<sheets>{entries}</sheets></workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        if shared_strings is not None:
            rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            items = "".join(f"<si><t>{s}</t></si>" for s in shared_strings)
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{MAIN}">{items}</sst>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{rels}'
                   "</Relationships>")
        for i, (_, data, _) in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w") as member:
                member.write(f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode())
                for chunk in [data] if isinstance(data, bytes) else data:
                    member.write(chunk)
                member.write(b"</sheetData></worksheet>")
    return path


def inline_row(number, *texts):
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{t}</t></is></c>'
                    for i, t in enumerate(texts))
    return f'<row r="{number}">{cells}</row>'.encode()


# ---- the hostile files, each a function of the path to write ------------------------------------------
def not_a_workbook(path):
    Path(path).write_bytes(b"hello, this is text")
    return path


def encrypted(path):
    """What Excel writes for a workbook with a password (and what a legacy .xls is): an OLE2 container."""
    Path(path).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return path


def zip_bomb(path):
    """Under 1 MB of zip inflating past the cap (256 MB of zeros)."""
    zeros = b"0" * (1024 * 1024)
    return raw_xlsx(path, [("s", (zeros for _ in range(workbook.MAX_UNCOMPRESSED_BYTES // len(zeros) + 1)),
                            "visible")])


def lying_zip(path):
    """A part whose header declares 100 bytes but inflates to 1 MB."""
    raw_xlsx(path, [("s", [inline_row(1, "x"), b"<!--" + b"0" * 1024 * 1024 + b"-->"], "visible")])
    data = bytearray(Path(path).read_bytes())
    with zipfile.ZipFile(path) as z:
        real = z.getinfo("xl/worksheets/sheet1.xml").file_size.to_bytes(4, "little")
    at = data.find(real, data.find(b"PK\x01\x02"))  # in the central directory entry
    while at >= 0:
        data[at:at + 4] = (100).to_bytes(4, "little")
        at = data.find(real, at + 4)
    Path(path).write_bytes(bytes(data))
    return path


def too_many_rows(path):
    last = workbook.MAX_ROWS + 1
    return raw_xlsx(path, [("s", (f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>'.encode()
                                  for n in range(1, last + 1)), "visible")])


def cells_far_apart(path):
    """Two cells, A1 and XFD1048576: the rectangle between them is 17 billion cells."""
    return raw_xlsx(path, [("s", b'<row r="1"><c r="A1"><v>1</v></c></row>'
                                 b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "visible")])


def shared_string_amplification(path):
    """One 4,900-character shared string referenced by 120,000 cells: 1.7 GB once copied into cells."""
    rows = (f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="B{n}" t="s"><v>0</v></c></row>'.encode()
            for n in range(1, 60_001))
    return raw_xlsx(path, [("s", rows, "visible")], shared_strings=["长" * 4_900])


def formatted_empty_rows(path, *head_rows: bytes):
    """A header and data rows, then a million rows that hold only formatting (as a sheet formatted down to
    its last row does)."""
    head = list(head_rows) or [inline_row(1, *ROSTER_HEADER),
                               inline_row(2, "沈阳格式安防科技有限公司", credit_code("210100", "MA0FMT123"), "张三", "沈阳市",
                                          "设计")]
    first = len(head) + 1
    empty = (f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/><c r="B{n}" s="1"/></row>'.encode()
             for n in range(first, 1_000_001))
    return raw_xlsx(path, [("s", [*head, *empty], "visible")])


def empty_string_rows(path):
    """A million cells holding the empty string: values, so they count as rows."""
    rows = (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>'.encode()
            for n in range(1, 1_000_001))
    return raw_xlsx(path, [("s", rows, "visible")])


def huge_shared_string(path):
    return raw_xlsx(path, [("s", [inline_row(1, *ROSTER_HEADER), b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'],
                            "visible")], shared_strings=["字" * (workbook.MAX_CELL_CHARS + 1)])


def huge_inline_string(path):
    return raw_xlsx(path, [("s", [inline_row(1, *ROSTER_HEADER), inline_row(2, "x" * 1_000_000)], "visible")])


def only_hidden_sheets(path):
    return raw_xlsx(path, [("名录", inline_row(1, *ROSTER_HEADER), "hidden")])


HOSTILE: dict[str, Callable] = {
    "not a workbook (text named .xlsx)": not_a_workbook,
    "encrypted / legacy .xls (OLE2)": encrypted,
    "zip bomb (256 MB of zeros)": zip_bomb,
    "zip part lying about its size": lying_zip,
    "200,001 rows": too_many_rows,
    "cells A1 and XFD1048576": cells_far_apart,
    "shared-string amplification": shared_string_amplification,
    "a million formatted empty rows": formatted_empty_rows,
    "a million empty-string rows": empty_string_rows,
    "huge shared string": huge_shared_string,
    "a 1,000,000-character cell": huge_inline_string,
    "only hidden sheets": only_hidden_sheets,
}
"""Name -> builder, in the order the benchmark prints them."""

"""A case document as DOCX (python-docx), for the bureau to print or to edit before sealing.

Every run names its East Asian font (w:rFonts w:eastAsia): without it Word sets Chinese text in the theme's
Latin font's fallback and the page differs from the PDF. Page and sizes after GB/T 9704 (A4, 37/28/35/26 mm
margins), body in 仿宋, headings in 黑体, titles in 宋体.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.case_documents.model import (
    Document,
    Heading,
    LabelledField,
    Note,
    Paragraph,
    Quote,
    SealBlock,
    Table,
)

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
BODY_SIZE = Pt(14)
BLANK = "＿" * 12  # an empty field: a line to fill by hand


def _font(run, name: str, size, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph(doc, text: str = "", *, font=BODY_FONT, size=BODY_SIZE, bold=False, align=None, indent=False,
               before=0, after=0):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = Pt(size.pt * 1.6)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    if text:
        _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _table(doc, block: Table) -> None:
    columns = len(block.header or block.rows[0])
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = block.widths or (1,) * columns
    total = sum(widths)
    usable = 210 - 28 - 26
    table.autofit = False
    for c, column in enumerate(table.columns):  # the grid, which LibreOffice reads, and each cell, which Word reads
        column.width = Mm(usable * widths[c] / total)
    rows = ([block.header] if block.header else []) + list(block.rows)
    for r, row in enumerate(rows):
        cells = table.add_row().cells
        if block.row_height_mm:
            table.rows[-1].height = Mm(block.row_height_mm)
        for c, text in enumerate(row):
            cell = cells[c]
            cell.width = Mm(usable * widths[c] / total)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            bold = bool(block.header and r == 0) or (not block.header and c == 0)
            _font(paragraph.add_run(text), HEADING_FONT if bold else BODY_FONT, Pt(12))


def to_docx(document: Document) -> bytes:
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    doc.core_properties.title = f"{document.title} {document.number}"
    doc.core_properties.author = document.authority

    _paragraph(doc, document.authority, font=TITLE_FONT, size=Pt(18), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, document.title, font=TITLE_FONT, size=Pt(22), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
               after=6)
    _paragraph(doc, document.number, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)
    for block in document.blocks:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, font=HEADING_FONT, before=6)
        elif isinstance(block, Paragraph):
            _paragraph(doc, block.text, bold=block.bold, indent=block.indent)
        elif isinstance(block, LabelledField):
            paragraph = _paragraph(doc)
            _font(paragraph.add_run(f"{block.label}："), HEADING_FONT, BODY_SIZE)
            _font(paragraph.add_run(block.value or BLANK), BODY_FONT, BODY_SIZE)
        elif isinstance(block, Quote):
            paragraph = _paragraph(doc, size=Pt(12))
            paragraph.paragraph_format.left_indent = Pt(24)
            _font(paragraph.add_run(f"{block.citation}："), HEADING_FONT, Pt(12))
            _font(paragraph.add_run(block.text), BODY_FONT, Pt(12))
        elif isinstance(block, Table):
            _table(doc, block)
        elif isinstance(block, SealBlock):
            _paragraph(doc, block.seal_label, size=Pt(12), align=WD_ALIGN_PARAGRAPH.RIGHT, before=30)
            _paragraph(doc, block.authority, align=WD_ALIGN_PARAGRAPH.RIGHT)
            _paragraph(doc, block.date, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)
        elif isinstance(block, Note):
            _paragraph(doc, block.text, size=Pt(10.5))
        else:  # pragma: no cover - a new block type must be drawn here and in pdf_renderer
            raise TypeError(f"no DOCX layout for {type(block).__name__}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

"""A case document as PDF (reportlab platypus), set in the embedded subset of WenQuanYi Zen Hei
(reports/fonts.py) so that it prints the same in every reader: no font is only named, none substituted.

The seal block draws a dashed circle where the seal goes, over the authority's name and the date at the
bottom right, as a sealed 文书 looks.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as PdfParagraph
from reportlab.platypus import Table as PdfTable

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
from reports.fonts import chinese_font

BODY_SIZE = 13
# Chinese line-breaking rules (GB/T 15834 punctuation): what may not start a line, what may not end one.
CANNOT_START = ALL_CANNOT_START + "，。、；：？！）》」』】〕”’…—％"
CANNOT_END = ALL_CANNOT_END + "（《「『【〔“‘"
BLANK = "＿" * 12


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.7, wordWrap="CJK",
                          allowWidows=0, allowOrphans=0)  # no lone last (or first) line on a page of its own
    return {
        "authority": ParagraphStyle("authority", parent=body, fontSize=18, leading=26, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=body, fontSize=22, leading=32, alignment=TA_CENTER, spaceAfter=4),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT, spaceAfter=10),
        "body": body,
        "indented": ParagraphStyle("indented", parent=body, firstLineIndent=BODY_SIZE * 2),
        "heading": ParagraphStyle("heading", parent=body, spaceBefore=6, keepWithNext=1),  # never last on a page
        "quote": ParagraphStyle("quote", parent=body, fontSize=11, leading=18, leftIndent=24, textColor=colors.HexColor("#222222")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=12, leading=18),
        "cell_label": ParagraphStyle("cell_label", parent=body, fontSize=12, leading=18, alignment=TA_CENTER),
        "note": ParagraphStyle("note", parent=body, fontSize=10, leading=16, spaceBefore=4),
    }


def _p(text: str, style: ParagraphStyle) -> PdfParagraph:
    return PdfParagraph(escape(text).replace("\n", "<br/>"), style)


def _lines(text: str, font: str, size: float, first: float, width: float) -> list[str]:
    """Break Chinese text into lines that fit, never starting a line with closing punctuation (。，）、…) nor
    ending one with an opening mark (（《“): the breaking rules of Chinese typesetting. reportlab's own CJK
    wrap hangs at most one such character in the margin, so "）。" left a lone "。" atop a page."""
    lines: list[str] = []
    for part in text.split("\n"):
        line, limit = "", first if not lines else width
        for char in part:
            if line and stringWidth(line + char, font, size) > limit:
                cut = len(line)
                # pull characters back until the next line may start here and this one may end here
                while cut > 1 and (line[cut:cut + 1] or char) in CANNOT_START:
                    cut -= 1
                while cut > 1 and line[cut - 1] in CANNOT_END:
                    cut -= 1
                lines.append(line[:cut])
                line, limit = line[cut:], width
            line += char
        lines.append(line)
    return lines


def _wrapped(text: str, style: ParagraphStyle, width: float) -> PdfParagraph:
    """A body paragraph broken by :func:`_lines`; reportlab only sets the lines (they fit, so it breaks none)."""
    # the frame's own padding (6 points a side) and a point of slack against rounding
    usable = width - 12 - style.leftIndent - style.rightIndent - 1
    lines = _lines(text, style.fontName, style.fontSize, usable - style.firstLineIndent, usable)
    return PdfParagraph("<br/>".join(escape(line) for line in lines), style)


class _Seal(Flowable):
    """The authority and date right-aligned, a dashed circle for the seal over them."""

    RADIUS = 21 * mm

    def __init__(self, block: SealBlock, font: str):
        super().__init__()
        self.block, self.font = block, font

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = self.RADIUS * 2 + 8 * mm
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        right = self.width - 4 * mm
        name_width = canvas.stringWidth(self.block.authority, self.font, BODY_SIZE + 1)
        date_width = canvas.stringWidth(self.block.date, self.font, BODY_SIZE + 1)
        centre_x = right - max(name_width, date_width) / 2
        centre_y = self.RADIUS + 4 * mm
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#b0b0b0"))
        canvas.setDash(3, 3)
        canvas.circle(centre_x, centre_y, self.RADIUS)
        canvas.setFillColor(colors.HexColor("#9a9a9a"))
        canvas.setFont(self.font, 10)
        canvas.drawCentredString(centre_x, centre_y + self.RADIUS - 9 * mm, self.block.seal_label)
        canvas.restoreState()
        canvas.setFont(self.font, BODY_SIZE + 1)
        canvas.drawRightString(right, centre_y + 1 * mm, self.block.authority)
        canvas.drawRightString(right, centre_y - 8 * mm, self.block.date)


def _table(block: Table, styles, width: float) -> PdfTable:
    columns = len(block.header or block.rows[0])
    weights = block.widths or (1,) * columns
    widths = [width * w / sum(weights) for w in weights]
    rows = ([block.header] if block.header else []) + list(block.rows)
    cells = [
        [_p(text, styles["cell_label"] if (block.header and r == 0) or (not block.header and c == 0) else styles["cell"])
         for c, text in enumerate(row)]
        for r, row in enumerate(rows)
    ]
    padding = max(3, (block.row_height_mm * mm - styles["cell"].leading) / 2) if block.row_height_mm else 3
    table = PdfTable(cells, colWidths=widths)
    table.setStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),  # else the table names Helvetica, never embedded
        ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ])
    return table


def to_pdf(document: Document) -> bytes:
    font = chinese_font()
    styles = _styles(font)
    buffer = io.BytesIO()
    # initialFontName: else reportlab names Helvetica (never embedded) for the page's first text state
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, topMargin=30 * mm, bottomMargin=25 * mm, leftMargin=26 * mm, rightMargin=24 * mm,
        title=f"{document.title} {document.number}", author=document.authority, creator="jifang",
        initialFontName=font, initialFontSize=BODY_SIZE, pageCompression=1,
    )
    story: list[Flowable] = [
        _p(document.authority, styles["authority"]),
        _p(document.title, styles["title"]),
        _p(document.number, styles["number"]),
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(_p(block.text, styles["heading"]))
        elif isinstance(block, Paragraph):
            story.append(_wrapped(block.text, styles["indented" if block.indent else "body"], doc.width))
        elif isinstance(block, LabelledField):
            story.append(_wrapped(f"{block.label}：{block.value or BLANK}", styles["body"], doc.width))
        elif isinstance(block, Quote):
            story.append(_wrapped(f"{block.citation}：{block.text}", styles["quote"], doc.width))
        elif isinstance(block, Table):
            story += [Spacer(0, 4 * mm), _table(block, styles, doc.width), Spacer(0, 2 * mm)]
        elif isinstance(block, SealBlock):
            # the seal stays on the page of the text it seals, never alone on a page of its own
            last = story.pop() if story else Spacer(0, 0)
            story.append(KeepTogether([last, Spacer(0, 6 * mm), _Seal(block, font)]))
        elif isinstance(block, Note):
            story.append(_wrapped(block.text, styles["note"], doc.width))
        else:  # pragma: no cover - a new block type must be drawn here and in docx_renderer
            raise TypeError(f"no PDF layout for {type(block).__name__}")

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"{document.number}　第{doc_.page}页")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()

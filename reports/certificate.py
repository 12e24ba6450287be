"""The filing certificate (备案证明): one A4 page, PDF, with a QR code that opens the public roster entry.

The certificate states only what the roster publishes (name, credit code, number, date, authority,
business types): it is shown to customers, so it carries no personal data. Its QR code opens the roster's
check page, which says whether the filing is genuine and still in force — the certificate itself can be
forged or outlive a cancellation, the roster cannot.

Text is set in WenQuanYi Zen Hei, embedded as a subset (reports/fonts.py): STSong-Light, named but not
embedded, let each reader substitute its own font and misspaced the digits.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from reports.fonts import chinese_font

QR_SIZE = 42 * mm
MARGIN = 25 * mm
LABEL_WIDTH = 48 * mm
# The bureau's seal (公章, 42 mm across) goes over its name and the date, bottom right: nothing else is
# printed in this square, so the stamp covers no other text and stays legible.
SEAL_ZONE = 52 * mm


class CertificateError(ValueError):
    """The firm has no filing in force, so there is nothing to certify."""


def _font() -> str:
    return chinese_font()


def _date_zh(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def certificate_facts(firm, pack) -> list[tuple[str, str]]:
    """The lines of the certificate, label and value, as the roster publishes them."""
    authority = pack.authority(firm.filing_authority_code)
    types = [pack.business_type(code) for code in firm.business_type_codes]
    # An individual (Liaoning art. 17) has no credit code: the certificate names the person, as the roster.
    holder = [("姓名", firm.name)] if getattr(firm, "is_individual", False) else [
        ("单位名称", firm.name), ("统一社会信用代码", firm.credit_code),
    ]
    return [
        *holder,
        ("备案编号", firm.filing_number),
        ("备案日期", _date_zh(firm.filed_on)),
        ("备案机关", authority.name if authority else firm.filing_authority_code or ""),
        ("业务类型", "、".join(t.name for t in types if t)),
    ]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break Chinese text by characters to fit the width (no spaces to break at)."""
    lines, line = [], ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines or [""]


def _qr(canvas: Canvas, url: str, x: float, y: float) -> None:
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0],
                      initialFontName=canvas._fontname)  # else renderPDF names Helvetica, never embedded
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def render_certificate(firm, pack, verify_url: str) -> bytes:
    """The certificate of a firm whose filing is in force; `verify_url` is its public roster entry
    (app.roster.routes.entry_url(firm)). Raises CertificateError for a firm not filed or cancelled."""
    if firm.filing_status != "in_force" or not firm.filing_number or not firm.filed_on:
        raise CertificateError("该单位没有有效的备案，不能出具备案证明")
    font = _font()
    buffer = io.BytesIO()
    # initialFontName: else reportlab names Helvetica (never embedded) for the page's first text state
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=12)
    issuer = pack.authority(firm.filing_authority_code)
    canvas.setTitle(f"备案证明：{firm.name}（{firm.filing_number}）")
    canvas.setAuthor(issuer.name if issuer else pack.provincial_authority.name)
    canvas.setSubject(f"{pack.name}安全技术防范从业单位备案证明")
    canvas.setCreator(f"{pack.name}公安机关技防管理系统")
    width, height = A4

    canvas.setLineWidth(1.5)
    canvas.rect(MARGIN - 8 * mm, MARGIN - 8 * mm, width - 2 * (MARGIN - 8 * mm), height - 2 * (MARGIN - 8 * mm))
    canvas.setFont(font, 30)
    canvas.drawCentredString(width / 2, height - MARGIN - 22 * mm, "备案证明")
    canvas.setFont(font, 12)
    canvas.drawCentredString(width / 2, height - MARGIN - 32 * mm, f"依据《{pack.regulation.title}》")

    y = height - MARGIN - 55 * mm
    value_width = width - 2 * MARGIN - LABEL_WIDTH
    for label, value in certificate_facts(firm, pack):
        canvas.setFont(font, 14)
        canvas.drawString(MARGIN, y, f"{label}：")
        for line in _wrap(value, font, 14, value_width):
            canvas.drawString(MARGIN + LABEL_WIDTH, y, line)
            y -= 9 * mm
        y -= 3 * mm

    canvas.setFont(font, 13)
    canvas.drawString(MARGIN, y - 4 * mm, "上述单位已依法向公安机关备案。")

    qr_y = MARGIN + 12 * mm
    _qr(canvas, verify_url, MARGIN, qr_y)
    canvas.setFont(font, 11)
    canvas.drawString(MARGIN + QR_SIZE + 6 * mm, qr_y + QR_SIZE - 8 * mm, "本证明可扫描二维码核验")
    canvas.setFont(font, 9)
    url_width = width - 2 * MARGIN - SEAL_ZONE - 4 * mm  # under the QR code, clear of the seal
    for i, line in enumerate(_wrap(verify_url, font, 9, url_width)[:2]):
        canvas.drawString(MARGIN, qr_y - 5 * mm - i * 4 * mm, line)
    canvas.setFont(font, 14)
    authority = pack.authority(firm.filing_authority_code)
    canvas.drawRightString(width - MARGIN, qr_y + 16 * mm, authority.name if authority else "")
    canvas.drawRightString(width - MARGIN, qr_y + 7 * mm, _date_zh(firm.filed_on))

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

"""Issue 14 point 13: the certificate has room for the bureau's seal over its name and the date, and a
proper PDF title and author (read back with poppler's pdftotext -bbox and pdfinfo)."""

from __future__ import annotations

import re
import subprocess

from lxml import etree

from reports.certificate import MARGIN, SEAL_ZONE, render_certificate
from tests.reports.test_certificate import URL, _need, make_firm
from workflows.rules import load_pack

MM = 72 / 25.4
PAGE_HEIGHT = 297 * MM
PAGE_WIDTH = 210 * MM


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float]]:
    _need("pdftotext")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True).stdout
    root = etree.fromstring(html, etree.XMLParser(recover=True))
    return [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in root.iter("{*}word")]


def test_the_seal_square_bottom_right_holds_only_the_bureaus_name_and_the_date(tmp_path):
    long_url = URL + "?" + "x" * 60  # a long public address wraps under the QR code, not into the seal
    pdf = render_certificate(make_firm(), load_pack("liaoning"), long_url)
    # The square, in pdftotext's points from the top left: right of the page's text column, above the margin.
    left, right = PAGE_WIDTH - MARGIN - SEAL_ZONE, PAGE_WIDTH - MARGIN
    bottom = PAGE_HEIGHT - (MARGIN + 2 * MM)
    top = bottom - SEAL_ZONE
    assert SEAL_ZONE >= 45 * MM  # a 42 mm 公章 with some air
    inside = [text for text, x0, y0, x1, y1 in _words(pdf, tmp_path)
              if x1 > left and x0 < right and y1 > top and y0 < bottom]
    assert sorted(inside) == sorted(["沈阳市公安局", "2026年3月2日"]), inside


def test_the_pdf_names_the_certificate_and_the_issuing_bureau(tmp_path):
    _need("pdfinfo")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate(make_firm(), load_pack("liaoning"), URL))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    fields = dict(re.findall(r"^([\w ]+):[ \t]*(.*)$", info, re.M))
    assert fields["Title"] == "备案证明：沈阳盛安安防科技有限公司（辽公技备〔2026〕210100-0001号）"
    assert fields["Author"] == "沈阳市公安局"

"""The filing certificate PDF: its Chinese text (read back with pdftotext), the QR check line, no personal
data, and no certificate for a firm whose filing is not in force."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from app.models import Firm
from app.models.firm import FirmBusinessType
from reports.certificate import CertificateError, certificate_facts, render_certificate
from workflows.rules import load_pack

URL = "https://jifang.example.gov.cn/roster/91210100MA0T000019"


def make_firm(**overrides) -> Firm:
    fields = {
        "name": "沈阳盛安安防科技有限公司",
        "credit_code": "91210100MA0T000019",
        "legal_rep": "赵铁柱",
        "contact_phone": "13912345678",
        "registered_address": "沈阳市和平区秘密路1号",
        "filing_number": "辽公技备〔2026〕210100-0001号",
        "filed_on": dt.date(2026, 3, 2),
        "filing_authority_code": "210100",
        "filing_status": "in_force",
        "business_types": [FirmBusinessType(type_code="design"), FirmBusinessType(type_code="installation")],
    }
    fields.update(overrides)
    return Firm(**fields)


def _need(tool: str) -> None:
    """Poppler reads the PDF back; .ci/run installs it, so under CI its absence is a failure."""
    if shutil.which(tool) is None:
        message = f"{tool} (poppler-utils) is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def pdf_text(pdf: bytes, tmp_path) -> str:
    _need("pdftotext")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_certificate_states_the_filing_in_chinese_with_the_qr_check_line(tmp_path):
    pdf = render_certificate(make_firm(), load_pack("liaoning"), URL)
    assert pdf.startswith(b"%PDF-") and b"/Count 1" in pdf
    text = pdf_text(pdf, tmp_path)
    for expected in ("备案证明", "辽宁省公共安全技术防范条例", "沈阳盛安安防科技有限公司", "91210100MA0T000019",
                     "辽公技备〔2026〕210100-0001号", "2026年3月2日", "沈阳市公安局", "设计、安装",
                     "本证明可扫描二维码核验", URL):
        assert expected in text, expected


def test_certificate_carries_no_personal_data(tmp_path):
    text = pdf_text(render_certificate(make_firm(), load_pack("liaoning"), URL), tmp_path)
    for secret in ("赵铁柱", "13912345678", "秘密路"):
        assert secret not in text


def test_long_names_wrap_instead_of_running_off_the_page(tmp_path):
    name = "沈阳盛安安防科技有限公司" * 5
    text = pdf_text(render_certificate(make_firm(name=name), load_pack("liaoning"), URL), tmp_path)
    assert "".join(text.split()).count("沈阳盛安安防科技有限公司") == 5


def test_inner_mongolia_certificate_names_its_bureau_and_business_types(tmp_path):
    firm = make_firm(filing_authority_code="150000", filing_number="内公技备〔2026〕0001号",
                     business_types=[FirmBusinessType(type_code="supervision")])
    facts = dict(certificate_facts(firm, load_pack("inner-mongolia")))
    assert facts["备案机关"] == "内蒙古自治区公安厅" and facts["业务类型"] == "监理"
    text = pdf_text(render_certificate(firm, load_pack("inner-mongolia"), URL), tmp_path)
    assert "内蒙古自治区公安厅" in text and "监理" in text


@pytest.mark.parametrize("overrides", [
    {"filing_status": "cancelled"},
    {"filing_status": "none", "filing_number": None, "filed_on": None},
])
def test_no_certificate_without_a_filing_in_force(overrides):
    with pytest.raises(CertificateError, match="没有有效的备案"):
        render_certificate(make_firm(**overrides), load_pack("liaoning"), URL)


def test_the_qr_code_opens_the_public_roster_entry(tmp_path):
    """Render the page as a phone camera would see it and decode the QR code."""
    _need("pdftoppm")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate(make_firm(), load_pack("liaoning"), URL))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [URL]


def test_the_font_is_embedded_as_a_subset_so_every_reader_shows_the_same_page(tmp_path):
    """STSong-Light was only named, never embedded: readers substituted a font and misspaced the digits."""
    _need("pdffonts")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate(make_firm(), load_pack("liaoning"), URL))
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = listing.splitlines()[2:]
    assert fonts, listing
    for line in fonts:  # name type encoding emb sub uni object ID
        columns = line.split()
        assert "WenQuanYiZenHei" in columns[0] and columns[0][6] == "+", listing  # ABCDEF+… : a subset
        assert columns[-5:-2] == ["yes", "yes", "yes"], listing  # emb, sub, uni
    assert "STSong" not in listing


def test_the_digits_are_read_back_as_written(tmp_path):
    """With the embedded font every glyph maps back to its character (pdffonts: uni yes), digits included."""
    text = pdf_text(render_certificate(make_firm(), load_pack("liaoning"), URL), tmp_path)
    assert "91210100MA0T000019" in text and "210100-0001" in text


def test_a_missing_font_file_is_a_clear_error(monkeypatch):
    from reportlab.pdfbase import pdfmetrics

    from reports import fonts

    monkeypatch.setattr(pdfmetrics, "getRegisteredFontNames", lambda: [])
    monkeypatch.setenv("JIFANG_PDF_FONT", "/nonexistent/font.ttc")
    with pytest.raises(fonts.FontMissing, match="fonts-wqy-zenhei"):
        fonts.chinese_font()

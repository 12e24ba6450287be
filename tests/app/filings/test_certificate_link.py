"""The certificate's printed link and QR code name the configured public address, whatever host a request
names (issue 9, defect 10: `Host: evil.example` was printed on a genuine certificate)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from app.models.firm import FirmBusinessType
from tests.reports.test_certificate import _need, pdf_text
from tests.support import everything_in, login, page_text, parse

PUBLIC = "https://jifang.example.gov.cn"


@pytest.fixture
def app_config():
    return {"PUBLIC_URL": PUBLIC + "/"}  # a trailing slash is dropped


@pytest.fixture
def firm_client(app, factory):
    firm = factory.firm("沈阳盛安安防科技有限公司", filing_number="辽公技备〔2026〕210100-0001号",
                        filed_on=dt.date(2026, 3, 2), filing_authority_code="210100", filing_status="in_force",
                        business_types=[FirmBusinessType(type_code="design")])
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    return client, firm


def qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """The page as a phone camera sees it, decoded with zxing-cpp."""
    _need("pdftoppm")
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return [code.text for code in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))]


@pytest.mark.parametrize("headers", [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"},
                                     {"Host": "evil.example", "X-Forwarded-Proto": "http"}])
def test_a_hostile_host_header_never_reaches_the_certificate(app, firm_client, tmp_path, headers):
    client, firm = firm_client
    # The firm's own session cookie, sent with whatever host the request names (no cookie jar in the way).
    raw = app.test_client(use_cookies=False)
    session = client.get_cookie("session").value
    response = raw.get("/filings/certificate.pdf", headers={**headers, "Cookie": f"session={session}"})
    assert response.status_code == 200
    expected = f"{PUBLIC}/roster/{firm.credit_code}"
    assert qr_codes(response.data, tmp_path) == [expected]
    text = pdf_text(response.data, tmp_path)
    assert expected in text and "evil" not in text
    assert b"evil" not in response.data


def test_the_qr_code_opens_the_check_page_under_the_public_address(app, firm_client, client):
    from app.roster.routes import entry_url

    _client, firm = firm_client
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        url = entry_url(firm)
    assert url == f"{PUBLIC}/roster/{firm.credit_code}"
    page = parse(client.get(url.removeprefix(PUBLIC), headers={"Host": "evil.example"}))
    assert "该单位的备案真实有效。" in page_text(page) and "evil.example" not in everything_in(page)


def test_an_https_public_address_makes_the_session_cookie_secure(app, firm_client):
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    client, _firm = firm_client
    client.get("/language")  # any page that writes the session
    response = client.get("/auth/login")
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    assert all("Secure" in c for c in cookies)

"""Downloading a case's documents: DOCX and PDF for the case's bureau and the provincial bureau, 404 for any
other bureau, every download audited; a document the case is not ready for is refused on the case page."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from lxml import html
from sqlalchemy import select

from app.extensions import db as _db
from app.models.audit import AuditEntry
from app.models.cases import OrderToCorrect
from tests.app.cases.test_case_documents_mapping import NUMBER, make_case, texts  # noqa: F401 - fixture
from tests.support import page_text

pytestmark = [pytest.mark.today("2026-11-28"), pytest.mark.usefixtures("texts")]


def url(case, kind, fmt):
    return f"/cases/{case.id}/documents/{kind}.{fmt}"


def test_the_bureau_downloads_the_decision_as_docx_and_pdf_and_each_download_is_audited(db, login_as):
    case = make_case()
    client, clerk = login_as("city_clerk", authority_code="210100")
    page = html.fromstring(client.get(f"/cases/{case.id}").get_data(as_text=True))
    links = page.xpath("//section[@id='documents']//li[@id='document-decision']/a/@href")
    assert links == [url(case, "decision", "docx"), url(case, "decision", "pdf")]

    response = client.get(url(case, "decision", "docx"))
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = "".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "人民币叁万元整" in text and "第三十一条第（一）项" in text
    pdf = client.get(url(case, "decision", "pdf"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")

    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "penalty_case.document_downloaded")
                                  .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.object_id, e.detail["kind"], e.detail["format"], e.detail["number"]) for e in entries] == [
        (clerk.id, str(case.id), "decision", "docx", NUMBER), (clerk.id, str(case.id), "decision", "pdf", NUMBER),
    ]


def test_another_bureau_gets_404_and_the_provincial_bureau_gets_the_file(db, login_as):
    case = make_case()
    other, _ = login_as("city_clerk", authority_code="210200")
    assert other.get(url(case, "decision", "pdf")).status_code == 404
    province, _ = login_as("provincial_clerk")
    assert province.get(url(case, "decision", "pdf")).status_code == 200


@pytest.mark.parametrize("role", ["firm", None])
def test_firms_and_visitors_cannot_download(db, login_as, client, role):
    case = make_case()
    browser = login_as(role)[0] if role else client
    assert browser.get(url(case, "decision", "pdf")).status_code in (302, 403, 404)
    assert _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "penalty_case.document_downloaded")) is None


def test_an_unknown_kind_or_format_is_404(db, login_as):
    case = make_case()
    client, _ = login_as("city_clerk", authority_code="210100")
    assert client.get(url(case, "licence", "pdf")).status_code == 404
    assert client.get(url(case, "decision", "exe")).status_code == 404


def test_a_document_the_case_is_not_ready_for_is_refused_on_the_case_page(db, login_as):
    case = make_case(outcome="pending", decided_on=None, served_on=None, state="notified")
    client, _ = login_as("city_clerk", authority_code="210100")
    response = client.get(url(case, "decision", "pdf"), follow_redirects=True)
    assert response.request.path == f"/cases/{case.id}"
    assert "暂不能出具行政处罚决定书：案件尚未作出决定，不能出具决定书" in page_text(response)
    assert _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "penalty_case.document_downloaded")) is None


def test_an_order_to_correct_offers_its_notice(db, login_as):
    order = OrderToCorrect(
        number="沈公（技）责改字〔2026〕0003号", authority_code="210100", jurisdiction="liaoning",
        party_name="沈阳盛京商贸广场有限公司", party_type="unit", party_id_type="credit_code",
        party_id_number="91210100MA0T000019", provision_code="liaoning-31", provision_item=1,
        facts="经营的大型商场未依法安装技防系统", issued_on=dt.date(2026, 11, 20), deadline=dt.date(2026, 12, 20),
    )
    _db.session.add(order)
    _db.session.commit()
    client, _ = login_as("city_clerk", authority_code="210100")
    page = html.fromstring(client.get(f"/cases/orders/{order.id}").get_data(as_text=True))
    pdf_link = f"/cases/orders/{order.id}/documents/order_to_correct.pdf"
    assert pdf_link in page.xpath("//li[@id='document-order_to_correct']/a/@href")
    response = client.get(pdf_link)
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    entry = _db.session.scalar(select(AuditEntry).where(AuditEntry.action == "order_to_correct.document_downloaded"))
    assert entry.object_id == str(order.id) and entry.detail["number"] == "沈公（技）责改字〔2026〕0003号"
    other, _ = login_as("city_clerk", authority_code="210200")
    assert other.get(pdf_link).status_code == 404

"""Uploaded materials are named and served by what their bytes are, never by the sender's file name, and
every download of one is audited (issue 9, defect 10: a PDF/HTML polyglot was served as poly.html)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.filings import uploads as filing_uploads
from app.filings.service import upload_materials
from app.models import AuditEntry, FilingDocument
from tests.app.filing_support import PDF, start, submitted_request
from tests.support import everything_in, login, page_text, parse, post_form

# Starts with %PDF- (so it is accepted as a PDF) and is also a web page with a script in it.
POLYGLOT = b"%PDF-1.4\n<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def _upload_polyglot(app, client) -> FilingDocument:
    """A firm saves its draft with the polyglot, named poly.html, as its first material."""
    material = upload_materials(app.extensions["jifang.pack"], True)[0].code
    request_id = start(client)
    response = post_form(client, f"/filings/{request_id}/edit",
                         {"save": "1", f"doc_{material}": (io.BytesIO(POLYGLOT), "poly.html")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return db.session.scalars(select(FilingDocument).where(FilingDocument.request_id == request_id)).one()


def _downloads():
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "filing.document_download").order_by(AuditEntry.id)).all()


def test_a_polyglot_sent_as_html_is_stored_shown_and_served_as_the_pdf_it_was_accepted_as(app, login_as):
    client, user = login_as("firm")
    document = _upload_polyglot(app, client)
    assert document.original_name == "poly.pdf" and document.content_type == "application/pdf"
    assert Path(document.stored_name).suffix == ".pdf" and filing_uploads.path_of(document).is_file()
    edit = parse(client.get(f"/filings/{document.request_id}/edit"))
    links = {page_text(a) for a in edit.select(f'#materials a[href="/filings/documents/{document.id}"]')}
    assert links == {"poly.pdf"} and "poly.html" not in everything_in(edit)

    with client.get(f"/filings/documents/{document.id}") as response:
        assert response.status_code == 200 and response.data == POLYGLOT
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "poly.pdf" in disposition and "html" not in disposition
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_row_stored_before_the_fix_is_still_served_under_the_detected_type(app, login_as):
    """Rows written by the old code keep the sender's name; the download renames it all the same."""
    client, _user = login_as("firm")
    document = _upload_polyglot(app, client)
    document.original_name, document.content_type = "poly.html", "text/html"
    db.session.commit()
    with client.get(f"/filings/documents/{document.id}") as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert "poly.pdf" in response.headers["Content-Disposition"]


def test_display_names_take_the_detected_extension():
    cases = {"poly.html": "poly.pdf", "营业执照": "营业执照.pdf", ".html": "未命名文件.pdf",
             "a.b.svg": "a.b.pdf", "dir/..\\evil.htm.": "evil.htm.pdf", None: "未命名文件.pdf"}
    for sent, shown in cases.items():
        assert filing_uploads.display_name(sent, "application/pdf") == shown, sent
    assert filing_uploads.display_name("photo.gif", "image/png") == "photo.png"


def test_every_download_is_audited_with_who_which_request_and_which_document(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    document = request.documents[0]
    clerk_user = factory.user("city_clerk", authority_code="210100")
    for user in (firm_user, clerk_user):
        client = app.test_client()
        login(client, user)
        with client.get(f"/filings/documents/{document.id}") as response:
            assert response.status_code == 200 and response.data == PDF
    entries = _downloads()
    assert [(e.actor_id, e.object_type, e.object_id) for e in entries] == [
        (firm_user.id, "filing_document", str(document.id)), (clerk_user.id, "filing_document", str(document.id))]
    assert entries[1].detail == {"request": request.id, "material": document.material_code,
                                 "name": re.sub(r"\.pdf$", "", document.original_name) + ".pdf",
                                 "sha256": document.sha256}


def test_a_download_refused_records_nothing(app, factory):
    request, _firm_user = submitted_request(app, factory, city_code="210100")
    stranger = factory.user("city_clerk", authority_code="210200")  # another city's bureau
    client = app.test_client()
    login(client, stranger)
    assert client.get(f"/filings/documents/{request.documents[0].id}").status_code == 404
    assert _downloads() == []

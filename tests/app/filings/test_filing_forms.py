"""The filing form: identifiers checked with their check characters, uploads recognised by content,
every error named by its field in Chinese."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FilingDocument, FilingRequest
from tests.app.filing_support import HTML, PDF, PNG, bad_resident_id, form_data, save, start
from tests.support import everything_in, page_text, post_form


def test_an_invalid_resident_id_is_refused_with_the_field_named(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    data = form_data(pack, staff=2)
    data["staff-1-id_number"] = bad_resident_id(2)
    response = save(client, request_id, data)
    assert response.status_code == 200
    assert "第2名人员身份证号码：身份证号码校验位不正确" in page_text(response)
    data["staff-1-id_number"] = "12345"
    assert "第2名人员身份证号码：身份证号码应为18位" in page_text(save(client, request_id, data))
    data["staff-1-id_number"] = ""
    assert "第2名人员身份证号码：请填写此项" in page_text(save(client, request_id, data))
    assert db.session.get(FilingRequest, request_id).staff == []  # nothing saved from a refused form


def test_an_invalid_credit_code_is_refused_with_the_field_named(client, factory):
    code = factory.credit_code("210102")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = post_form(client, "/auth/register", {
        "firm_name": "某公司", "credit_code": wrong, "username": "somefirm",
        "password": "good-pass-2026", "confirm": "good-pass-2026",
    })
    assert "统一社会信用代码：统一社会信用代码校验位不正确" in page_text(response)


def test_other_fields_are_named_too(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    response = save(client, request_id, form_data(pack, contact_phone="打电话", city_code="999999"))
    text = page_text(response)
    assert "联系电话：联系电话只能包含数字" in text
    assert "经营场所所在城市：" in text


def test_a_refused_submission_names_the_empty_required_fields_too(app, login_as):
    """One round: a malformed phone and an empty firm name are both named when the firm submits."""
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    text = page_text(save(client, request_id, form_data(pack, contact_phone="打电话", name="", legal_rep=""),
                          send=True))
    assert "联系电话：联系电话只能包含数字" in text
    assert "单位名称：提交前须填写此项" in text
    assert "法定代表人：提交前须填写此项" in text
    # saving a draft stays lenient: only the malformed field is named
    page = save(client, request_id, form_data(pack, contact_phone="打电话", name=""))
    assert "联系电话：联系电话只能包含数字" in page_text(page) and "单位名称：提交前须填写此项" not in everything_in(page)


def _stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "filings"
    return list(folder.iterdir()) if folder.exists() else []


def _upload(client, request_id, pack, content: bytes, filename: str):
    data = form_data(pack)
    data["doc_business_licence"] = (io.BytesIO(content), filename)
    return save(client, request_id, data)


@pytest.mark.parametrize(
    ("content", "filename", "expected_type", "shown_as"),
    [(PDF, "licence.pdf", "application/pdf", "licence.pdf"), (PNG, "licence.pdf", "image/png", "licence.png"),
     (PNG, "scan.exe", "image/png", "scan.png"), (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "photo.png", "image/jpeg", "photo.jpg")],
)
def test_uploads_are_typed_by_their_content_not_their_name(app, login_as, content, filename, expected_type, shown_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    assert _upload(client, request_id, pack, content, filename).status_code == 302
    document = db.session.scalars(select(FilingDocument)).one()
    assert document.content_type == expected_type and document.original_name == shown_as  # the detected extension
    stored = Path(app.config["UPLOAD_FOLDER"]) / "filings" / document.stored_name
    assert stored.read_bytes() == content
    assert "static" not in stored.parts and filename.split(".")[0] not in document.stored_name
    with client.get(f"/filings/documents/{document.id}") as response:
        assert response.mimetype == expected_type
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert shown_as in response.headers["Content-Disposition"]


@pytest.mark.parametrize("content", [HTML, b"GIF89a" + b"\x00" * 20, b"PK\x03\x04zip", b""])
def test_uploads_that_are_not_pdf_jpeg_or_png_are_refused(app, login_as, content):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    response = _upload(client, request_id, pack, content, "licence.pdf")
    text = page_text(response)
    assert response.status_code == 200
    assert "营业执照：只接受PDF、JPEG或PNG文件" in text or "营业执照：文件为空" in text
    assert db.session.scalar(select(FilingDocument.id)) is None
    assert _stored_files(app) == []


@pytest.mark.parametrize("app_config", [{"UPLOAD_MAX_BYTES": 1024}])
def test_an_oversize_upload_is_refused(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    response = _upload(client, request_id, pack, PDF + b"0" * 2048, "big.pdf")
    assert "营业执照：文件超过" in page_text(response)
    assert db.session.scalar(select(FilingDocument.id)) is None
    assert _stored_files(app) == []
    assert _upload(client, request_id, pack, PDF, "small.pdf").status_code == 302


def test_a_document_is_deleted_from_a_draft(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    _upload(client, request_id, pack, PDF, "licence.pdf")
    document = db.session.scalars(select(FilingDocument)).one()
    stored = Path(app.config["UPLOAD_FOLDER"]) / "filings" / document.stored_name
    response = post_form(client, f"/filings/{request_id}/documents/{document.id}/delete", {},
                         token_from=f"/filings/{request_id}/edit")
    assert response.status_code == 302
    assert db.session.scalar(select(FilingDocument.id)) is None and not stored.exists()

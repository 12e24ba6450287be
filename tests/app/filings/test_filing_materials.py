"""Uploaded materials are never lost to another field's error, and never outlive the rows that name them:
a refused form keeps its valid files; withdrawal of a draft, deletion and replacement remove the file from
UPLOAD_FOLDER once the database commit has succeeded (a rollback keeps the file with its row)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FilingDocument, FilingRequest
from tests.app.filing_support import (
    HTML,
    PDF,
    PNG,
    bad_resident_id,
    decide,
    form_data,
    save,
    start,
    submit_new,
)
from tests.support import login, page_text, parse, post_form


def _stored(app, document: FilingDocument) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / "filings" / document.stored_name


def _documents(request_id: int) -> list[FilingDocument]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(FilingDocument).where(FilingDocument.request_id == request_id).order_by(FilingDocument.id)
    ))


def _files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "filings"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


# --- 1. a refused form keeps the files it carried ------------------------------------------------------
def test_a_valid_upload_is_kept_when_another_field_is_refused(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    data = form_data(pack)
    data["staff-0-id_number"] = bad_resident_id(1)
    data["doc_business_licence"] = (io.BytesIO(PDF), "营业执照扫描件.pdf")
    data["doc_rules"] = (io.BytesIO(PNG), "管理制度.png")
    response = save(client, request_id, data, send=True)
    page = parse(response)

    assert response.status_code == 200
    assert "第1名人员身份证号码：身份证号码校验位不正确" in page_text(page)  # the error, named
    # Both files are on the draft and listed as uploaded, by the names the firm gave them.
    documents = _documents(request_id)
    assert [(d.material_code, d.original_name) for d in documents] == [
        ("business_licence", "营业执照扫描件.pdf"), ("rules", "管理制度.png"),
    ]
    assert all(_stored(app, d).read_bytes() in (PDF, PNG) for d in documents)
    materials = page.find(id="materials")
    links = {a["href"]: page_text(a) for a in materials.find_all("a", href=True)}
    for d in documents:
        assert links.get(f"/filings/documents/{d.id}") == d.original_name
    # Nothing else from the refused form was saved.
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.staff) == ("draft", []) and request.name != "测试安防工程有限公司"
    upload_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "filing.upload")).one()
    assert [u["material"] for u in upload_entry.detail["uploads"]] == ["business_licence", "rules"]

    # The corrected post carries no files and is submitted on the ones already there.
    response = save(client, request_id, form_data(pack), send=True)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.expire_all()
    request = db.session.get(FilingRequest, request_id)
    assert request.state == "under_review"
    assert [d.original_name for d in request.documents] == ["营业执照扫描件.pdf", "管理制度.png"]


def test_content_checks_still_apply_per_file_when_another_field_is_refused(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    data = form_data(pack, contact_phone="打电话")
    data["doc_business_licence"] = (io.BytesIO(HTML), "licence.pdf")
    data["doc_rules"] = (io.BytesIO(PDF), "rules.pdf")
    text = page_text(save(client, request_id, data))
    assert "联系电话：联系电话只能包含数字" in text
    assert "营业执照：只接受PDF、JPEG或PNG文件" in text
    assert [(d.material_code, d.original_name) for d in _documents(request_id)] == [("rules", "rules.pdf")]
    assert len(_files(app)) == 1  # the refused file left nothing behind


def test_a_post_without_its_csrf_token_stores_no_file(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id = start(client)
    data = form_data(pack, contact_phone="打电话", save="1")
    data["doc_business_licence"] = (io.BytesIO(PDF), "licence.pdf")
    assert client.post(f"/filings/{request_id}/edit", data=data).status_code == 400
    assert _documents(request_id) == [] and _files(app) == set()


# --- 2. files go when their rows go, and only then ------------------------------------------------------
def _draft_with_licence(app, client, pack, filename="licence.pdf") -> tuple[int, FilingDocument]:
    request_id = start(client)
    data = form_data(pack)
    data["doc_business_licence"] = (io.BytesIO(PDF), filename)
    assert save(client, request_id, data).status_code == 302
    (document,) = _documents(request_id)
    assert _stored(app, document).is_file()
    return request_id, document


def test_withdrawing_a_draft_removes_its_files(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id, document = _draft_with_licence(app, client, pack)
    stored = _stored(app, document)
    response = post_form(client, f"/filings/{request_id}/withdraw", {}, token_from=f"/filings/{request_id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "withdrawn"
    assert _documents(request_id) == [] and not stored.exists() and _files(app) == set()


def test_withdrawing_a_submitted_request_keeps_what_the_bureau_received(app, factory):
    pack = app.extensions["jifang.pack"]
    user = factory.user("firm", firm=factory.firm(division="210102"))
    client = app.test_client()
    login(client, user)
    request_id = submit_new(client, pack, city_code="210100")
    post_form(client, f"/filings/{request_id}/withdraw", {}, token_from=f"/filings/{request_id}")
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "withdrawn"
    documents = _documents(request_id)
    assert documents and all(_stored(app, d).is_file() for d in documents)


def test_a_document_replaced_by_a_new_upload_of_the_same_material_loses_its_file(app, login_as):
    pack = app.extensions["jifang.pack"]
    client, _ = login_as("firm")
    request_id, old = _draft_with_licence(app, client, pack, "old.pdf")
    old_file = _stored(app, old)
    data = form_data(pack)
    data["doc_business_licence"] = (io.BytesIO(PNG), "new.png")
    assert save(client, request_id, data).status_code == 302
    (new,) = _documents(request_id)
    assert (new.original_name, new.content_type) == ("new.png", "image/png")
    assert not old_file.exists() and _stored(app, new).read_bytes() == PNG
    assert _files(app) == {new.stored_name}

    # A refused file replaces nothing.
    data["doc_business_licence"] = (io.BytesIO(HTML), "evil.pdf")
    assert save(client, request_id, data).status_code == 200
    assert [d.original_name for d in _documents(request_id)] == ["new.png"] and _stored(app, new).is_file()


def test_a_failed_commit_keeps_the_file_with_its_row(app, login_as, monkeypatch):
    from app.filings import service as filings

    pack = app.extensions["jifang.pack"]
    client, user = login_as("firm")
    request_id, document = _draft_with_licence(app, client, pack)
    stored, document_id = _stored(app, document), document.id

    def broken_commit():
        raise RuntimeError("database went away")

    for operation in (lambda r: filings.delete_document(r, document_id, user), lambda r: filings.withdraw(r, user)):
        request = db.session.get(FilingRequest, request_id)
        monkeypatch.setattr(db.session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            operation(request)
        monkeypatch.undo()
        db.session.rollback()
        assert [d.id for d in _documents(request_id)] == [document_id] and stored.is_file()
        assert db.session.get(FilingRequest, request_id).state == "draft"


def _filed_firm(app, factory):
    pack = app.extensions["jifang.pack"]
    user = factory.user("firm", firm=factory.firm(division="210102"))
    client = app.test_client()
    login(client, user)
    request_id = submit_new(client, pack, city_code="210100")
    clerk = factory.user("city_clerk", authority_code="210100")
    clerk_client = app.test_client()
    login(clerk_client, clerk)
    assert decide(clerk_client, request_id, "approve").status_code == 302
    return client, request_id


def test_a_change_draft_shares_the_filed_files_and_never_removes_them(app, factory):
    pack = app.extensions["jifang.pack"]
    client, filed_id = _filed_firm(app, factory)
    filed_files = {d.stored_name for d in _documents(filed_id)}

    change_id = start(client, "change")
    assert {d.stored_name for d in _documents(change_id)} == filed_files  # copied rows, same files
    data = form_data(pack, reason="换发营业执照")
    data["doc_business_licence"] = (io.BytesIO(PDF), "新营业执照.pdf")
    assert save(client, change_id, data).status_code == 302  # replaces the change's copy only
    # The copy it replaced stays in the change's history (issue 14 point 5), marked replaced.
    new_licence = next(d for d in _documents(change_id) if d.material_code == "business_licence" and not d.replaced_at)
    assert new_licence.original_name == "新营业执照.pdf"
    assert filed_files <= _files(app)

    post_form(client, f"/filings/{change_id}/withdraw", {}, token_from=f"/filings/{change_id}")
    assert _documents(change_id) == []
    assert _files(app) == filed_files  # the new licence went; the filed request's files stay
    assert all(_stored(app, d).is_file() for d in _documents(filed_id))

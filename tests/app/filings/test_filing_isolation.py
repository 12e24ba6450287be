"""Firm A can neither read nor change firm B's filing or uploads through any ID in a URL or a form; a
clerk of one city can neither see nor act on another city's filings."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FilingDocument, FilingRequest
from tests.app.filing_support import PDF, decide, form_data, queue_ids, save, start, submit_new, upload_fields
from tests.support import login, post_form


def _firm(app, factory, division="210102"):
    user = factory.user("firm", firm=factory.firm(division=division))
    client = app.test_client()
    login(client, user)
    return client, user


def test_firm_b_cannot_read_or_change_firm_a_request_or_uploads(app, factory):
    pack = app.extensions["jifang.pack"]
    a, user_a = _firm(app, factory)
    b, user_b = _firm(app, factory)
    draft_a = start(a)
    data = form_data(pack, city_code="210100", name="甲公司")
    data.update(upload_fields(pack))
    assert save(a, draft_a, data).status_code == 302
    document = db.session.scalars(select(FilingDocument).where(FilingDocument.request_id == draft_a)).first()
    own_b = start(b)
    token_page = f"/filings/{own_b}"

    for path in (f"/filings/{draft_a}", f"/filings/{draft_a}/edit", f"/filings/documents/{document.id}"):
        assert b.get(path).status_code == 404, path
    posts = (
        (f"/filings/{draft_a}/edit", {**form_data(pack, name="乙篡改"), "save": "1"}),
        (f"/filings/{draft_a}/edit", {**form_data(pack, name="乙篡改"), "send": "1"}),
        (f"/filings/{draft_a}/withdraw", {}),
        (f"/filings/{draft_a}/documents/{document.id}/delete", {}),
        # B's own request, A's document ID: the document is looked up within B's request only.
        (f"/filings/{own_b}/documents/{document.id}/delete", {}),
    )
    for path, payload in posts:
        assert post_form(b, path, payload, token_from=token_page).status_code == 404, path

    # Form fields naming another firm are ignored: the firm and its credit code come from the account.
    response = save(b, own_b, {**form_data(pack, name="乙公司"), "firm_id": str(user_a.firm_id),
                               "credit_code": user_a.firm.credit_code})
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.get(FilingRequest, own_b)
    assert own.firm_id == user_b.firm_id and own.firm.credit_code != user_a.firm.credit_code

    a_request = db.session.get(FilingRequest, draft_a)
    assert a_request.name == "甲公司" and a_request.state == "draft" and len(a_request.documents) == len(
        upload_fields(pack)
    )
    # A still reads its own file, as an attachment that no browser sniffs into something else.
    with a.get(f"/filings/documents/{document.id}") as response:
        assert response.status_code == 200 and response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_clerk_of_another_city_can_neither_see_nor_act(app, factory):
    pack = app.extensions["jifang.pack"]
    firm_client, _ = _firm(app, factory)
    request_id = submit_new(firm_client, pack, city_code="210200")
    document = db.session.scalars(select(FilingDocument).where(FilingDocument.request_id == request_id)).first()

    shenyang = factory.user("city_clerk", authority_code="210100")
    client = app.test_client()
    login(client, shenyang)
    assert queue_ids(client) == []
    assert client.get(f"/review/{request_id}").status_code == 404
    assert client.get(f"/filings/documents/{document.id}").status_code == 404
    for path, payload in (
        (f"/review/{request_id}/decide", {"action": "approve"}),
        (f"/review/{request_id}/decide", {"action": "reject", "comment": "越权"}),
        (f"/review/{request_id}/locality", {"is_local": "0", "reason": "越权"}),
    ):
        assert post_form(client, path, payload, token_from="/review/").status_code == 404, path
    db.session.expire_all()
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.authority_code, request.firm.is_local) == ("under_review", "210200", True)

    # The provincial bureau is not on a local firm's Liaoning route either.
    province = factory.user("provincial_clerk", authority_code="210000")
    client = app.test_client()
    login(client, province)
    assert client.get(f"/review/{request_id}").status_code == 404
    assert decide(client, request_id, "approve").status_code in (400, 404)

    # The Dalian clerk, whose bureau holds it, reads the materials too.
    dalian = factory.user("city_clerk", authority_code="210200")
    client = app.test_client()
    login(client, dalian)
    with client.get(f"/filings/documents/{document.id}") as response:
        assert response.status_code == 200
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action.like("filing.approve%"))) is None


def test_a_firm_cannot_download_a_draft_it_does_not_own_by_guessing_ids(app, factory):
    pack = app.extensions["jifang.pack"]
    a, _ = _firm(app, factory)
    b, _ = _firm(app, factory)
    request_id = start(a)
    data = form_data(pack)
    data["doc_business_licence"] = (io.BytesIO(PDF), "licence.pdf")
    save(a, request_id, data)
    ids = db.session.scalars(select(FilingDocument.id)).all()
    for document_id in [*ids, max(ids) + 1, 0]:
        assert b.get(f"/filings/documents/{document_id}").status_code == 404
    clerk = factory.user("city_clerk", authority_code="210100")
    client = app.test_client()
    login(client, clerk)
    for document_id in ids:  # a draft has reached no bureau yet
        assert client.get(f"/filings/documents/{document_id}").status_code == 404

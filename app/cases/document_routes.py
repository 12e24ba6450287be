"""The documents of a penalty case as files: DOCX to edit and print, PDF to print as it is.

Same scope as the case pages (app.cases.service.for_user: the case's bureau and the provincial bureau;
another bureau's case answers 404). Every download is audited with the document's kind, format and number.
A document whose facts the case does not hold yet is refused on the case page, saying what is missing.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import audit
from app.cases import bp
from app.cases import service as svc
from app.cases.documents import CASE_KINDS, ORDER_KINDS, case_document, order_document
from app.extensions import db
from app.security import CASE_STAFF, allow
from reports.case_documents import KIND_TITLES, DocumentFactsError, to_docx, to_pdf
from workflows.time_limits import china_today

FORMATS = {
    "docx": (to_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (to_pdf, "application/pdf"),
}


def _send(record, action: str, kind: str, fmt: str, make, back: str):
    renderer, mimetype = FORMATS[fmt]
    try:
        document = make()
    except DocumentFactsError as exc:
        flash(_("暂不能出具%(title)s：%(reason)s", title=_(KIND_TITLES[kind]), reason=str(exc)), "error")
        return redirect(back)
    data = renderer(document)
    audit.record(action, record, detail={"kind": kind, "format": fmt, "number": document.number,
                                         "title": document.title})
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"{document.filename}.{fmt}")


@bp.route("/<int:case_id>/documents/<kind>.<fmt>")
@allow(*CASE_STAFF)
def case_document_file(case_id: int, kind: str, fmt: str):
    case = svc.for_user(case_id, current_user)
    if case is None or kind not in CASE_KINDS or fmt not in FORMATS:
        abort(404)
    return _send(case, "penalty_case.document_downloaded", kind, fmt,
                 lambda: case_document(case, kind, china_today()), url_for("cases.detail", case_id=case.id))


@bp.route("/orders/<int:order_id>/documents/<kind>.<fmt>")
@allow(*CASE_STAFF)
def order_document_file(order_id: int, kind: str, fmt: str):
    order = svc.order_for_user(order_id, current_user)
    if order is None or kind not in ORDER_KINDS or fmt not in FORMATS:
        abort(404)
    return _send(order, "order_to_correct.document_downloaded", kind, fmt, lambda: order_document(order),
                 url_for("cases.order", order_id=order.id))


@bp.app_template_global("case_documents")
def case_documents(case=None, order=None) -> list[dict]:
    """The documents the case (or order) page offers, with their links: those its record has reached (the
    notice once a penalty is proposed, the hearing notice once one is asked for, the decision and its proof
    of service once decided, the reminder once a fine is served)."""
    if case is not None:
        reached = {
            "notice": bool(case.proposed_fen),
            "hearing_notice": bool(case.hearing_requested_on),
            "decision": bool(case.decided_on),
            "service_proof": bool(case.decided_on),
            "reminder": case.outcome == "fined" and bool(case.served_on),
        }
        kinds = [kind for kind in CASE_KINDS if reached[kind]]
        endpoint, args = "cases.case_document_file", {"case_id": case.id}
    elif order is not None:
        kinds, endpoint, args = list(ORDER_KINDS), "cases.order_document_file", {"order_id": order.id}
    else:
        return []
    title = {"decision": "不予行政处罚决定书"} if case is not None and case.outcome == "no_penalty" else {}
    return [
        {"kind": kind, "title": title.get(kind, KIND_TITLES[kind]),
         **{fmt: url_for(endpoint, kind=kind, fmt=fmt, **args) for fmt in FORMATS}}
        for kind in kinds
    ]

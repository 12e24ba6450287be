"""The register's pages (thin: filters → service → template). Scope: firm_claims.clerk_may_manage; a firm
of another bureau answers 404 like one that does not exist. An individual's identity document is shown
only on asking, and each showing is audited (个人信息保护法 art. 28)."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user

from app import audit
from app.accounts import claims as firm_claims
from app.complaints import service as complaint_svc
from app.complaints import warnings as warning_svc
from app.extensions import db
from app.filings import service as filings
from app.register import bp, service
from app.security import CLERKS, allow
from forms import N_
from workflows.identifiers import mask_resident_id

STATUS_LABELS = {"in_force": N_("已备案"), "cancelled": N_("已注销"), "none": N_("未备案")}
CASE_OUTCOMES = {"fined": N_("罚款"), "warning_only": N_("警告"), "no_penalty": N_("不予处罚"),
                 "withdrawn": N_("撤销立案"), "pending": N_("待决定")}
COMPLAINT_OUTCOMES = {"substantiated": N_("查证属实"), "unsubstantiated": N_("查证不属实"), "refused": N_("不予受理"),
                      "pending": N_("办理中")}


def _cities():
    """The cities a clerk may filter by: the bureau's own (the province: all)."""
    pack = service.current_pack()
    if current_user.role == "provincial_clerk":
        return list(pack.cities)
    return [c for c in pack.cities if c.authority == current_user.authority_code]


def _filters() -> service.Filters:
    args = request.args
    pack = service.current_pack()
    city = args.get("city", "")
    status = args.get("status", "")
    business_type = args.get("business_type", "")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    return service.Filters(
        q=args.get("q", "")[:100].strip(),
        city=city if city in {c.code for c in _cities()} else "",
        status=status if status in service.STATUSES else "",
        business_type=business_type if pack.business_type(business_type) else "",
        warnings=args.get("warnings") == "1",
        complaints=args.get("complaints") == "1",
        page=page,
    )


@bp.route("/")
@allow(*CLERKS)
def index():
    pack = service.current_pack()
    filters = _filters()
    firms, total = service.search(current_user, filters)
    pages = max(1, -(-total // service.PAGE_SIZE))
    return render_template(
        "register/index.html", firms=firms, total=total, filters=filters, pages=pages,
        marks=service.marks([f.id for f in firms]), cities=_cities(), pack=pack,
        status_labels=STATUS_LABELS, authority=pack.authority(current_user.authority_code),
    )


def _firm_or_404(firm_id: int):
    firm = firm_claims.firm_by_id_for_clerk(current_user, firm_id)
    if firm is None:
        abort(404)
    return firm


def _label(load, state: str) -> str:
    try:
        return load(state)
    except Exception:  # a state another version of the workflow no longer names: show it as stored
        return state


def _case_state_label(state: str) -> str:
    from workflows.engine import load_definition

    return load_definition("penalty_case").state_label(state)


def _render_firm(firm, *, identity_shown: bool = False):
    pack = service.current_pack()
    history = service.history(firm)
    filing_wf = filings.workflow()
    complaint_wf = complaint_svc.workflow()
    requests = [{
        "r": r, "state": _label(filing_wf.state_label, r.state),
        "link": url_for("review.detail", request_id=r.id) if filings.for_clerk(r.id, current_user) else None,
    } for r in history["requests"]]
    complaints = [{
        "c": c, "state": _label(complaint_wf.state_label, c.state),
        "outcome": COMPLAINT_OUTCOMES.get(c.outcome, c.outcome),
        "link": url_for("complaints.detail", complaint_id=c.id)
        if complaint_svc.for_clerk(c.id, current_user) else None,
    } for c in history["complaints"]]
    warnings = [{
        "w": w, "state": _label(warning_svc.state_label, w.state),
        "link": url_for("complaints.warning_detail", notice_id=w.id)
        if warning_svc.for_clerk(w.id, current_user) else None,
    } for w in history["warnings"]]
    case_link = "cases.detail" in current_app.view_functions
    cases = [{
        "k": k, "state": _label(_case_state_label, k.state), "outcome": CASE_OUTCOMES.get(k.outcome, k.outcome),
        "link": url_for("cases.detail", case_id=k.id) if case_link else None,
    } for k in history["cases"]]
    identity = None
    if firm.is_individual and firm.id_document_number:
        number = firm.id_document_number
        identity = number if identity_shown else (
            mask_resident_id(number) if firm.id_document_type == "resident_id" else number[:2] + "*" * (len(number) - 2))
    authority = pack.authority(firm_claims.firm_authority(firm))
    return render_template(
        "register/firm.html", firm=firm, pack=pack, city=pack.city(firm.city_code), authority=authority,
        filing_authority=pack.authority(firm.filing_authority_code), status_labels=STATUS_LABELS,
        business_types=[pack.business_type(code) for code in firm.business_type_codes],
        requests=requests, complaints=complaints, warnings=warnings, cases=cases,
        identity=identity, identity_shown=identity_shown,
    )


@bp.route("/<int:firm_id>")
@allow(*CLERKS)
def firm(firm_id: int):
    return _render_firm(_firm_or_404(firm_id))


@bp.route("/<int:firm_id>/identity")
@allow(*CLERKS)
def identity(firm_id: int):
    """The firm's page with the individual's identity document number in full; audited and committed
    before the page is sent."""
    found = _firm_or_404(firm_id)
    if not found.is_individual or not found.id_document_number:
        abort(404)
    audit.record("firm.id_document_viewed", found, detail={"id_document_type": found.id_document_type})
    db.session.commit()
    return _render_firm(found, identity_shown=True)


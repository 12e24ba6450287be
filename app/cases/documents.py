"""A penalty case (or an order to correct) as the facts its documents state: the one mapping from the case
records (app/models/cases.py) and the packs to reports.case_documents.CaseDocumentFacts.

Which documents a case offers follows its record: the notice once a penalty is proposed, the hearing notice
once a hearing is asked for, the decision, the proof of service and the reminder once decided. A document
whose facts are not all recorded yet is refused by its builder (DocumentFactsError, shown to the clerk).
"""

from __future__ import annotations

import datetime as dt

from app.cases.service import user_name
from app.models.cases import NO_PENALTY_REASONS, PARTY_ID_TYPES, SERVICE_METHODS, OrderToCorrect, PenaltyCase
from app.penalties.regulations import article_text
from reports.case_documents import (
    KIND_TITLES,
    CaseDocumentFacts,
    Document,
    DocumentFactsError,
    Hearing,
    Party,
    PaymentPlace,
    Penalty,
    Provision,
    Reminder,
    Service,
    build,
    review_body_for,
)
from workflows.case_periods import Pause, Payment, amount_due_fen
from workflows.penalty_pack import PenaltyPackError, load_penalty_pack
from workflows.rules import PackError, load_pack

CASE_KINDS = ("notice", "hearing_notice", "decision", "service_proof", "reminder")
ORDER_KINDS = ("order_to_correct",)
# A case's number is its decision's (罚决字); the other documents of the case take their own 字 in its place.
SERIES = {"notice": "罚告字", "hearing_notice": "听通字", "service_proof": "送达字", "reminder": "催告字"}


def document_number(case_number: str, kind: str) -> str:
    if kind not in SERIES:
        return case_number
    if "罚决字" in case_number:
        return case_number.replace("罚决字", SERIES[kind])
    return f"{case_number}（{KIND_TITLES[kind]}）"


def _provision(record, regulation: str) -> tuple[tuple[Provision, ...], tuple[Provision, ...], tuple[str, ...]]:
    """(violated, basis, other measures) of the record's provision and item, each with the stored text."""
    try:
        provision = load_penalty_pack(record.jurisdiction).provision(record.provision_code)
    except (PenaltyPackError, KeyError) as exc:
        raise DocumentFactsError(f"规则包中没有该违法行为：{record.provision_code}") from exc
    item = provision.item(record.provision_item) if record.provision_item else None

    def with_text(citation) -> Provision:
        stored = None if citation.law else article_text(record.jurisdiction, citation.article)
        return Provision(law=citation.law or regulation, article=citation.article, paragraph=citation.paragraph,
                         items=tuple(citation.items), text=stored.text if stored else "")

    violated = tuple(with_text(c) for c in (item.violates if item and item.violates else provision.violates))
    measures = tuple("责令改正违法行为" for m in provision.measures if m.code == "order_to_correct")
    return violated, (with_text(provision.cited(item)),), measures


def _party(record) -> Party:
    firm = record.firm
    identifier = record.party_id_number or getattr(record, "credit_code", None) or (firm.credit_code if firm else "")
    return Party(
        name=record.party_name,
        type="individual" if record.party_type == "individual" else "unit",
        identifier=identifier or "",
        address=record.party_address or (firm.registered_address if firm else ""),
        legal_representative=firm.legal_rep if firm and record.party_type != "individual" else "",
        id_label=PARTY_ID_TYPES.get(record.party_id_type, "") if record.party_id_type != "resident_id" else "",
    )


def _common(record, number: str, issued_on: dt.date) -> dict:
    try:
        pack = load_pack(record.jurisdiction)
    except PackError as exc:
        raise DocumentFactsError(f"没有该辖区的规则包：{record.jurisdiction}") from exc
    authority = pack.authority(record.authority_code)
    if authority is None:
        raise DocumentFactsError("该案件没有办案机关（导入的历史案件不出具文书）")
    place = pack.fine_payment_place(authority.code)
    violated, basis, measures = _provision(record, pack.regulation.title)
    return {
        "authority": authority.name,
        "number": number,
        "party": _party(record),
        "issued_on": issued_on,
        "facts": record.facts,
        "act_date": record.act_date,
        "discovered_on": record.discovered_on,
        "violated": violated,
        "basis": basis,
        "payment": PaymentPlace(place.bank, place.account_name, place.account_number, place.electronic) if place else None,
        "review_body": review_body_for(authority.name, authority.level, authority.review_body),
        "_measures": measures,
    }


def order_facts(order: OrderToCorrect) -> CaseDocumentFacts:
    """The facts of the 责令限期改正通知书 of an order to correct."""
    common = _common(order, order.number, order.issued_on)
    common.pop("_measures")
    return CaseDocumentFacts(**common, correction_deadline=order.deadline)


def case_facts(case: PenaltyCase, kind: str, today: dt.date) -> CaseDocumentFacts:
    """The facts of one document of a case; `today` dates a document the record does not date (the notice
    before it is sent, the reminder)."""
    issued_on = {
        "notice": case.notified_on,
        "decision": case.decided_on,
        "service_proof": case.decided_on,
        "hearing_notice": case.hearing_notice_on,
    }.get(kind) or today
    common = _common(case, document_number(case.case_number, kind), issued_on)
    measures = common.pop("_measures")
    if kind == "notice":
        penalty = Penalty(fine_fen=case.proposed_fen or 0, other_measures=measures) if case.proposed_fen else None
    elif case.outcome == "fined":
        penalty = Penalty(fine_fen=case.fine_decided_fen, other_measures=measures)
    elif case.outcome == "warning_only":
        penalty = Penalty(warning=True, other_measures=measures)
    else:
        penalty = None
    statements = "；".join(part for part in (
        f"当事人陈述、申辩：{case.party_statement}" if case.party_statement else "",
        f"听证情况：{case.hearing_record}" if case.hearing_record else "",
    ) if part)
    decision_title = "不予行政处罚决定书" if case.outcome == "no_penalty" else KIND_TITLES["decision"]
    reminder = _reminder(case, today) if kind == "reminder" else None
    return CaseDocumentFacts(
        **common,
        penalty=penalty,
        no_penalty_reason=NO_PENALTY_REASONS.get(case.no_penalty_reason, "") if case.outcome == "no_penalty" else "",
        statements=statements,
        hearing_due=case.hearing_offered,
        hearing_request_by=case.hearing_request_due,
        hearing=_hearing(case),
        service=Service(
            document_title=decision_title, document_number=case.case_number,
            method=SERVICE_METHODS.get(case.service_method, ""), place=case.party_address,
            served_on=case.served_on,
        ),
        reminder=reminder,
    )


def _hearing(case: PenaltyCase) -> Hearing | None:
    """The hearing as scheduled (app/cases/hearing_routes.py): its day and time are a Beijing wall clock, given
    to the notice as a naive datetime; None until scheduled (the hearing notice is then refused, saying so)."""
    if case.hearing_on is None or case.hearing_time is None or not case.hearing_place:
        return None
    return Hearing(at=dt.datetime.combine(case.hearing_on, case.hearing_time), place=case.hearing_place,
                   requested_on=case.hearing_requested_on, host=user_name(case.hearing_host_id),
                   public=bool(case.hearing_public))


def _reminder(case: PenaltyCase, today: dt.date) -> Reminder:
    """What the reminder demands on `today`: the fine not yet paid at the bank (the case's receipts) and the
    surcharge to that day, paused days excluded (workflows.case_periods.amount_due_fen, as the case page counts);
    for a provision that orders removal (LN 33, QHD 24) the removal too (行政强制法 art. 13)."""
    if case.outcome != "fined" or not case.served_on or not case.decided_on:
        raise DocumentFactsError("只有已送达的罚款决定才能催告")
    payments = [Payment(p.paid_on, p.amount_fen) for p in case.payments if p.paid_on <= today]
    pauses = [Pause(p.start_on, p.end_on) for p in case.pauses]
    unpaid = max(0, case.fine_decided_fen - sum(p.amount_fen for p in payments))
    surcharge = 0
    if case.fine_decided_fen > 0 and today >= case.served_on:
        due = amount_due_fen(case.fine_decided_fen, case.served_on, today, paused=pauses, payments=payments)
        surcharge = max(0, due.outstanding_fen - unpaid)
    provision = load_penalty_pack(case.jurisdiction).provision(case.provision_code)
    removal = "；".join(m.display for m in provision.measures if m.code in ("order_to_remove", "forced_removal"))
    return Reminder(decision_number=case.case_number, decision_date=case.decided_on, served_on=case.served_on,
                    as_of=today, unpaid_fen=unpaid, surcharge_fen=surcharge,
                    other_duty=removal if case.enforcement is not None and case.enforcement.court_removal else "")


def case_document(case: PenaltyCase, kind: str, today: dt.date) -> Document:
    if kind not in CASE_KINDS:
        raise DocumentFactsError(f"案件没有这种文书：{kind}")
    if kind == "decision" and case.outcome not in ("fined", "warning_only", "no_penalty"):
        raise DocumentFactsError("案件尚未作出决定，不能出具决定书")
    if kind == "service_proof" and not case.decided_on:
        raise DocumentFactsError("案件尚未作出决定，没有需要送达的决定书")
    return build(kind, case_facts(case, kind, today))


def order_document(order: OrderToCorrect) -> Document:
    return build("order_to_correct", order_facts(order))

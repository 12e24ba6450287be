"""The documents of a penalty case (issue 11 point 5), from plain facts to DOCX and PDF.

    facts = CaseDocumentFacts(...)             # facts.py: what the documents state; no database
    document = build("decision", facts)       # builders.py: one model (model.py), refused if a fact is missing
    to_docx(document), to_pdf(document)        # both renderers walk the same model: no text written twice

Kinds (KIND_TITLES): order_to_correct 责令限期改正通知书, notice 行政处罚告知书, hearing_notice 听证通知书,
decision 行政处罚决定书 (不予行政处罚决定书), service_proof 送达回证, reminder 催告书.
"""

from reports.case_documents.builders import (
    BUILDERS,
    amount_capital,
    amount_text,
    build,
    decision,
    hearing_notice,
    notice,
    order_to_correct,
    reminder,
    service_proof,
)
from reports.case_documents.facts import (
    KIND_TITLES,
    CaseDocumentFacts,
    DocumentFactsError,
    Hearing,
    Party,
    PaymentPlace,
    Penalty,
    Provision,
    Reminder,
    Service,
    review_body_for,
)
from reports.case_documents.model import Document


def to_docx(document: Document) -> bytes:
    """The document as Word (python-docx is imported here, when a document is rendered, not by every command)."""
    from reports.case_documents.docx_renderer import to_docx as render

    return render(document)


def to_pdf(document: Document) -> bytes:
    """The document as PDF (reportlab is imported here, when a document is rendered, not by every command)."""
    from reports.case_documents.pdf_renderer import to_pdf as render

    return render(document)


__all__ = [
    "BUILDERS",
    "KIND_TITLES",
    "CaseDocumentFacts",
    "Document",
    "DocumentFactsError",
    "Hearing",
    "Party",
    "PaymentPlace",
    "Penalty",
    "Provision",
    "Reminder",
    "Service",
    "amount_capital",
    "amount_text",
    "build",
    "decision",
    "hearing_notice",
    "notice",
    "order_to_correct",
    "reminder",
    "review_body_for",
    "service_proof",
    "to_docx",
    "to_pdf",
]

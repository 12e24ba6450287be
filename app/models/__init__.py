"""The database models; importing this package registers every table with the metadata."""

from app.models.account import AccountCode, ClaimRequest
from app.models.audit import AuditEntry
from app.models.case_payments import CaseDeferral, CaseEnforcement, CasePause, CasePayment
from app.models.cases import (
    CaseAttachment,
    CaseNumberCounter,
    CaseStep,
    Complaint,
    ComplaintStep,
    OrderToCorrect,
    PenaltyCase,
    WarningNotice,
)
from app.models.filing import FilingDocument, FilingMessage, FilingNumberCounter, FilingRequest, FilingStaff
from app.models.firm import Firm, FirmBusinessType, FirmNameGram
from app.models.regulation import RegulationArticle, RegulationText
from app.models.transfer import ImportJob
from app.models.user import Role, User

__all__ = [
    "AccountCode", "ClaimRequest",
    "AuditEntry", "FilingDocument", "FilingMessage", "FilingNumberCounter", "FilingRequest", "FilingStaff",
    "Firm", "FirmBusinessType", "FirmNameGram", "RegulationArticle", "RegulationText", "Role", "User",
    "CaseAttachment", "CaseNumberCounter", "CaseStep", "Complaint", "ComplaintStep", "ImportJob", "OrderToCorrect",
    "PenaltyCase", "WarningNotice",
    "CaseDeferral", "CaseEnforcement", "CasePause", "CasePayment",
]

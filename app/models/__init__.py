"""The database models; importing this package registers every table with the metadata."""

from app.models.audit import AuditEntry
from app.models.firm import Firm, FirmBusinessType
from app.models.regulation import RegulationArticle, RegulationText
from app.models.user import Role, User

__all__ = [
    "AuditEntry", "Firm", "FirmBusinessType", "RegulationArticle", "RegulationText", "Role", "User",
]

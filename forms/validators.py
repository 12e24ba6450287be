"""WTForms validators around workflows.identifiers, with the Chinese messages users see."""

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from workflows.identifiers import IdentifierError, check_credit_code, check_resident_id


class _Identifier:
    """Normalise the field with a checker from workflows.identifiers, or refuse with its Chinese reason."""

    @staticmethod
    def check(value: str) -> str:  # pragma: no cover - each subclass names its checker
        raise NotImplementedError

    def __call__(self, form, field):
        try:
            field.data = self.check(field.data or "")
        except IdentifierError as exc:
            raise ValidationError(_(str(exc))) from exc


class CreditCode(_Identifier):
    """Unified social credit code (GB 32100-2015) with its check character."""

    check = staticmethod(check_credit_code)


class ResidentId(_Identifier):
    """18-digit resident ID number (GB 11643-1999) with its check digit."""

    check = staticmethod(check_resident_id)


class Stripped:
    """Trim ordinary and full-width spaces (people paste from Word and Excel)."""

    def __call__(self, form, field):
        if isinstance(field.data, str):
            field.data = field.data.strip().strip("\u3000").strip()

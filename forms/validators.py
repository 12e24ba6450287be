"""WTForms validators around forms.identifiers, with the Chinese messages users see."""

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from forms.identifiers import IdentifierError, check_credit_code, check_resident_id


class CreditCode:
    """Unified social credit code (GB 32100-2015) with its check character; normalises the field."""

    def __call__(self, form, field):
        try:
            field.data = check_credit_code(field.data or "")
        except IdentifierError as exc:
            raise ValidationError(_(str(exc))) from exc


class ResidentId:
    """18-digit resident ID number (GB 11643-1999) with its check digit."""

    def __call__(self, form, field):
        try:
            field.data = check_resident_id(field.data or "")
        except IdentifierError as exc:
            raise ValidationError(_(str(exc))) from exc


class Stripped:
    """Trim ordinary and full-width spaces (people paste from Word and Excel)."""

    def __call__(self, form, field):
        if isinstance(field.data, str):
            field.data = field.data.strip().strip("\u3000").strip()

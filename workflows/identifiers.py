"""Checks for the identifiers a firm gives: unified social credit code and resident ID number.

Pure functions with no Flask or WTForms in them, kept beside the other pure rules so that the web forms
(forms/validators.py, forms/auth.py), the Excel importers (imports/) and the services apply the same rules
without one of them reaching into another. The messages are Chinese source strings for the translation
catalogue (babel.cfg extracts this file); whoever shows one translates it.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from workflows.time_limits import china_today


def N_(text: str) -> str:
    """Mark text for the translation catalogue without translating it (the caller translates at run time)."""
    return text


# GB 32100-2015 allows letters in the first two characters (registering department and entity type) and
# digits in characters 3–8 (division code); python-stdnum's is_valid refuses any code whose first eight
# characters are not all digits, so the structure is checked here and only the check character is left to
# stdnum's calc_check_digit.
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class IdentifierError(ValueError):
    """An identifier that is malformed; the message is the Chinese text shown to the user (the web forms translate it)."""


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().replace(" ", "").replace("\u3000", "").upper()


def check_credit_code(value: str) -> str:
    """Return the normalised code or raise IdentifierError with a Chinese reason."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise IdentifierError(N_("统一社会信用代码应为18位"))
    if not _USCC_SHAPE.match(code):
        raise IdentifierError(N_("统一社会信用代码含有不允许的字符"))
    try:
        expected = uscc.calc_check_digit(code[:17])
    except (ValidationError, KeyError, ValueError) as exc:  # pragma: no cover - shape already checked
        raise IdentifierError(N_("统一社会信用代码格式不正确")) from exc
    if expected != code[17]:
        raise IdentifierError(N_("统一社会信用代码校验位不正确"))
    return code


def credit_code_division(code: str) -> str:
    """Characters 3–8: the registering authority's GB/T 2260 division code (GB 32100-2015)."""
    return code[2:8]


def credit_code_province(code: str) -> str:
    """The province's division code, e.g. '210000' for a code registered anywhere in Liaoning."""
    return code[2:4] + "0000"


def check_resident_id(value: str, today: dt.date | None = None) -> str:
    """Return the normalised 18-digit resident ID number or raise IdentifierError."""
    number = (value or "").strip().replace(" ", "").upper()
    if len(number) != 18:
        raise IdentifierError(N_("身份证号码应为18位"))
    if not re.match(r"^[0-9]{17}[0-9X]$", number):
        raise IdentifierError(N_("身份证号码含有不允许的字符"))
    try:
        born = ric.get_birth_date(number)
    except (ValidationError, ValueError) as exc:
        raise IdentifierError(N_("身份证号码中的出生日期不正确")) from exc
    if born > (today or china_today()):
        raise IdentifierError(N_("身份证号码中的出生日期不正确"))
    # stdnum's ric.calc_check_digit takes the whole number and ignores its last character.
    if ric.calc_check_digit(number) != number[17]:
        raise IdentifierError(N_("身份证号码校验位不正确"))
    return number


def mask_resident_id(number: str) -> str:
    """Shown to clerks in lists; the full number only on the filing itself."""
    return number[:6] + "********" + number[-4:] if len(number) == 18 else "****"

"""Password hashing with Argon2id (argon2-cffi); the test config lowers the cost."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _untranslated(text: str, **values) -> str:
    return text % values if values else text


def password_problem(password: str, gettext=_untranslated) -> str | None:
    """The reason when the password is too weak (Chinese; the web form passes flask_babel's gettext), else None."""
    if len(password) < MIN_LENGTH:
        return gettext("密码至少需要%(length)d个字符", length=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        return gettext("密码须同时包含字母和数字")
    return None

"""Password hashing with Argon2id (argon2-cffi; the test config lowers the cost) and the strength check.

Strength is judged by zxcvbn (Dropbox's estimator, with its lists of common passwords, names and
keyboard patterns) rather than by composition rules: `password123` or `aaaaaaaaa1` contain a letter and
a digit yet are among the first guesses of any attacker (issue 9, defect 8).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
# zxcvbn's run time grows with the length; the first characters decide the score of any real password.
_ZXCVBN_MAX = 72
# One-time passwords an admin hands over: no look-alike characters (0/O, 1/l/I), read aloud or typed easily.
_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_of(user, password: str) -> bool:
    """Check a log-in password, spending the same time whether or not the account exists.

    For an unknown user (None) the password is verified against a dummy hash made once with this
    app's parameters, so the answer time does not tell a stranger which usernames exist.
    """
    if user is None:
        check_password(_dummy_hash(), password)
        return False
    return check_password(user.password_hash, password)


def _dummy_hash() -> str:
    cached = current_app.extensions.get("jifang.dummy_hash")
    if cached is None:
        cached = hash_password(secrets.token_urlsafe(24))
        current_app.extensions["jifang.dummy_hash"] = cached
    return cached


def one_time_password() -> str:
    """A random password for an admin to hand over once (must be changed at first log-in): 4 groups of 4."""
    chars = [secrets.choice(_ONE_TIME_ALPHABET) for _ in range(16)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, 16, 4))


def _untranslated(text: str, **values) -> str:
    return text % values if values else text


def password_problem(password: str, gettext=_untranslated, user_inputs: Iterable[str | None] = ()) -> str | None:
    """The reason when the password is too weak (Chinese; the web form passes flask_babel's gettext), else None.

    `user_inputs` are the account's own words (username, display name, firm name): a password that
    contains one of them is refused, and zxcvbn counts them as the first things an attacker would try.
    """
    if len(password) < MIN_LENGTH:
        return gettext("密码至少需要%(length)d个字符", length=MIN_LENGTH)
    if password.isdigit() or password.isalpha():
        return gettext("密码须同时包含字母和数字")
    words = [w.strip() for w in user_inputs if w and w.strip()]
    lowered = password.lower()
    if any(len(w) >= 3 and w.lower() in lowered for w in words):
        return gettext("密码不能包含用户名或名称")
    from zxcvbn import zxcvbn  # here, not at the top: its word lists cost every command's start ~40 ms

    if zxcvbn(password[:_ZXCVBN_MAX], user_inputs=words)["score"] < MIN_SCORE:
        return gettext("密码太容易被猜到：请避免常见密码、重复字符和键盘顺序，可用几个不相关的词加数字或符号")
    return None

"""Log-in protection and session lifetimes (issue 9, defects 6 and 7).

Account lock: 10 failed attempts (wrong password or wrong one-time code) within 15 minutes lock the
account for 15 minutes; while locked even the right password is refused, with the same answer as a wrong
one (so guessing on during the lock tells nothing). The counters live in the user's row and are changed
by one UPDATE each (`failed_logins = failed_logins + 1`), so every worker and every concurrent attempt is
counted. Unknown usernames get the same answer and cost the same hash check (app.passwords.check_password_of).

Audit policy (the old code wrote a row for every failure, 100 a second from one address):
- a request refused by the per-address throttle (Flask-Limiter, 429) never reaches the view: no row;
- a failure for a username that does not exist writes nothing (there is no account to protect, and
  people often type their password into the username field);
- each failure of an existing account that is not locked writes one "login_failed" row (at most 10 per
  account in 15 minutes), the failure that locks it writes "account_locked", and attempts during the lock
  write nothing, since they are refused without being checked.

Sessions: the signed session cookie carries the user's session generation, the time of log-in and the
time of the last request. A session ends when the generation no longer matches (logout, password change,
admin reset, deactivation all bump it), 12 hours after log-in for everyone, or after 30 idle minutes for
staff and 2 idle hours for firms.
"""

from __future__ import annotations

import base64
import datetime as dt
import time

import pyotp
from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import and_, case, or_, update

from app import audit
from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.security import OFFICIALS

MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)

ABSOLUTE_LIFETIME = dt.timedelta(hours=12)
STAFF_IDLE = dt.timedelta(minutes=30)
FIRM_IDLE = dt.timedelta(hours=2)

SESSION_ENDED = "ended"
SESSION_EXPIRED = "expired"
SESSION_IDLE = "idle"


def is_staff(user) -> bool:
    return user.role in OFFICIALS


def is_locked(user, now: dt.datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def record_failure(user, *, step: str = "password") -> bool:
    """Count one failed attempt in the database; True when this attempt locked the account."""
    now = utcnow()
    fresh = or_(User.first_failed_at.is_(None), User.first_failed_at < now - FAILURE_WINDOW)
    statement = (
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=case((fresh, 1), else_=User.failed_logins + 1),
            first_failed_at=case((fresh, now), else_=User.first_failed_at),
            locked_until=case(
                (and_(~fresh, User.failed_logins + 1 >= MAX_FAILURES), now + LOCK_DURATION),
                else_=User.locked_until,
            ),
        )
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    )
    count = db.session.execute(statement).scalar_one()
    db.session.expire(user, ["failed_logins", "first_failed_at", "locked_until"])
    audit.record("login_failed", user, actor="anonymous", detail={"step": step, "failures": count})
    locked = count == MAX_FAILURES  # exactly one attempt reaches the limit, even among concurrent ones
    if locked:
        audit.record(
            "account_locked", user, actor="anonymous",
            detail={"failures": count, "minutes": int(LOCK_DURATION.total_seconds() // 60)},
        )
    return locked


def clear_failures(user) -> None:
    if user.failed_logins or user.first_failed_at or user.locked_until:
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None


def bump_generation(user) -> int:
    """End every session of this user (one UPDATE, so concurrent bumps are all counted)."""
    statement = (
        update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
        .returning(User.session_generation)
        .execution_options(synchronize_session=False)
    )
    generation = db.session.execute(statement).scalar_one()
    db.session.expire(user, ["session_generation"])
    return generation


def _keep_language_and_clear() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user) -> None:
    """A fresh session (no value from before the log-in survives, except the chosen language)."""
    _keep_language_and_clear()
    session.permanent = True
    login_user(user)
    now = int(time.time())
    session["gen"] = user.session_generation
    session["auth_at"] = now
    session["seen_at"] = now


def end_session() -> None:
    logout_user()
    _keep_language_and_clear()


def idle_limit(user) -> dt.timedelta:
    return STAFF_IDLE if is_staff(user) else FIRM_IDLE


def session_problem(user) -> str | None:
    """Why the current session of `user` may no longer be used, or None (then it is marked as seen now)."""
    now = time.time()
    auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
    if (
        not user.active
        or session.get("gen") != user.session_generation
        or not isinstance(auth_at, int | float)
        or not isinstance(seen_at, int | float)
    ):
        return SESSION_ENDED
    if now - auth_at > ABSOLUTE_LIFETIME.total_seconds():
        return SESSION_EXPIRED
    if now - seen_at > idle_limit(user).total_seconds():
        return SESSION_IDLE
    session["seen_at"] = int(now)
    return None


def needs_totp_enrolment(user) -> bool:
    """With REQUIRE_TOTP on, a staff account without a second factor may do nothing but enrol one."""
    return bool(current_app.config.get("REQUIRE_TOTP")) and is_staff(user) and not user.totp_secret


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_step(secret: str, code: str) -> int | None:
    """The 30-second step (RFC 6238) whose code this is, allowing one step either side for a phone's clock
    drift; None when the code is wrong."""
    code = (code or "").strip()
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)
    current = totp.timecode(now)
    for offset in (0, -1, 1):
        if pyotp.utils.strings_equal(totp.at(now, counter_offset=offset), code):
            return current + offset
    return None


def use_totp_code(user, code: str) -> bool:
    """Accept a log-in code once only (RFC 6238 section 5.2): a code seen over a shoulder or replayed from a
    captured request is refused. One conditional UPDATE, so of two concurrent uses only one succeeds."""
    step = totp_step(user.totp_secret, code)
    if step is None:
        return False
    statement = (
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    accepted = db.session.execute(statement).rowcount == 1
    db.session.expire(user, ["totp_last_step"])
    return accepted


def totp_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_data_uri(text: str) -> str:
    """The otpauth:// URI as a QR code: an SVG (no PIL needed) in a data: URI, which the CSP's img-src allows."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")

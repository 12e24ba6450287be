"""How a firm account comes to act for a firm, and how a firm without e-mail gets back into its account.

Issue 9, defect 1: a credit code is public (the roster prints it), so it can never prove that the person
typing it speaks for the firm. An account is therefore bound to a firm in one of three ways only:

- a firm that is not yet in the register signs up: its account is "pending" and holds a provisional firm;
  it may prepare and submit that firm's first filing and nothing else, and it becomes "bound" when a clerk
  approves the filing after checking the business licence (Liaoning art. 16 lists the licence among the
  filing materials), see `confirm_first_filing`;
- a clerk of the firm's bureau hands the firm a one-time claim code on paper (`issue_code`,
  `redeem_claim_code`);
- a clerk of the firm's bureau approves a claim request (`request_claim`, `decide_claim_request`).

A claim always wins: any other account holding the firm is detached and its sessions end. Codes are random,
stored only as SHA-256, single use (an atomic UPDATE decides the one winner), expiring, and audited.
Reset codes work the same way for a firm account's password.

Every function here changes the session and commits once (audit entries in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.extensions import db
from app.filings import uploads as filing_uploads
from app.models import AccountCode, ClaimRequest, FilingRequest, Firm, User
from app.models.base import utcnow
from app.services.firms import locality_from_credit_code

CLAIM_VALID = dt.timedelta(days=30)
RESET_VALID = dt.timedelta(hours=24)
# A self sign-up that never submitted a filing stops holding anything after this long.
PENDING_LIFETIME = dt.timedelta(days=30)
# No look-alike characters (0/O, 1/I/L): the code is read off paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 7.9e17: with throttled redemption, not guessable within 30 days
ROSTER_STATUSES = ("in_force", "cancelled")  # what the public roster shows (app/roster/search.py)

BOUND, PENDING = "bound", "pending"


class ClaimError(Exception):
    """A refusal the user can read (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class IssuedCode:
    """A code as shown once to the clerk who issued it; only its hash is kept."""

    code: str
    record: AccountCode


def current_pack():
    return current_app.extensions["jifang.pack"]


# --- codes --------------------------------------------------------------------------------------------
def new_code() -> str:
    """12 random characters in three groups of four (XXXX-XXXX-XXXX), from `secrets`."""
    chars = [secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    """What the firm typed, without spaces or hyphens and in capitals (the code is case-blind)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "ignore")).hexdigest()


# --- scope --------------------------------------------------------------------------------------------
def firm_authority(firm: Firm) -> str | None:
    """The bureau that holds the firm: the filing authority, else the bureau of its city, else (a firm that
    has only requests so far) the bureau its latest request went to or would go to. None: nobody below
    the provincial bureau can tell, so only provincial clerks may act."""
    if firm.filing_authority_code:
        return firm.filing_authority_code
    pack = current_pack()
    city = pack.city(firm.city_code)
    if city is not None:
        return city.authority
    latest = db.session.scalar(
        select(FilingRequest).where(FilingRequest.firm_id == firm.id).order_by(FilingRequest.id.desc()).limit(1)
    )
    if latest is not None:
        if latest.stages:
            return latest.stages[0]
        city = pack.city(latest.city_code)
        if city is not None:
            return city.authority
    return None


def clerk_may_manage(clerk, firm: Firm | None) -> bool:
    """A city clerk acts for the firms of his or her own bureau; a provincial clerk for every firm."""
    if firm is None or not getattr(clerk, "is_clerk", False) or not clerk.authority_code:
        return False
    if clerk.role == "provincial_clerk":
        return True
    return firm_authority(firm) == clerk.authority_code


def on_roster(firm: Firm | None) -> bool:
    """In the register as a stranger sees it on the public roster."""
    return (
        firm is not None and not firm.provisional and firm.filing_status in ROSTER_STATUSES
        and firm.filing_number is not None
    )


def acts_for_firm(user) -> bool:
    """A bound firm account acts for its firm; a pending one only for the provisional firm it signed up."""
    return user.role == "firm" and user.firm_id is not None and (user.firm_binding == BOUND or _pending_ok(user))


def _pending_ok(user) -> bool:
    firm = user.firm
    return firm is not None and firm.provisional and firm.filing_status == "none" and not firm.filing_number


def start_refusal(user, kind: str) -> str | None:
    """Why this account may not start a request of this kind (None: it may).

    A pending account prepares its firm's first filing only. A flagged account (bound through the old
    sign-up, not yet confirmed by its bureau) keeps working but cannot ask to cancel the filing until the
    bureau confirms it: a cancellation takes the firm off the roster, the one act a squatter could harm
    the real firm with."""
    if user.firm_binding != BOUND and kind != "initial":
        return "本账号尚未经公安机关核实，只能办理本单位的首次备案"
    if user.binding_flagged and kind == "cancellation":
        return "本账号与单位的绑定尚待公安机关确认，确认前不能申请注销备案"
    return None


# --- sign-up ------------------------------------------------------------------------------------------
def sign_up(firm_name: str, credit_code: str, username: str, password_hash: str) -> User | None:
    """Create a firm account; None if the username is taken. Never binds to a firm in the register.

    The caller shows the same success whatever the credit code: a stranger learns nothing about it. A
    concurrent sign-up that took the username or created the firm first makes this one try once more
    (then the username is taken, or the firm exists and the account starts unbound)."""
    for _attempt in range(2):
        try:
            return _sign_up_once(firm_name, credit_code, username, password_hash)
        except IntegrityError:
            db.session.rollback()
    return None


def _sign_up_once(firm_name: str, credit_code: str, username: str, password_hash: str) -> User | None:
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        return None
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == credit_code))
    created = firm is None
    if created:
        firm = Firm(name=firm_name, credit_code=credit_code, is_local=locality_from_credit_code(credit_code),
                    provisional=True)
        db.session.add(firm)
        db.session.flush()
    holds = created or (firm.provisional and _holder(firm) is None)
    user = User(
        username=username, password_hash=password_hash, role="firm", display_name=firm_name,
        firm_id=firm.id if holds else None, firm_binding=PENDING,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.register", user, actor=user, detail={
        "credit_code": credit_code, "firm_name": firm_name, "outcome": "provisional_firm" if holds else "unbound",
    })
    db.session.commit()
    return user


def _holder(firm: Firm) -> User | None:
    return db.session.scalar(select(User).where(User.firm_id == firm.id))


# --- binding ------------------------------------------------------------------------------------------
def _detach(user: User, actor, reason: str) -> None:
    """The account stops acting for its firm and every session of it ends."""
    detail = {"firm_id": user.firm_id, "reason": reason, "binding": user.firm_binding}
    user.firm_id = None
    user.firm_binding = PENDING
    user.binding_flagged = False
    user.session_generation = User.session_generation + 1  # in SQL: concurrent bumps all count
    audit.record("account.detach", user, actor=actor, detail=detail)


def _bind(user: User, firm: Firm, actor, how: str, detail: dict | None = None) -> list[int]:
    """Bind `user` to `firm` (the claim wins): other holders are detached first. Flushed, not committed."""
    detached = []
    for other in db.session.scalars(select(User).where(User.firm_id == firm.id, User.id != user.id)):
        _detach(other, actor, f"firm claimed ({how})")
        detached.append(other.id)
    previous = user.firm if user.firm_id not in (None, firm.id) else None
    if previous is not None:
        user.firm_id = None
    db.session.flush()  # the firm's one-account constraint is checked row by row
    user.firm_id = firm.id
    user.firm_binding = BOUND
    user.binding_flagged = False
    db.session.flush()
    if previous is not None and previous.provisional:
        _discard_provisional(previous)
    audit.record("account.bind", user, actor=actor, detail={
        "how": how, "firm_id": firm.id, "credit_code": firm.credit_code, "detached": detached, **(detail or {}),
    })
    return detached


def confirm_first_filing(firm: Firm, actor) -> None:
    """A clerk approved the firm's first filing (workflow effect assign_filing_number): the firm enters the
    register, and a pending account that signed it up becomes bound (the clerk checked the licence)."""
    firm.provisional = False
    for user in db.session.scalars(select(User).where(User.firm_id == firm.id, User.firm_binding == PENDING)):
        user.firm_binding = BOUND
        audit.record("account.bind", user, actor=actor, detail={
            "how": "first_filing_approved", "firm_id": firm.id, "credit_code": firm.credit_code,
        })


def issue_code(clerk, *, purpose: str, firm: Firm, user: User | None = None) -> IssuedCode:
    """A new claim code for the firm (or reset code for one of its accounts); older unused ones are revoked."""
    if not clerk_may_manage(clerk, firm):
        raise ClaimError("无权为该单位办理")
    if purpose == "reset" and (user is None or user.role != "firm" or user.firm_id != firm.id):
        raise ClaimError("该账号不属于此单位")
    now = utcnow()
    older = update(AccountCode).where(
        AccountCode.purpose == purpose, AccountCode.used_at.is_(None), AccountCode.revoked_at.is_(None),
        (AccountCode.firm_id == firm.id) if purpose == "claim" else (AccountCode.user_id == user.id),
    ).values(revoked_at=now)
    revoked = db.session.execute(older, execution_options={"synchronize_session": False}).rowcount
    code = new_code()
    record = AccountCode(
        purpose=purpose, code_hash=code_hash(code), firm_id=firm.id, user_id=user.id if user else None,
        authority_code=clerk.authority_code, issued_by_id=clerk.id, issued_at=now,
        expires_at=now + (CLAIM_VALID if purpose == "claim" else RESET_VALID),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(f"account_code.issue_{purpose}", record, actor=clerk, detail={
        "firm_id": firm.id, "credit_code": firm.credit_code, "user_id": user.id if user else None,
        "expires_at": record.expires_at.isoformat(), "revoked_older": revoked,
    })
    db.session.commit()
    return IssuedCode(code=code, record=record)


def _take_code(purpose: str, code: str, by_user_id: int | None, *extra) -> AccountCode | None:
    """Mark the code used if it is valid, atomically: of concurrent redeemers exactly one updates the row."""
    if len(normalise_code(code)) != CODE_LENGTH:
        return None
    now = utcnow()
    digest = code_hash(code)
    stmt = update(AccountCode).where(
        AccountCode.code_hash == digest, AccountCode.purpose == purpose, AccountCode.used_at.is_(None),
        AccountCode.revoked_at.is_(None), AccountCode.expires_at > now, *extra,
    ).values(used_at=now, used_by_id=by_user_id)
    if db.session.execute(stmt, execution_options={"synchronize_session": False}).rowcount != 1:
        db.session.rollback()
        return None
    return db.session.scalar(select(AccountCode).where(AccountCode.code_hash == digest))


def redeem_claim_code(user: User, code: str) -> Firm | None:
    """Bind the account to the code's firm; None for a wrong, expired, used or withdrawn code."""
    if user.role != "firm" or user.firm_binding == BOUND:
        raise ClaimError("本账号已绑定单位，无需认领")
    taken = _take_code("claim", code, user.id)
    if taken is None:
        return None
    firm = taken.firm
    _bind(user, firm, user, "claim_code", {"code_id": taken.id})
    db.session.commit()
    return firm


def reset_password(username: str, code: str, password_hash: str) -> User | None:
    """Set a new password with a bureau's reset code; None for any wrong input (one generic answer)."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or user.role != "firm" or not user.active or user.firm_id is None:
        return None
    taken = _take_code("reset", code, user.id, AccountCode.user_id == user.id, AccountCode.firm_id == user.firm_id)
    if taken is None:
        return None
    now = utcnow()
    user.password_hash = password_hash
    user.password_changed_at = now
    user.must_change_password = False
    user.failed_logins = 0
    user.first_failed_at = None
    user.locked_until = None
    user.session_generation = User.session_generation + 1  # in SQL: concurrent bumps all count
    audit.record("account.reset_password", user, actor=user, detail={"code_id": taken.id})
    db.session.commit()
    return user


# --- claim requests -----------------------------------------------------------------------------------
def request_claim(user: User, credit_code: str, applicant_name: str, phone: str, note: str) -> ClaimRequest | None:
    """Ask the firm's bureau to bind this account; None when the code is not on the public roster."""
    if user.firm_binding == BOUND:
        raise ClaimError("本账号已绑定单位，无需认领")
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == credit_code))
    if not on_roster(firm):
        return None
    existing = db.session.scalar(select(ClaimRequest).where(
        ClaimRequest.user_id == user.id, ClaimRequest.firm_id == firm.id, ClaimRequest.state == "pending"))
    if existing is not None:
        return existing
    found = ClaimRequest(user_id=user.id, firm_id=firm.id, authority_code=firm_authority(firm),
                         applicant_name=applicant_name, applicant_phone=phone, note=note)
    db.session.add(found)
    db.session.flush()
    audit.record("claim_request.create", found, actor=user, detail={
        "firm_id": firm.id, "credit_code": firm.credit_code, "authority": found.authority_code,
    })
    db.session.commit()
    return found


def claim_requests_for(clerk) -> list[ClaimRequest]:
    """Pending requests of the clerk's bureau (a provincial clerk sees all)."""
    stmt = select(ClaimRequest).where(ClaimRequest.state == "pending").order_by(ClaimRequest.created_at, ClaimRequest.id)
    if clerk.role != "provincial_clerk":
        stmt = stmt.where(ClaimRequest.authority_code == clerk.authority_code)
    return list(db.session.scalars(stmt))


def claim_request_for(clerk, request_id: int) -> ClaimRequest | None:
    """The request if the clerk's bureau may decide it, else None (→ 404)."""
    found = db.session.get(ClaimRequest, request_id)
    if found is None or not clerk.is_clerk or not clerk.authority_code:
        return None
    if clerk.role == "provincial_clerk" or found.authority_code == clerk.authority_code:
        return found
    return None


def decide_claim_request(found: ClaimRequest, clerk, approve: bool, note: str, seen_version: int) -> None:
    """Approve (bind, the claim wins) or refuse with a reason. Applied once: a decision made on a stale page,
    or racing another, raises StaleDataError / ClaimError and writes nothing."""
    from sqlalchemy.orm.exc import StaleDataError

    if found.state != "pending" or found.version != seen_version:
        raise StaleDataError("claim request already decided")
    found.state = "approved" if approve else "refused"
    found.decided_by_id = clerk.id
    found.decided_at = utcnow()
    found.decision_note = note
    db.session.flush()  # the versioned UPDATE: a concurrent decision loses here
    if approve:
        user = found.user
        if not user.active or user.role != "firm":
            raise ClaimError("申请账号已停用，不能办理")
        _bind(user, found.firm, clerk, "claim_request", {"claim_request_id": found.id})
    audit.record(f"claim_request.{found.state}", found, actor=clerk, detail={
        "firm_id": found.firm_id, "user_id": found.user_id, "note": note,
    })
    db.session.commit()


def requests_of(user: User) -> list[ClaimRequest]:
    return list(db.session.scalars(
        select(ClaimRequest).where(ClaimRequest.user_id == user.id).order_by(ClaimRequest.id.desc()).limit(10)))


# --- flagged accounts (bound through the old sign-up) ---------------------------------------------------
def flagged_for(clerk) -> list[User]:
    users = db.session.scalars(
        select(User).where(User.binding_flagged.is_(True), User.role == "firm", User.firm_id.is_not(None))
        .order_by(User.id))
    return [u for u in users if clerk_may_manage(clerk, u.firm)]


def flagged_for_clerk(clerk, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    if user is None or not user.binding_flagged or user.firm_id is None or not clerk_may_manage(clerk, user.firm):
        return None
    return user


def decide_flagged(user: User, clerk, confirm: bool) -> None:
    """Confirm the old binding (flag cleared) or revoke it (detached, sessions ended)."""
    if not user.binding_flagged:
        raise ClaimError("该账号已处理")
    firm = user.firm
    if confirm:
        user.binding_flagged = False
        audit.record("account.confirm_binding", user, actor=clerk, detail={"firm_id": firm.id,
                                                                          "credit_code": firm.credit_code})
    else:
        _detach(user, clerk, "old sign-up binding revoked by the bureau")
    db.session.commit()


# --- clerk's look-up ----------------------------------------------------------------------------------
def firm_for_clerk(clerk, credit_code: str) -> Firm | None:
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == credit_code))
    return firm if clerk_may_manage(clerk, firm) else None


def firm_by_id_for_clerk(clerk, firm_id: int) -> Firm | None:
    firm = db.session.get(Firm, firm_id)
    return firm if clerk_may_manage(clerk, firm) else None


def firm_accounts(firm: Firm) -> list[User]:
    """The account holding the firm (bound or pending), if any."""
    return list(db.session.scalars(select(User).where(User.firm_id == firm.id)))


def open_codes(firm: Firm) -> list[AccountCode]:
    now = utcnow()
    return list(db.session.scalars(select(AccountCode).where(
        AccountCode.firm_id == firm.id, AccountCode.used_at.is_(None), AccountCode.revoked_at.is_(None),
        AccountCode.expires_at > now).order_by(AccountCode.id)))


# --- pending accounts: expiry and the invariant -------------------------------------------------------
def _has_submitted(firm_id: int | None) -> bool:
    if firm_id is None:
        return False
    return db.session.scalar(select(exists().where(
        FilingRequest.firm_id == firm_id, FilingRequest.submitted_at.is_not(None)))) or False


def is_expired(user: User, now: dt.datetime | None = None) -> bool:
    """A pending account older than PENDING_LIFETIME that never submitted a filing."""
    now = now or utcnow()
    return (user.role == "firm" and user.active and user.firm_binding == PENDING
            and user.created_at is not None and user.created_at <= now - PENDING_LIFETIME
            and not _has_submitted(user.firm_id))


def expire(user: User, actor="system") -> list[str]:
    """Deactivate the account, delete its firm's never-submitted drafts and the provisional firm if nothing
    else refers to it. Flushed and audited, not committed; returns stored file names to discard after it."""
    firm = user.firm
    files: list[str] = []
    deleted = 0
    if firm is not None and firm.provisional:
        for draft in db.session.scalars(select(FilingRequest).where(
                FilingRequest.firm_id == firm.id, FilingRequest.submitted_at.is_(None))):
            files.extend(d.stored_name for d in draft.documents)
            db.session.delete(draft)
            deleted += 1
    for waiting in db.session.scalars(select(ClaimRequest).where(
            ClaimRequest.user_id == user.id, ClaimRequest.state == "pending")):
        waiting.state, waiting.decided_at, waiting.decision_note = "refused", utcnow(), "账号已过期"
    detail = {"firm_id": user.firm_id, "drafts_deleted": deleted}
    user.active = False
    user.firm_id = None
    user.session_generation = User.session_generation + 1  # in SQL: concurrent bumps all count
    db.session.flush()
    if firm is not None and firm.provisional:
        detail["firm_deleted"] = _discard_provisional(firm)
    audit.record("account.expire", user, actor=actor, detail=detail)
    return files


def _discard_provisional(firm: Firm) -> bool:
    """Delete a provisional firm nothing refers to any more (no account, request, claim or code)."""
    referred = db.session.scalar(select(
        exists().where(User.firm_id == firm.id)
        | exists().where(FilingRequest.firm_id == firm.id)
        | exists().where(ClaimRequest.firm_id == firm.id)
        | exists().where(AccountCode.firm_id == firm.id)))
    if referred:
        return False
    db.session.delete(firm)
    db.session.flush()
    return True


def expire_pending(now: dt.datetime | None = None) -> int:
    """`flask accounts expire`: expire every pending account past its lifetime; one commit."""
    now = now or utcnow()
    candidates = db.session.scalars(select(User).where(
        User.role == "firm", User.active.is_(True), User.firm_binding == PENDING,
        User.created_at <= now - PENDING_LIFETIME).order_by(User.id)).all()
    files: list[str] = []
    count = 0
    for user in candidates:
        if is_expired(user, now):
            files.extend(expire(user))
            count += 1
    db.session.commit()
    _discard_files(files)
    return count


def _discard_files(stored_names: list[str]) -> None:
    for name in dict.fromkeys(stored_names):
        filing_uploads.discard(name)


def expire_one(user: User) -> None:
    """The lazy check at a request of an expired account (one commit)."""
    files = expire(user)
    db.session.commit()
    _discard_files(files)


def enforce_pending_scope(user: User) -> bool:
    """A pending account holds only a provisional firm with no filing. If its firm entered the register by
    other means (an import, a clerk), it is detached: it never gains the filed firm. True if detached."""
    if user.firm_binding != PENDING or user.firm_id is None or _pending_ok(user):
        return False
    _detach(user, "system", "firm entered the register without this account's filing")
    db.session.commit()
    return True


def pending_counts(clerk) -> tuple[int, int]:
    """(claim requests waiting, flagged accounts) for the clerk's home panel."""
    return len(claim_requests_for(clerk)), len(flagged_for(clerk))


"""Individuals who file (Liaoning art. 17: 外省单位和个人 file with the provincial bureau).

Art. 16 speaks of units in the province; art. 17 adds units and persons from another province. Where the
pack names them (`filing.individuals`), a person based in another province signs up with a resident ID or
a passport and files on the out-of-province route. The person becomes a register entry like a firm (a
`Firm` row with holder_kind "individual"), but has no credit code: the row holds a random register key for
the public roster's links, and the identity document stays with the bureau (the roster shows the person's
name, business types and filing only).
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.claims import PENDING
from app.extensions import db
from app.models import Firm, User
from app.models.firm import INDIVIDUAL_KEY_PREFIX

_KEY_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def register_key() -> str:
    """18 characters like a credit code, but starting with a letter GB 32100-2015 never uses (Z)."""
    return INDIVIDUAL_KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(17))


def is_register_key(code: str | None) -> bool:
    return bool(code) and code.startswith(INDIVIDUAL_KEY_PREFIX)


def allowed(pack=None) -> bool:
    pack = pack or current_app.extensions["jifang.pack"]
    return pack.filing.enabled and pack.filing.individuals is not None


def sign_up(person_name: str, document_type: str, document_number: str, home_province: str,
            username: str, password_hash: str) -> User | None:
    """Create the person's account and (for a document not yet known) a provisional register entry, out of
    province, so its filing goes to the provincial bureau (art. 17). None if the username is taken.

    Like a firm's sign-up, a document already registered gives an unbound account and the same answer."""
    pack = current_app.extensions["jifang.pack"]
    if not allowed(pack) or document_type not in pack.filing.individuals.documents:
        raise ValueError("individuals may not file in this jurisdiction")
    if pack.is_in_province(home_province):
        raise ValueError("art. 17 covers persons from another province only")
    for _attempt in range(2):
        try:
            return _sign_up_once(person_name, document_type, document_number, home_province, username,
                                 password_hash)
        except IntegrityError:
            db.session.rollback()
    return None


def _sign_up_once(person_name, document_type, document_number, home_province, username, password_hash):
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        return None
    person = db.session.scalar(select(Firm).where(Firm.id_document_number == document_number))
    created = person is None
    if created:
        person = Firm(
            name=person_name, legal_rep=person_name, credit_code=register_key(), is_local=False,
            provisional=True, holder_kind="individual", id_document_type=document_type,
            id_document_number=document_number, home_province=home_province,
        )
        db.session.add(person)
        db.session.flush()
    user = User(
        username=username, password_hash=password_hash, role="firm", display_name=person_name,
        firm_id=person.id if created else None, firm_binding=PENDING,
    )
    db.session.add(user)
    db.session.flush()
    # The document number is not written to the audit trail's readable detail: only its type.
    audit.record("account.register", user, actor=user, detail={
        "holder": "individual", "document_type": document_type, "home_province": home_province,
        "person_name": person_name, "outcome": "provisional_firm" if created else "unbound",
    })
    db.session.commit()
    return user

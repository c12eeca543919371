"""Passkeys (WebAuthn through py_webauthn): the two ceremonies, listing, renaming, removal.

The caller keeps each ceremony's challenge (and hands it back once); the relying party's
id, name and origin come from configuration, never from the request.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finora.crypto import keyed_hash
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError, NotFoundError
from finora.models import User
from finora.models.security import Passkey
from finora.services.people.auth import (
    AccountDisabledError,
    PendingApprovalError,
    check_current_password,
)
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

# py_webauthn (with cbor2, pyOpenSSL and asn1 parsers) is imported by the functions that
# run a ceremony, not by every worker at start.

# How long the browser may take (a hint to it) and how long a challenge stays valid.
CEREMONY_TIMEOUT_MS = 180_000
CHALLENGE_SECONDS = 300
NAME_MAX = 100


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origin: str


class PasskeyRegistrationError(FinoraError):
    message = _l("The passkey could not be added. Try again.")
    status = 400


class PasskeySignInError(FinoraError):
    message = _l("That passkey did not work. Try again or sign in with your password.")
    status = 400

    def __init__(self, message=None, *, user: User | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.user = user  # whose passkey it was, when known (for the audit trail)
        if status is not None:
            self.status = status


def user_handle(user: User) -> bytes:
    """The opaque WebAuthn user id: keyed from APP_SECRET, stable, and no personal data.

    The same handle for every passkey of a user, so an authenticator replaces (rather
    than duplicates) a credential it already holds for this account."""
    return bytes.fromhex(keyed_hash(f"webauthn-user:{user.id}"))


def passkeys_of(session: Session, user: User) -> list[Passkey]:
    return list(
        session.scalars(
            select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at, Passkey.id)
        )
    )


def count_passkeys(session: Session, user: User) -> int:
    return session.scalar(select(func.count()).where(Passkey.user_id == user.id)) or 0


def clean_name(session: Session, user: User, name: str | None, *, exclude_id: int | None = None) -> str:
    """The trimmed name, or a FieldError for the form's "name" field."""
    name = " ".join((name or "").split())
    if not name:
        raise FieldError("name", _l("Give the passkey a name, such as the device it is on."))
    if len(name) > NAME_MAX:
        raise FieldError("name", _l("Use at most %(count)d characters.", count=NAME_MAX))
    query = select(Passkey.id).where(Passkey.user_id == user.id, Passkey.name == name)
    if exclude_id is not None:
        query = query.where(Passkey.id != exclude_id)
    if session.scalar(query) is not None:
        raise FieldError("name", _l("You already have a passkey with this name."))
    return name


@lru_cache(maxsize=1)
def _transports() -> frozenset[str]:
    from webauthn.helpers.structs import AuthenticatorTransport

    return frozenset(t.value for t in AuthenticatorTransport)


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    transports = [AuthenticatorTransport(t) for t in passkey.transport_list if t in _transports()]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def registration_options(session: Session, user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """Options (JSON) for navigator.credentials.create() and their challenge.

    A discoverable credential is required (passwordless sign-in needs one); the user's
    existing passkeys are excluded so one authenticator is not registered twice."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle(user),
        user_name=user.email,
        user_display_name=user.name,
        timeout=CEREMONY_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(p) for p in passkeys_of(session, user)],
    )
    return options_to_json(options), options.challenge


def start_registration(
    session: Session, user: User, rp: RelyingParty, *, name: str | None, password, source: str
) -> tuple[str, str, bytes]:
    """Check the new passkey's name and the user's password (as at sign-in, counted against
    `source`: the caller commits WrongCurrentPasswordError), then give the cleaned name,
    the creation options (JSON) and their challenge."""
    clean = clean_name(session, user, name)
    check_current_password(
        session, user, password, source, field="password", message=_l("The password is not correct.")
    )
    options, challenge = registration_options(session, user, rp)
    return clean, options, challenge


def add_passkey(
    session: Session, user: User, *, name: str, credential, challenge: bytes, rp: RelyingParty
) -> Passkey:
    """Verify the authenticator's answer to registration_options() and store the passkey."""
    from webauthn import verify_registration_response
    from webauthn.helpers import parse_registration_credential_json

    name = clean_name(session, user, name)
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except Exception as exc:  # any malformed or forged answer is simply refused
        raise PasskeyRegistrationError() from exc
    taken = session.scalar(select(Passkey.id).where(Passkey.credential_id == verified.credential_id))
    if taken is not None:
        raise PasskeyRegistrationError(_l("This passkey is already registered."))
    transports = [t.value for t in parsed.response.transports or [] if t.value in _transports()]
    passkey = Passkey(
        user_id=user.id,
        name=name,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports) or None,
    )
    session.add(passkey)
    session.flush()
    audit.record(
        session, "passkey.added", user=user, object_type="passkey", object_id=passkey.id,
        details={"name": name},
    )
    return passkey


def authentication_options(rp: RelyingParty) -> tuple[str, bytes]:
    """Options (JSON) for navigator.credentials.get() and their challenge.

    No allowCredentials and no account asked for: the authenticator offers its
    discoverable credentials, and the answer is the same for every visitor."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=CEREMONY_TIMEOUT_MS,
        allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), options.challenge


def authenticate_with_passkey(
    session: Session, *, credential, challenge: bytes, rp: RelyingParty
) -> User:
    """The user whose passkey signed the challenge; PasskeySignInError otherwise.

    User verification is required (the passkey replaces password and second factor), and
    the signature counter must move forward unless the authenticator keeps none (zero)."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import parse_authentication_credential_json

    try:
        parsed = parse_authentication_credential_json(credential)
    except Exception as exc:
        raise PasskeySignInError() from exc
    passkey = session.scalar(select(Passkey).where(Passkey.credential_id == parsed.raw_id))
    if passkey is None:
        raise PasskeySignInError()
    user = session.get_one(User, passkey.user_id)  # user_id: a non-null foreign key
    handle = parsed.response.user_handle
    if handle is not None and not hmac.compare_digest(handle, user_handle(user)):
        raise PasskeySignInError(user=user)
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except Exception as exc:
        raise PasskeySignInError(user=user) from exc
    if user.status == "pending":
        raise PasskeySignInError(PendingApprovalError.message, user=user, status=403)
    if not user.is_active:
        raise PasskeySignInError(AccountDisabledError.message, user=user, status=403)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now_utc()
    session.flush()
    return user


def record_failed_passkey_sign_in(session: Session, user: User | None) -> None:
    """Audit a refused passkey sign-in (it does not count toward the password lockout:
    a passkey cannot be guessed). The caller commits."""
    audit.record(session, "auth.sign_in_failed", user=user, details={"method": "passkey"})


def _own_passkey(session: Session, user: User, passkey_id: int) -> Passkey:
    passkey = session.scalar(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    )
    if passkey is None:
        raise NotFoundError()
    return passkey


def rename_passkey(session: Session, user: User, passkey_id: int, name: str) -> Passkey:
    passkey = _own_passkey(session, user, passkey_id)
    name = clean_name(session, user, name, exclude_id=passkey.id)
    if name != passkey.name:
        audit.record(
            session, "passkey.renamed", user=user, object_type="passkey", object_id=passkey.id,
            details={"from": passkey.name, "to": name},
        )
        passkey.name = name
    session.flush()
    return passkey


def remove_passkey(session: Session, user: User, passkey_id: int) -> None:
    passkey = _own_passkey(session, user, passkey_id)
    audit.record(
        session, "passkey.removed", user=user, object_type="passkey", object_id=passkey.id,
        details={"name": passkey.name},
    )
    session.delete(passkey)
    session.flush()


def remove_all_passkeys(session: Session, user: User) -> int:
    """Remove every passkey of `user` (a member removed from the household); the count."""
    removed = passkeys_of(session, user)
    for passkey in removed:
        audit.record(
            session, "passkey.removed", object_type="passkey", object_id=passkey.id,
            details={"name": passkey.name, "user_id": user.id},
        )
        session.delete(passkey)
    session.flush()
    return len(removed)

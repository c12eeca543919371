"""What a passkey sign-in needs outside a browser session (the API's; the web keeps its
challenge in the session): the relying party read from configuration, and the single use
of a challenge handed to a client that has no session.

A challenge travels in a signed token (the caller signs it); its random nonce is stored,
under the unique key of the used form tokens, in the same transaction as the sign-in it
allows. A replayed answer, even one racing the first in another process, finds the nonce
taken and signs nobody in; a failed sign-in stores nothing, so the challenge stays usable
until it expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.orm import Session

from finora.crypto import new_token
from finora.dates import now_utc
from finora.models import UsedFormToken, User
from finora.services.people.passkeys import RelyingParty
from finora.services.system.form_tokens import insert_nonce_once

NONCE_PREFIX = "pk-"  # 25 characters: never a form token's nonce (22, new_token(16))


def relying_party_from(config: Mapping) -> RelyingParty:
    """The relying party of this instance: its id, name and origin come from configuration
    (WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGIN), never from the request."""
    return RelyingParty(
        id=config["WEBAUTHN_RP_ID"], name=config["WEBAUTHN_RP_NAME"], origin=config["WEBAUTHN_ORIGIN"]
    )


def new_nonce() -> str:
    return NONCE_PREFIX + new_token(16)


def consume_nonce(session: Session, nonce: str, user: User, household_id: int) -> bool:
    """Mark the challenge's nonce used by this sign-in; False when it already was.

    Call it in the transaction that signs the user in: a concurrent use of the same nonce
    waits on the unique key until this transaction ends, then finds it taken."""
    if not isinstance(nonce, str) or not nonce.startswith(NONCE_PREFIX) or len(nonce) > 32:
        return False
    statement = insert_nonce_once(session, {
        "nonce": nonce, "household_id": household_id, "user_id": user.id, "used_at": now_utc(),
    })
    if session.get_bind().dialect.name in ("postgresql", "sqlite"):
        return session.execute(statement.returning(UsedFormToken.id)).first() is not None
    return cast("CursorResult[Any]", session.execute(statement)).rowcount == 1

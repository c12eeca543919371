"""Bearer tokens of the REST API: made, checked on every request, rotated and revoked.

A token is 256 random bits (URL-safe text) shown once; only its SHA-256 is stored. It acts
for one user in one household and is refused, whatever its row says, once it has expired
or been revoked, once its user is not active, or once its user is no longer a member of
that household (a removal ends every token at once without touching them). A password
change revokes every token of the user (password_change.replace_password).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError, NotFoundError
from finora.models import ApiToken, Household, Membership, User
from finora.models.security import API_TOKEN_KINDS, API_TOKEN_SCOPES
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

TOKEN_BYTES = 32  # 256 bits
NAME_MAX = 100
# last_used_at is written at most this often per token: not one UPDATE per API call.
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    raw: str  # shown once, never stored
    token: ApiToken


@dataclass(frozen=True)
class Bearer:
    """Who a valid token acts for."""

    token: ApiToken
    user: User
    membership: Membership

    @property
    def household(self) -> Household:
        return self.membership.household

    @property
    def can_write(self) -> bool:
        """Its scope allows writes (its role decides what it may write)."""
        return self.token.scope == "write"


def issue_token(
    session: Session,
    user: User,
    household: Household,
    *,
    ttl: timedelta,
    name: str,
    scope: str = "write",
    kind: str = "login",
    now: datetime | None = None,
) -> IssuedToken:
    """A new token for `user` in `household` (a member's), valid for `ttl`."""
    if scope not in API_TOKEN_SCOPES or kind not in API_TOKEN_KINDS:
        raise ValueError(f"unknown token scope or kind: {scope!r}, {kind!r}")
    name = " ".join((name or "").split())
    if not name:
        raise FieldError("name", _l("Give the token a name."))
    if len(name) > NAME_MAX:
        raise FieldError("name", _l("At most %(num)d characters.", num=NAME_MAX))
    now = now or now_utc()
    raw = new_token(TOKEN_BYTES)
    token = ApiToken(
        user_id=user.id, household_id=household.id, name=name, token_hash=hash_token(raw),
        created_at=now, expires_at=now + ttl, scope=scope, kind=kind,
    )
    session.add(token)
    session.flush()
    return IssuedToken(raw, token)


def authenticate(session: Session, raw: str, *, now: datetime | None = None) -> Bearer | None:
    """The bearer a raw token stands for, or None (unknown, expired, revoked, its user not
    active or no longer in its household). Notes when it was last used."""
    if not raw or len(raw) > 200:
        return None
    now = now or now_utc()
    row = session.execute(
        select(ApiToken, User, Membership)
        .join(User, User.id == ApiToken.user_id)
        .join(
            Membership,
            (Membership.user_id == ApiToken.user_id)
            & (Membership.household_id == ApiToken.household_id),
        )
        .where(ApiToken.token_hash == hash_token(raw))
    ).first()
    if row is None:
        return None
    token, user, membership = row
    if token.revoked_at is not None or token.expires_at <= now or user.status != "active":
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
    return Bearer(token, user, membership)


def rotate_token(session: Session, bearer: Bearer, *, ttl: timedelta,
                 now: datetime | None = None) -> IssuedToken:
    """Replace the token used with a new one (same name, scope and kind, a new lifetime);
    the old one is revoked at once."""
    now = now or now_utc()
    old = bearer.token
    old.revoked_at = now
    return issue_token(session, bearer.user, bearer.household, ttl=ttl, name=old.name,
                       scope=old.scope, kind=old.kind, now=now)


def revoke_token(session: Session, token: ApiToken, *, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or now_utc()


def live_tokens(session: Session, user: User, *, now: datetime | None = None) -> list[ApiToken]:
    """The user's tokens that still work (newest first), for the profile."""
    now = now or now_utc()
    return list(session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def working_tokens(session: Session, user: User, *,
                   now: datetime | None = None) -> list[tuple[ApiToken, Household]]:
    """The user's tokens that still work, each with its household (newest first), for the
    profile's list: a token of a household the user has left is dead and not shown."""
    now = now or now_utc()
    rows = session.execute(
        select(ApiToken, Household)
        .join(Household, Household.id == ApiToken.household_id)
        .join(Membership, (Membership.household_id == ApiToken.household_id)
              & (Membership.user_id == ApiToken.user_id))
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [(token, household) for token, household in rows]


def get_own_token(session: Session, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is NotFound (ids do not leak)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError()
    return token


# A person's personal tokens are few (a script, a phone); the cap stops a runaway loop.
PERSONAL_MAX = 20


class DemoTokensError(FinoraError):
    status = 403
    message = _l("A demo cannot make API tokens. Sign up to use the API with your own data.")


class TooManyTokensError(FinoraError):
    status = 409
    message = _l("You already have %(num)d personal tokens. Revoke one you no longer use first.",
                 num=PERSONAL_MAX)


def create_personal_token(
    session: Session,
    user: User,
    membership: Membership,
    *,
    name: str,
    scope: str,
    ttl: timedelta,
    now: datetime | None = None,
) -> IssuedToken:
    """A personal token made in the profile for `membership`'s household; audited.

    A viewer's token can only read (its role refuses writes anyway, so offering a
    read-write token would promise what it cannot do). A demo visitor makes none."""
    if membership.user_id != user.id:
        raise NotFoundError()
    if user.demo_expires_at is not None:
        raise DemoTokensError()
    if scope not in API_TOKEN_SCOPES:
        raise FieldError("scope", _l("Choose read-only or read and write."))
    if scope == "write" and membership.role == "viewer":
        raise FieldError("scope", _l("As a viewer in this household, your tokens can only read."))
    now = now or now_utc()
    personal = sum(1 for token in live_tokens(session, user, now=now) if token.kind == "personal")
    if personal >= PERSONAL_MAX:
        raise TooManyTokensError()
    issued = issue_token(session, user, membership.household, ttl=ttl, name=name, scope=scope,
                         kind="personal", now=now)
    audit.record(
        session, "api_token.created", user=user, object_type="api_token",
        object_id=issued.token.id,
        details={"name": issued.token.name, "scope": scope, "kind": "personal",
                 "household_id": membership.household_id},
    )
    return issued


def revoke_own_token(session: Session, user: User, token_id: int,
                     *, now: datetime | None = None) -> ApiToken:
    """Revoke one of the user's live tokens from the profile; audited. Someone else's,
    an expired or an already revoked one is NotFound."""
    now = now or now_utc()
    token = get_own_token(session, user, token_id)
    if token.revoked_at is not None or token.expires_at <= now:
        raise NotFoundError()
    revoke_token(session, token, now=now)
    audit.record(
        session, "api_token.revoked", user=user, object_type="api_token", object_id=token.id,
        details={"name": token.name, "scope": token.scope, "kind": token.kind},
    )
    session.flush()
    return token

"""Bodies, query parameters and answers of the passkey sign-in and the instance
administration endpoints (passkey_views.py, admin_views.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from finora.api.schemas import Body, Query
from finora.api.spec import Out, Stamp

# ---- passkey sign-in ---------------------------------------------------------------------


class PasskeyOptionsBody(Body):
    email: str = Field(min_length=1, max_length=254)


class PasskeyVerifyBody(Body):
    challenge_token: str = Field(min_length=1, max_length=2000)
    # The PublicKeyCredential the platform's navigator.credentials.get() (or its native
    # equivalent) gave, as JSON (WebAuthn Level 3 toJSON(): base64url byte strings).
    credential: dict[str, Any]
    device_name: str | None = Field(default=None, max_length=100)


class CredentialDescriptorOut(Out):
    id: str
    type: str
    transports: list[str] | None = None


class RequestOptionsOut(Out):
    """WebAuthn's PublicKeyCredentialRequestOptionsJSON, as the platform API takes it."""

    challenge: str
    timeout: int
    rpId: str  # WebAuthn's own names (camelCase)
    allowCredentials: list[CredentialDescriptorOut]
    userVerification: str


class PasskeyOptionsOut(Out):
    challenge_token: str
    options: RequestOptionsOut


# The answer of /auth/passkey/verify is /auth/login's token answer (responses_auth.TokenOut).


# ---- instance administration -------------------------------------------------------------

USER_FILTERS = ("pending", "unconfirmed", "active", "disabled")


class UsersQuery(Query):
    status: Literal["pending", "unconfirmed", "active", "disabled"] | None = Field(
        default=None, description="pending: waiting for approval; unconfirmed: waiting for "
        "the e-mail address to be confirmed.")
    search: str | None = Field(default=None, max_length=100,
                               description="Part of the name or e-mail address.")


class MembershipOut(Out):
    household_id: int
    household_name: str
    role: str


class AdminUserOut(Out):
    id: int
    email: str
    name: str
    status: str  # pending, active, disabled
    email_confirmed: bool  # False: a sign-up whose address is not confirmed yet
    is_admin: bool
    locale: str
    created_at: Stamp
    approved_at: Stamp | None
    last_login_at: Stamp | None
    households: list[MembershipOut]


class AdminActionOut(Out):
    message: str
    user: AdminUserOut | None  # None after a denial: the sign-up is deleted
    warning: str | None  # e.g. the approval e-mail could not be sent

"""What the sign-in endpoints answer (docs/api.md, "Authentication"), for the OpenAPI
document and the tests: the user object PyCashFlow's client decodes, tokens, messages."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, RootModel

from finora.api.spec import Out, Stamp


class UserOut(Out):
    """The signed-in person: `is_admin` is the household's owner, `is_global_admin` the
    instance's administrator, `is_guest` a viewer."""

    id: int
    email: str
    name: str
    is_admin: bool
    is_global_admin: bool
    twofa_enabled: bool
    is_guest: bool


class TokenOut(Out):
    """A bearer token (shown once) and whom it acts for."""

    token: str
    user: UserOut


class SecondFactorOut(Out):
    """Two-factor sign-in is on: no token yet; send the challenge with a code to
    /auth/login/2fa within 5 minutes."""

    twofa_required: Literal[True]
    challenge: str
    user: UserOut


class LoginOut(RootModel[TokenOut | SecondFactorOut]):
    """A token, or the second factor's challenge."""

    model_config = ConfigDict(defer_build=True)  # built when first used (spec.Out says why)


class MessageOut(Out):
    """A confirmation in the caller's language."""

    message: str


class DemoOut(Out):
    """A demo household's token, its user and when the demo (and the token) ends."""

    token: str
    user: UserOut
    expires_at: Stamp | None

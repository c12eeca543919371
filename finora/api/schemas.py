"""The request bodies the API takes (pydantic): they validate requests and describe them in
the OpenAPI document, so the two cannot disagree."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    """Unknown fields are ignored (clients send more than a server knows); strings trimmed
    where the field says so."""

    # Built when first used, not at import (spec.Out says why).
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False, defer_build=True)


class Query(BaseModel):
    """Query parameters: unknown ones (limit, offset, a cache-buster) are left to their
    readers; read with body.read_query."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class LoginBody(Body):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    # What the profile's token list calls this sign-in (a phone, a script).
    device_name: str | None = Field(default=None, max_length=100)


class SecondFactorBody(Body):
    challenge: str = Field(min_length=1, max_length=2000)
    code: str = Field(min_length=1, max_length=64)
    device_name: str | None = Field(default=None, max_length=100)


class PasswordBody(Body):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)

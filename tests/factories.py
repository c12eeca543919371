"""Factories for rows the tests need, built through the real services."""

from __future__ import annotations

import itertools

from finora.extensions import db
from finora.models import User
from finora.services.people.registration import SignupData, register_user

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def signup_data(**overrides) -> SignupData:
    n = next(_counter)
    values = {
        "name": f"Person {n}",
        "email": f"person{n}@example.com",
        "password": PASSWORD,
        "household_name": f"Household {n}",
        "currency": "BRL",
        "locale": "en",
        "timezone": "America/Sao_Paulo",
    }
    values.update(overrides)
    return SignupData(**values)


def create_user(*, status: str | None = None, is_admin: bool | None = None, **overrides) -> User:
    """A user with a household of their own; committed."""
    user = register_user(db.session, signup_data(**overrides), mode="open")
    if status is not None:
        user.status = status
    if is_admin is not None:
        user.is_admin = is_admin
    db.session.commit()
    return user

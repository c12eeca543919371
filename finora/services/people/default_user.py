"""The optional default user of a local run (ENABLE_DEFAULT_USER_SEED): created once, active,
with a household, by the sign-up service and under its password rule; never in production."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.models import User
from finora.services.people.passwords import password_problem
from finora.services.people.registration import (
    DEFAULT_CURRENCY,
    DEFAULT_TIMEZONE,
    SignupData,
    normalise_email,
    register_user,
)
from finora.translation import lazy_gettext as _l

log = logging.getLogger("finora.startup")

LOCALE = "pt"  # Finora's default language (BABEL_DEFAULT_LOCALE); the user can change it


def seed_default_user(session: Session, config: Mapping) -> User | None:
    """Create DEFAULT_USER_EMAIL/NAME/PASSWORD as an active user who owns a new household,
    when ENABLE_DEFAULT_USER_SEED is on. Says in one log line why it did nothing: the seed
    is ignored in production, the e-mail or password is missing, the password fails the
    sign-up rule, or the user exists (it is left as it is, so every start may call this).
    The password is never logged. Returns the new user; flushes, the caller commits."""
    if not config.get("ENABLE_DEFAULT_USER_SEED"):
        return None
    if config.get("ENV_NAME") == "production":
        log.warning("ENABLE_DEFAULT_USER_SEED is ignored in production: no default user.")
        return None
    email = normalise_email(config.get("DEFAULT_USER_EMAIL") or "")
    if not email:
        log.warning("Default user not created: DEFAULT_USER_EMAIL is not set.")
        return None
    if "@" not in email.strip("@"):
        log.warning("Default user not created: DEFAULT_USER_EMAIL is not an e-mail address.")
        return None
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        log.info("Default user %s exists; left as it is.", email)
        return None
    password = config.get("DEFAULT_USER_PASSWORD") or ""
    if not password:
        log.warning("Default user %s not created: DEFAULT_USER_PASSWORD is not set.", email)
        return None
    name = (config.get("DEFAULT_USER_NAME") or "").strip() or email.split("@")[0]
    problem = password_problem(password, email=email, name=name)
    if problem is not None:
        with force_locale("en"):  # the log speaks English
            reason = str(problem)
        log.warning(
            "Default user %s not created: DEFAULT_USER_PASSWORD is too weak (%s)", email, reason
        )
        return None
    with force_locale(LOCALE):
        household_name = str(_l("%(name)s’s household", name=name))
    data = SignupData(
        name=name,
        email=email,
        password=password,
        household_name=household_name,
        currency=DEFAULT_CURRENCY[LOCALE],
        locale=LOCALE,
        timezone=DEFAULT_TIMEZONE[LOCALE],
    )
    # Whatever REGISTRATION_MODE says: the operator asked for this account.
    user = register_user(session, data, mode="open")
    user.status = "active"
    session.flush()
    log.info(
        "Created the default user %s (%s).",
        email,
        "the instance admin: the first user" if user.is_admin else "active",
    )
    return user

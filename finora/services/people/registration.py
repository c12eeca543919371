"""Sign-up: a user, their household and the owner membership, created together."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from finora.dates import is_valid_timezone, now_utc, today_in
from finora.errors import FinoraError
from finora.models import Account, Household, Membership, User
from finora.models.user import LOCALES
from finora.services.ledger.catalogue import seed_default_catalogue
from finora.services.people.passwords import hash_password, password_problem
from finora.services.people.signup_mail import queue_signup_notification, queue_taken_address_notice
from finora.services.people.signup_verification import awaiting_verification, start_verification
from finora.services.system.currencies import is_current_currency
from finora.services.system.lock_conflicts import is_deadlock
from finora.services.system.mail import mail_configured
from finora.translation import lazy_gettext as _l

DEFAULT_CURRENCY = {"pt": "BRL", "en": "USD", "es": "EUR"}
DEFAULT_TIMEZONE = {"pt": "America/Sao_Paulo", "en": "America/New_York", "es": "Europe/Madrid"}


class RegistrationClosedError(FinoraError):
    message = _l("New sign-ups are closed on this Finora.")
    status = 403


class EmailTakenError(FinoraError):
    message = _l("An account with this e-mail already exists. Sign in instead.")
    status = 409
    field = "email"


class TakenAddressSignupError(EmailTakenError):
    """The address has an account, mail can be sent and a new sign-up would only wait for
    approval or for its address to be confirmed: the caller answers exactly as for a new
    sign-up (a decoy recovery key, or "check your e-mail" when `confirm`) and commits, which
    e-mails the owner. Nothing about the account changes."""

    def __init__(self, owner: User, *, confirm: bool = False) -> None:
        super().__init__()
        self.owner = owner
        self.confirm = confirm


class InvalidSignupError(FinoraError):
    """A value the form should already have refused (the service checks again)."""


@dataclass(frozen=True)
class SignupData:
    name: str
    email: str
    password: str
    household_name: str
    currency: str
    locale: str
    timezone: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def signup_closed(session: Session, mode: str) -> bool:
    """Closed mode refuses sign-ups — except the very first, which sets the instance up."""
    return mode == "closed" and session.scalar(select(User.id).limit(1)) is not None


def register_user(
    session: Session, data: SignupData, *, mode: str, confirm_base_url: str | None = None
) -> User:
    """Create the user, their household and owner membership.

    The very first user becomes the instance admin and is active at once; later users
    follow the registration mode: active when open, pending when approval, refused when
    closed. The admins are e-mailed about every later sign-up after it is committed.

    With `confirm_base_url` (the web sign-up passes APP_BASE_URL), open mode and mail
    configured, a later user stays pending until they follow the link e-mailed to them
    (finora.services.people.signup_verification); the admins hear of it then.

    An address that already has an account is not told apart from a new one when it can
    be (approval mode, or open mode with confirmation; mail configured:
    TakenAddressSignupError, and its owner is e-mailed once the caller commits); otherwise
    EmailTakenError says so (the route is rate-limited). An account whose address was never
    confirmed does not hold the address: a new sign-up replaces it, so whoever reads the
    mailbox can always sign up.
    """
    email = normalise_email(data.email)
    # Demo visitors (finora.services.people.demo) do not make the instance taken.
    first_user = session.scalar(
        select(func.count()).select_from(User).where(User.demo_expires_at.is_(None))
    ) == 0
    if not first_user and mode == "closed":
        raise RegistrationClosedError()
    _check(data, email)
    mail = not first_user and mail_configured(session)
    confirm = mail and mode == "open" and confirm_base_url is not None
    owner = session.scalar(select(User).where(User.email == email))
    if owner is not None and confirm and awaiting_verification(session, owner):
        # Imported here: finora.services.people.users imports (through auth) this module.
        from finora.services.people.users import delete_unused_account

        delete_unused_account(session, owner)
        owner = None
    if owner is not None:
        # Open mode without confirmation signs a new account in at once: not imitable.
        if mail and (mode == "approval" or confirm):
            hash_password(data.password)  # the work a new sign-up does, so it takes as long
            queue_taken_address_notice(session, owner)
            raise TakenAddressSignupError(owner, confirm=confirm)
        raise EmailTakenError()

    active = first_user or (mode == "open" and not confirm)
    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        locale=data.locale,
        status="active" if active else "pending",
        is_admin=first_user,
        approved_at=now_utc() if active else None,
    )
    household = Household(
        name=data.household_name.strip(),
        currency=data.currency.upper(),
        timezone=data.timezone,
    )
    session.add_all([user, household])
    session.add(Membership(user=user, household=household, role="owner"))
    try:
        session.flush()
    except IntegrityError as error:
        # Another sign-up for this address was committed between the check above and this
        # insert; the unique key decided. The caller rolls back.
        raise EmailTakenError() from error
    except OperationalError as error:
        # Two sign-ups inserting the same address can also deadlock on its unique key
        # (InnoDB, when an earlier row with that address was deleted and not yet purged:
        # both take a shared lock on it, then both wait to insert). The database rolled
        # this one back and lets the other through: the address is taken all the same. (A
        # lock timeout could be any long writer, so it is not taken to mean this.)
        if not is_deadlock(error):
            raise
        raise EmailTakenError() from error
    set_up_household(session, household, data.locale)
    if confirm and confirm_base_url is not None:  # confirm implies a base URL
        start_verification(session, user, base_url=confirm_base_url)
    elif not first_user:
        # Mailed once the sign-up is committed; a failing mail server never undoes it.
        queue_signup_notification(session, user)
    return user


def set_up_household(session: Session, household: Household, locale: str) -> None:
    """What every new household starts with: the default categories and one account."""
    seed_default_catalogue(session, household)
    with force_locale(locale):
        name = str(_l("Checking account"))
    session.add(
        Account(
            household_id=household.id,
            name=name,
            kind="checking",
            opening_date=today_in(household.timezone),
        )
    )
    session.flush()


def _check(data: SignupData, email: str) -> None:
    problem = password_problem(data.password, email=email, name=data.name)
    if problem:
        raise InvalidSignupError(problem)
    if data.locale not in LOCALES:
        raise InvalidSignupError(_l("Choose one of the offered languages."))
    if not is_current_currency(data.currency):
        raise InvalidSignupError(_l("Choose a currency from the list."))
    if not is_valid_timezone(data.timezone):
        raise InvalidSignupError(_l("Choose a time zone from the list."))
    if not data.name.strip() or not data.household_name.strip():
        raise InvalidSignupError(_l("Fill in your name and the household’s name."))


def admin_status(session: Session) -> str:
    """"admin" when an instance admin exists, "empty" when there is no user at all (the
    first sign-up becomes the admin), "orphaned" when users exist but none is admin."""
    if session.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1)) is not None:
        return "admin"
    if session.scalar(select(User.id).where(User.demo_expires_at.is_(None)).limit(1)) is None:
        return "empty"
    return "orphaned"


def bootstrap_admin(session: Session, email: str, password: str, locale: str = "pt") -> User | None:
    """Create the instance admin from BOOTSTRAP_ADMIN_EMAIL/PASSWORD if missing.

    Returns the new user, or None when that e-mail already has an account (it is then
    promoted to admin and activated, so a lost admin can be restored from the config).
    """
    existing = session.scalar(select(User).where(User.email == normalise_email(email)))
    if existing is not None:
        existing.is_admin = True
        existing.status = "active"
        session.flush()
        return None
    data = SignupData(
        name="Admin",
        email=email,
        password=password,
        household_name="Finora",
        currency=DEFAULT_CURRENCY[locale],
        locale=locale,
        timezone=DEFAULT_TIMEZONE[locale],
    )
    user = register_user(session, data, mode="open")
    user.is_admin = True
    user.status = "active"
    session.flush()
    return user

"""Invitations to join a household: a one-time setup link (48 hours, single use).

Only the SHA-256 of the link's token is stored. Inviting the same address again deletes
the older pending invitation, so its link stops working. A user may belong to several
households (DESIGN §2: memberships join users and households), so an existing account
joins by signing in and accepting; a new address sets a name and password and becomes an
active member at once (the owner vouched for them, no admin approval).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from finora.crypto import hash_token, new_token
from finora.dates import now_utc
from finora.errors import FieldError, FinoraError
from finora.models import Household, Invitation, Membership, User
from finora.models.invitation import INVITATION_ROLES
from finora.models.user import LOCALES
from finora.services.people.passwords import hash_password, password_problem
from finora.services.people.registration import normalise_email
from finora.services.system.audit import record
from finora.services.system.mail import MailResult, send_mail
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

INVITATION_LIFETIME = timedelta(hours=48)


class InvitationInvalidError(FinoraError):
    message = _l(
        "This invitation link no longer works: it was already used, replaced by a newer "
        "invitation, or it expired. Ask the household’s owner to invite you again."
    )
    status = 404


class WrongAccountError(FinoraError):
    message = _l(
        "This invitation is for another e-mail address. Sign out, then open the link again."
    )
    status = 403


class AlreadyMemberError(FieldError):
    def __init__(self) -> None:
        super().__init__("email", _l("This person is already a member of the household."))


class AccountExistsError(FinoraError):
    message = _l("An account with this e-mail already exists. Sign in to accept the invitation.")
    status = 409


@dataclass(frozen=True)
class NewMember:
    name: str
    password: str
    locale: str


def _member(session: Session, household_id: int, email: str) -> Membership | None:
    return session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household_id, User.email == email)
    )


def invite(
    session: Session, household: Household, inviter: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Create the invitation and return it with its secret token (for the link only)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise FieldError("email", _l("Enter a valid e-mail address."))
    if role not in INVITATION_ROLES:
        raise FieldError("role", _l("Choose editor or viewer."))
    if _member(session, household.id, email) is not None:
        raise AlreadyMemberError()
    # A new link voids the older ones for this address.
    session.execute(
        delete(Invitation).where(
            Invitation.household_id == household.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
        )
    )
    token = new_token()
    invitation = Invitation(
        household_id=household.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_id=inviter.id,
        expires_at=now_utc() + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    record(
        session, "member.invited", user=inviter, household_id=household.id,
        object_type="invitation", object_id=invitation.id,
        details={"email": email, "role": role},
    )
    return invitation, token


def pending_invitations(session: Session, household: Household) -> list[Invitation]:
    return list(session.scalars(
        select(Invitation)
        .where(Invitation.household_id == household.id, Invitation.accepted_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ))


def cancel_invitation(session: Session, invitation: Invitation) -> None:
    session.delete(invitation)
    session.flush()


def find_open_invitation(session: Session, token: str) -> Invitation:
    """The unused, unexpired invitation of this token, else InvitationInvalidError."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalidError()
    if invitation.expires_at <= now_utc():
        raise InvitationInvalidError()
    return invitation


def account_for(session: Session, invitation: Invitation) -> User | None:
    return session.scalar(select(User).where(User.email == invitation.email))


def _join(session: Session, invitation: Invitation, user: User) -> Membership:
    # One conditional UPDATE: of two simultaneous uses of a link, only one wins.
    used = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=now_utc(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", used).rowcount != 1:
        raise InvitationInvalidError()
    session.expire(invitation)
    membership = _member(session, invitation.household_id, user.email)
    if membership is None:
        membership = Membership(
            user=user, household_id=invitation.household_id, role=invitation.role
        )
        session.add(membership)
    session.flush()
    record(
        session, "member.joined", user=user, household_id=invitation.household_id,
        object_type="membership", object_id=membership.id,
        details={"role": membership.role, "invitation_id": invitation.id},
    )
    return membership


def accept_as_new_user(session: Session, invitation: Invitation, data: NewMember) -> User:
    """Create the invitee's account (active) and their membership."""
    if account_for(session, invitation) is not None:
        raise AccountExistsError()
    if not data.name.strip():
        raise FieldError("name", _l("Enter your name."))
    problem = password_problem(data.password, email=invitation.email, name=data.name)
    if problem:
        raise FieldError("password", problem)
    user = User(
        email=invitation.email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        locale=data.locale if data.locale in LOCALES else "pt",
        status="active",
        approved_at=now_utc(),
    )
    session.add(user)
    session.flush()
    _join(session, invitation, user)
    return user


def is_for(invitation: Invitation, user: User) -> bool:
    """Whether the invitation was sent to this account's address."""
    return normalise_email(user.email) == invitation.email


def accept_as_existing_user(session: Session, invitation: Invitation, user: User) -> Membership:
    """Add the signed-in user to the household; the invitation must be for their address."""
    if not is_for(invitation, user):
        raise WrongAccountError()
    return _join(session, invitation, user)


def invitation_link(base_url: str, token: str) -> str:
    """The setup link, always built from APP_BASE_URL (never from the request's Host)."""
    return f"{base_url.rstrip('/')}/invitations/{token}"


def send_invitation(
    session: Session, invitation: Invitation, household: Household, inviter: User, link: str
) -> MailResult:
    """E-mail the link in the inviter's language (or write it to the log without SMTP)."""
    roles = {"editor": _("editor"), "viewer": _("viewer (read-only guest)")}
    subject = _(
        "%(name)s invited you to %(household)s on Finora",
        name=inviter.name, household=household.name,
    )
    text = _(
        "%(name)s invited you to join the household “%(household)s” on Finora as "
        "%(role)s.\n\nOpen this link to accept the invitation:\n%(link)s\n\n"
        "The link works once and expires in 48 hours. If you did not expect this "
        "invitation, you can ignore this e-mail.",
        name=inviter.name, household=household.name, role=roles[invitation.role], link=link,
    )
    return send_mail(invitation.email, subject, text, session=session)


def invite_and_send(
    session: Session, household: Household, inviter: User, email: str, role: str, *, base_url: str
) -> tuple[Invitation, MailResult]:
    """Invite the address and e-mail it the link (what the members page does in one step)."""
    invitation, token = invite(session, household, inviter, email, role)
    result = send_invitation(session, invitation, household, inviter, invitation_link(base_url, token))
    return invitation, result

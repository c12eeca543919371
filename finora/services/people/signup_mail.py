"""E-mails about sign-ups: the admins hear of each new one, the person hears when approved,
the owner of an address someone tried to sign up with hears of it, and a sign-up that must
confirm its address gets the link.

All are sent after the change is committed and never undo it: a mail server that is
down is logged and reported, the sign-up or approval stands.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from finora.models import User
from finora.services.system.mail import MailDeliveryError, MailResult, send_mail
from finora.translation import gettext as _

logger = logging.getLogger("finora.mail")

# Keys in Session.info: ids of users whose sign-up is announced once the transaction
# commits, and of owners of addresses someone tried to sign up with.
_QUEUE = "finora_signup_notifications"
_TAKEN_QUEUE = "finora_taken_address_notices"
# (user id, link) pairs: the link exists only here and in the e-mail, never in the database.
_VERIFY_QUEUE = "finora_verification_mails"


def queue_signup_notification(session: Session, user: User) -> None:
    """Announce this sign-up to the admins when (and only if) the session commits."""
    session.info.setdefault(_QUEUE, []).append(user.id)


def queue_taken_address_notice(session: Session, owner: User) -> None:
    """Tell the owner someone tried to sign up with their address, once the session commits."""
    session.info.setdefault(_TAKEN_QUEUE, []).append(owner.id)


def queue_verification_mail(session: Session, user: User, link: str) -> None:
    """E-mail the sign-up its confirmation link, once the session commits."""
    session.info.setdefault(_VERIFY_QUEUE, []).append((user.id, link))


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    user_ids = session.info.pop(_QUEUE, None)
    owner_ids = session.info.pop(_TAKEN_QUEUE, None)
    links = session.info.pop(_VERIFY_QUEUE, None)
    if not user_ids and not owner_ids and not links:
        return
    try:
        # The committed session may not run SQL inside this event: use a fresh one.
        with Session(bind=session.get_bind()) as fresh:
            for user_id in user_ids or ():
                notify_admins_of_signup(fresh, user_id)
            for owner_id in owner_ids or ():
                notify_owner_of_taken_signup(fresh, owner_id)
            for user_id, link in links or ():
                send_verification_mail(fresh, user_id, link)
    except Exception:  # a notification must never break a sign-up
        logger.exception("could not send sign-up notices %s %s", user_ids, owner_ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, _previous) -> None:
    session.info.pop(_QUEUE, None)
    session.info.pop(_TAKEN_QUEUE, None)
    session.info.pop(_VERIFY_QUEUE, None)


def _admin_link(path: str) -> str:
    return f"{current_app.config['APP_BASE_URL']}{path}"


def notify_admins_of_signup(session: Session, user_id: int) -> int:
    """E-mail every active admin about a new sign-up; how many were handed to the server."""
    user = session.get(User, user_id)
    if user is None:
        return 0
    admins = session.scalars(
        select(User).where(User.is_admin.is_(True), User.status == "active", User.id != user.id)
    )
    sent = 0
    for admin in admins:
        with force_locale(admin.locale):
            if user.status == "pending":
                subject = _("New sign-up waiting for approval: %(email)s", email=user.email)
                action = _("Approve or deny it here: %(link)s",
                           link=_admin_link("/admin/users?status=pending"))
            else:
                subject = _("New sign-up: %(email)s", email=user.email)
                action = _("See the users here: %(link)s", link=_admin_link("/admin/users"))
            text = "\n\n".join(
                [
                    _("Hello, %(name)s.", name=admin.name),
                    _("%(name)s (%(email)s) has signed up on Finora.", name=user.name, email=user.email),
                    action,
                ]
            )
        try:
            result = send_mail(admin.email, subject, text, session=session)
        except MailDeliveryError:
            continue  # send_mail has logged why
        sent += int(result.delivered)
    return sent


def notify_owner_of_taken_signup(session: Session, owner_id: int) -> bool:
    """E-mail the owner that someone tried to sign up with their address (nothing changed);
    whether the server took it."""
    return _mail_user(session, owner_id, lambda owner: (
        _("Someone tried to sign up on Finora with your address"),
        [
            _("Hello, %(name)s.", name=owner.name),
            _("Someone just tried to create a Finora account with this e-mail address, "
              "which already has one. Nothing was changed in your account."),
            _("If it was you, sign in here: %(link)s", link=_admin_link("/login")),
            _("Forgot your password? Reset it here: %(link)s",
              link=_admin_link("/forgot-password")),
            _("If it was not you, you can ignore this e-mail."),
        ],
    ))


def send_verification_mail(session: Session, user_id: int, link: str) -> bool:
    """E-mail a new sign-up the link that confirms its address; whether the server took it."""
    return _mail_user(session, user_id, lambda user: (
        _("Confirm your e-mail address to finish creating your Finora account"),
        [
            _("Hello, %(name)s.", name=user.name),
            _("Open this link within 48 hours to confirm your address and finish creating "
              "your Finora account: %(link)s", link=link),
            _("The link works once. If you did not sign up on Finora, ignore this e-mail: "
              "nothing happens unless the link is followed."),
        ],
    ))


def _mail_user(session: Session, user_id: int, compose) -> bool:
    """Send the user the (subject, paragraphs) that `compose(user)` writes in their language;
    whether the server took it (a failure is logged by send_mail, never raised)."""
    user = session.get(User, user_id)
    if user is None:
        return False
    with force_locale(user.locale):
        subject, paragraphs = compose(user)
        text = "\n\n".join(paragraphs)
    try:
        return send_mail(user.email, subject, text, session=session).delivered
    except MailDeliveryError:
        return False  # send_mail has logged why


def send_approval_mail(session: Session, user: User) -> MailResult:
    """Tell the person they can sign in now. Raises MailDeliveryError if the server fails."""
    with force_locale(user.locale):
        subject = _("Your Finora account is ready")
        text = "\n\n".join(
            [
                _("Hello, %(name)s.", name=user.name),
                _("An administrator approved your sign-up. You can sign in now: %(link)s",
                  link=_admin_link("/login")),
            ]
        )
    return send_mail(user.email, subject, text, session=session)

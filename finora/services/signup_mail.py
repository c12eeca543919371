"""E-mails about sign-ups: the admins hear of each new one, the person hears when approved.

Both are sent after the change is committed and never undo it: a mail server that is
down is logged and reported, the sign-up or approval stands.
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from finora.models import User
from finora.services.mail import MailDeliveryError, MailResult, send_mail
from finora.translation import gettext as _

logger = logging.getLogger("finora.mail")

# Key in Session.info: ids of users whose sign-up is announced once the transaction commits.
_QUEUE = "finora_signup_notifications"


def queue_signup_notification(session: Session, user: User) -> None:
    """Announce this sign-up to the admins when (and only if) the session commits."""
    session.info.setdefault(_QUEUE, []).append(user.id)


@event.listens_for(Session, "after_commit")
def _send_queued(session: Session) -> None:
    user_ids = session.info.pop(_QUEUE, None)
    if not user_ids:
        return
    try:
        # The committed session may not run SQL inside this event: use a fresh one.
        with Session(bind=session.get_bind()) as fresh:
            for user_id in user_ids:
                notify_admins_of_signup(fresh, user_id)
    except Exception:  # a notification must never break a sign-up
        logger.exception("could not announce sign-ups %s to the admins", user_ids)


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, _previous) -> None:
    session.info.pop(_QUEUE, None)


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

"""/api/v1/admin: the instance administrator's users and sign-up approvals (the admin's
users page as endpoints; the same services and the same audit events).

Demo visitors are never listed, shown or acted on: they are not sign-ups (404)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from finora.api import bp
from finora.api.access import caller, instance_admin
from finora.api.admin_json import admin_user_json
from finora.api.body import read_query
from finora.api.envelope import many, one
from finora.api.pagination import page_params
from finora.api.schemas_admin import AdminActionOut, AdminUserOut, UsersQuery
from finora.api.spec import documented
from finora.errors import NotFoundError
from finora.extensions import db
from finora.models import Membership, User
from finora.services.people.signup_mail import send_approval_mail
from finora.services.people.signup_verification import awaiting_verification_ids
from finora.services.people.users import (
    approve_user,
    deny_user,
    disable_user,
    enable_user,
    users_query,
)
from finora.services.system.mail import MailDeliveryError
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

TAG = "Administration"


def _query() -> UsersQuery:
    return read_query(UsersQuery)


def _page_of(stmt):
    page = page_params()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    # Each user's households in one more query for the page, not two per user.
    users = list(db.session.scalars(
        stmt.limit(page.limit).offset(page.offset)
        .options(selectinload(User.memberships).joinedload(Membership.household))
    ))
    unconfirmed = awaiting_verification_ids(db.session, [u.id for u in users])
    return many([admin_user_json(u, unconfirmed) for u in users], total=total,
                limit=page.limit, offset=page.offset)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.demo_expires_at is not None:
        raise NotFoundError()
    return user


def _one_user(user: User) -> dict:
    return admin_user_json(user, awaiting_verification_ids(db.session, [user.id]))


@bp.get("/admin/users")
@instance_admin
@documented(_l("The instance's user accounts"), tag=TAG, query=UsersQuery,
            response=AdminUserOut, many=True,
            description=_l("Sign-ups waiting for approval first, then those waiting for their "
                           "address to be confirmed, then the newest. Demo visitors are not "
                           "listed."))
def admin_users():
    query = _query()
    return _page_of(users_query((query.search or "").strip(), query.status or ""))


@bp.get("/admin/approvals")
@instance_admin
@documented(_l("Sign-ups waiting for approval"), tag=TAG, response=AdminUserOut, many=True,
            description=_l("Accounts whose address is confirmed and that wait for the "
                           "administrator (never demo visitors)."))
def admin_approvals():
    return _page_of(users_query("", "pending"))


@bp.get("/admin/users/<int:user_id>")
@instance_admin
@documented(_l("One user account"), tag=TAG, response=AdminUserOut)
def admin_user(user_id: int):
    return one(_one_user(_user_or_404(user_id)))


def _approval_warning(user: User) -> str | None:
    """The approval stands whatever the mail server does; the admin hears if it failed."""
    try:
        result = send_approval_mail(db.session, user)
    except MailDeliveryError:
        return _("The e-mail telling %(email)s could not be sent.", email=user.email)
    if result.logged:
        return _("No SMTP server is set up: the e-mail to %(email)s went to the server log.",
                 email=user.email)
    return None


@bp.post("/admin/users/<int:user_id>/approve")
@instance_admin
@documented(_l("Approve a sign-up"), tag=TAG, response=AdminActionOut,
            description=_l("The person can sign in and is told by e-mail. 409 when the account "
                           "is not waiting for approval or its address is not confirmed."))
def admin_approve(user_id: int):
    user = _user_or_404(user_id)
    approve_user(db.session, user, by=caller().user)
    db.session.commit()
    warning = _approval_warning(user)
    return one({"message": _("%(email)s can now sign in.", email=user.email),
                "user": _one_user(user), "warning": warning})


@bp.post("/admin/users/<int:user_id>/deny")
@instance_admin
@documented(_l("Deny a sign-up"), tag=TAG, response=AdminActionOut,
            description=_l("The sign-up and the household it made are deleted (`user` is "
                           "null). 409 when the account is not waiting for approval."))
def admin_deny(user_id: int):
    user = _user_or_404(user_id)
    email = deny_user(db.session, user, by=caller().user)
    db.session.commit()
    return one({"message": _("The sign-up of %(email)s was denied and deleted.", email=email),
                "user": None, "warning": None})


@bp.post("/admin/users/<int:user_id>/disable")
@instance_admin
@documented(_l("Disable an account"), tag=TAG, response=AdminActionOut,
            description=_l("Its sessions and API tokens end. 409 for the administrator."))
def admin_disable(user_id: int):
    user = _user_or_404(user_id)
    disable_user(db.session, user, by=caller().user)
    db.session.commit()
    return one({"message": _("%(email)s is disabled.", email=user.email),
                "user": _one_user(user), "warning": None})


@bp.post("/admin/users/<int:user_id>/enable")
@instance_admin
@documented(_l("Enable an account"), tag=TAG, response=AdminActionOut,
            description=_l("A disabled (or pending) account may sign in again. 409 while a "
                           "sign-up's address is not confirmed."))
def admin_enable(user_id: int):
    user = _user_or_404(user_id)
    enable_user(db.session, user, by=caller().user)
    db.session.commit()
    return one({"message": _("%(email)s is active again.", email=user.email),
                "user": _one_user(user), "warning": None})

"""Users list: search, approve or deny sign-ups, activate and deactivate accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import User
from finora.models.user import USER_STATUSES
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
from finora.web.admin import bp
from finora.web.converters import page_arg
from finora.web.forms import EmptyForm

PER_PAGE = 25


@bp.get("/")
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
def users():
    search = request.args.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL: no NUL
    status = request.args.get("status", "")
    if status not in (*USER_STATUSES, "unconfirmed"):
        status = ""
    page = db.paginate(users_query(search, status), page=page_arg(), per_page=PER_PAGE, error_out=False)
    unconfirmed = awaiting_verification_ids(db.session, [user.id for user in page.items])
    return render_template(
        "admin/users.html", page=page, search=search, status=status, unconfirmed=unconfirmed,
        form=EmptyForm(),
    )


_SERVICES = {"approve": approve_user, "deny": deny_user, "disable": disable_user, "enable": enable_user}
_MESSAGES = {
    "approve": lambda email: _("%(email)s can now sign in.", email=email),
    "deny": lambda email: _("The sign-up of %(email)s was denied and deleted.", email=email),
    "disable": lambda email: _("%(email)s is disabled.", email=email),
    "enable": lambda email: _("%(email)s is active again.", email=email),
}


@bp.post("/users/<int:user_id>/<action>")
def user_action(user_id: int, action: str):
    if action not in _SERVICES:
        abort(404)
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    email = user.email
    try:
        _SERVICES[action](db.session, user, by=current_user._get_current_object())
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_MESSAGES[action](email), "success")
        if action == "approve":
            _tell_approved(user)
    return redirect(request.referrer if _same_admin_page(request.referrer) else url_for("admin.users"))


def _tell_approved(user: User) -> None:
    """The approval stands whatever the mail server does; the admin hears if it failed."""
    try:
        result = send_approval_mail(db.session, user)
    except MailDeliveryError:
        flash(_("The e-mail telling %(email)s could not be sent.", email=user.email), "warning")
    else:
        if result.logged:
            flash(_("No SMTP server is set up: the e-mail to %(email)s went to the server log.",
                    email=user.email), "info")


def _same_admin_page(referrer: str | None) -> bool:
    if not referrer:
        return False
    parts = urlsplit(referrer)
    return parts.netloc == request.host and parts.path == url_for("admin.users")

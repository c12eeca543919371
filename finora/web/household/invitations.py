"""Accepting an invitation (blueprint "invitations": open to visitors, no role applies).

The link's token stays in the URL until the invitation is used; a GET only shows the
page, the POST joins. A visitor without an account sets a name and password; one with an
account signs in (the link is kept as `next`) and accepts.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.models import Household
from finora.services.people.invitations import (
    InvitationInvalidError,
    NewMember,
    WrongAccountError,
    accept_as_existing_user,
    accept_as_new_user,
    account_for,
    find_open_invitation,
    is_for,
)
from finora.services.people.recovery_key import create_recovery_key
from finora.translation import gettext as _
from finora.web.auth.form_fields import new_password_fields, person_name_field
from finora.web.auth.recovery_views import keep_key_for_display
from finora.web.auth.signin import finish_sign_in
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm, Form

bp = Blueprint("invitations", __name__)


class NewMemberForm(Form):
    name = person_name_field()
    password, confirm = new_password_fields(replacing=False)


def _render(template_args: dict, status: int = 200):
    return render_template("household/accept_invitation.html", **template_args), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def accept(token: str):
    try:
        invitation = find_open_invitation(db.session, token)
    except InvitationInvalidError as error:
        return _render({"invalid": error.message}, 404)
    household = db.session.get(Household, invitation.household_id)
    args = {"invitation": invitation, "household": household, "token": token}

    if current_user.is_authenticated:
        form = EmptyForm()
        if not is_for(invitation, current_user):
            return _render({**args, "wrong_account": WrongAccountError.message}, 403)
        if form.validate_on_submit():
            accept_as_existing_user(db.session, invitation, current_user._get_current_object())
            db.session.commit()
            session["household_id"] = invitation.household_id
            flash(_("You joined %(household)s.", household=household.name), "success")
            return redirect(url_for("dashboard.index"))
        return _render({**args, "join_form": form})

    if account_for(db.session, invitation) is not None:
        login_url = url_for("auth.login", next=url_for("invitations.accept", token=token))
        return _render({**args, "login_url": login_url})

    form = NewMemberForm()
    if form.validate_on_submit():
        data = NewMember(form.name.data, form.password.data, str(get_locale() or "pt")[:2])
        try:
            user = accept_as_new_user(db.session, invitation, data)
            key = create_recovery_key(db.session, user)
        except FinoraError as error:
            show_error(form, error)
        else:
            finish_sign_in(user, remember=False, method="invitation")
            session["household_id"] = invitation.household_id
            flash(_("Welcome to %(household)s, %(name)s!", household=household.name, name=user.name), "success")
            # A new account gets its recovery key, shown once, as at sign-up.
            keep_key_for_display(key, user)
            return redirect(url_for("auth.new_recovery_key"))
    status = 422 if form.is_submitted() else 200
    return _render({**args, "new_form": form}, status)


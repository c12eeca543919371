"""Profile section "API tokens": the user's live tokens (app sign-ins and personal ones),
making a personal token (shown once) and revoking any of them."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.ids import parse_id
from finora.services.people.api_tokens import (
    create_personal_token,
    revoke_own_token,
    working_tokens,
)
from finora.services.people.auth import check_current_password
from finora.tenancy import current_membership
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.auth.signin import client_source
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.profile import bp
from finora.web.profile.api_token_forms import KIND_LABELS, SCOPE_LABELS, NewApiTokenForm
from finora.web.profile.sections import Section, register

WRONG_PASSWORD = _l("The password is not correct.")


def _ttl() -> timedelta:
    return timedelta(days=int(current_app.config["API_TOKEN_TTL_DAYS"]))


def _form(membership) -> NewApiTokenForm:
    form = NewApiTokenForm()
    if membership is not None and membership.role == "viewer":
        form.limit_to_reading()
    return form


def _page(form: NewApiTokenForm, *, issued=None, status: int = 200):
    user = current_user._get_current_object()
    membership = current_membership()
    return render_template(
        "profile/api_tokens.html",
        tokens=working_tokens(db.session, user),
        form=form,
        revoke_form=EmptyForm(),
        membership=membership,
        issued=issued,
        ttl_days=_ttl().days,
        scope_labels=SCOPE_LABELS,
        kind_labels=KIND_LABELS,
    ), status


@bp.route("/profile/api-tokens", methods=["GET", "POST"])
def api_tokens():
    """The list and the form; a POST makes a personal token whose value is in that answer
    only (no redirect, nothing kept)."""
    user = current_user._get_current_object()
    membership = current_membership()
    form = _form(membership)
    if not form.is_submitted():
        return _page(form)
    if membership is None:
        abort(404)
    if form.validate_on_submit() and _password_ok(form, user):
        try:
            issued = create_personal_token(
                db.session, user, membership, name=form.name.data, scope=form.scope.data,
                ttl=_ttl(),
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            fresh = NewApiTokenForm(formdata=None)
            if membership.role == "viewer":
                fresh.limit_to_reading()
            body, status = _page(fresh, issued=issued)
            response = make_response(body, status)
            # The one page that holds the token: no cache, no back-button copy.
            response.headers["Cache-Control"] = "no-store"
            return response
    return _page(form, status=422)


def _password_ok(form: NewApiTokenForm, user) -> bool:
    """The password typed again, counted like a sign-in (a wrong one toward the lockout)."""
    try:
        check_current_password(db.session, user, form.password.data, client_source(),
                               field="password", message=WRONG_PASSWORD)
    except FinoraError as error:
        db.session.commit()  # the failure counts toward the lockout
        show_error(form, error)
        return False
    return True


@bp.post("/profile/api-tokens/<token_id>/revoke")
def revoke_api_token(token_id: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    number = parse_id(token_id)
    if number is None:
        abort(404)
    revoke_own_token(db.session, current_user._get_current_object(), number)  # else 404
    db.session.commit()
    flash(_("Token revoked. Anything using it can no longer reach your data."), "success")
    return redirect(url_for("profile.api_tokens"))


def _summary(user) -> str:
    count = len(working_tokens(db.session, user))
    if not count:
        return _("None yet")
    return ngettext("%(num)d active token", "%(num)d active tokens", count)


register(Section(
    "api_tokens", _l("API tokens"), "profile.api_tokens", "bi-braces-asterisk", 45,
    summary=_summary,
))

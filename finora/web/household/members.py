"""The household's members page (owners): invite by e-mail, change roles, remove people."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db, limiter
from finora.models import Invitation, Membership
from finora.services.people.invitations import (
    cancel_invitation,
    invite_and_send,
    pending_invitations,
)
from finora.services.people.members import (
    MemberGoneError,
    NoLongerOwnerError,
    change_role,
    list_members,
    remove_member,
)
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.household import bp
from finora.web.household.forms import InviteForm, RoleForm


def _page(invite_form: InviteForm | None = None, status: int = 200, *, failed=None):
    """The page; `failed` is (membership id, message) of a refused role change or removal."""
    household = require_household()
    members = list_members(db.session, household)
    role_forms = {m.id: RoleForm(prefix=f"m{m.id}", role=m.role) for m in members}
    member_errors = {}
    if failed is not None:
        member_errors[failed[0]] = str(failed[1])
    return render_template(
        "household/members.html",
        household=household,
        members=members,
        role_forms=role_forms,
        invitations=pending_invitations(db.session, household),
        invite_form=invite_form or InviteForm(),
        action_form=EmptyForm(),
        member_errors=member_errors,
    ), status


@bp.get("/household/members")
def members():
    return _page()


@bp.post("/household/members/invite")
@limiter.limit("30 per hour")
def invite_member():
    household = require_household()
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        invitation, result = invite_and_send(
            db.session, household, current_user._get_current_object(), form.email.data,
            form.role.data, base_url=current_app.config["APP_BASE_URL"],
        )
    except FinoraError as error:
        show_error(form, error)
        return _page(form, 422)
    db.session.commit()
    if result.logged:
        flash(
            _(
                "No e-mail server is configured: the invitation link for %(email)s was "
                "written to the server log.",
                email=invitation.email,
            ),
            "warning",
        )
    else:
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("household.members"))


@bp.post("/household/invitations/<int:invitation_id>/cancel")
def cancel(invitation_id: int):
    invitation = get_owned_or_404(Invitation, invitation_id)
    if EmptyForm().validate_on_submit():
        cancel_invitation(db.session, invitation)
        db.session.commit()
        flash(_("The invitation for %(email)s was cancelled.", email=invitation.email), "info")
    return redirect(url_for("household.members"))


@bp.post("/household/members/<int:membership_id>/role")
def set_role(membership_id: int):
    membership = get_owned_or_404(Membership, membership_id)
    form = RoleForm(prefix=f"m{membership.id}")
    if form.validate_on_submit():
        try:
            change_role(db.session, membership, form.role.data, actor=current_user._get_current_object())
        except FinoraError as error:
            return _refused(membership_id, error)
        db.session.commit()
        flash(_("%(name)s’s role was changed.", name=membership.user.name), "success")
    return _after_change(membership.user_id)


@bp.post("/household/members/<int:membership_id>/remove")
def remove(membership_id: int):
    membership = get_owned_or_404(Membership, membership_id)
    if EmptyForm().validate_on_submit():
        name, user_id = membership.user.name, membership.user_id
        try:
            remove_member(db.session, membership, actor=current_user._get_current_object())
        except FinoraError as error:
            return _refused(membership_id, error)
        db.session.commit()
        flash(_("%(name)s was removed from the household.", name=name), "success")
    return _after_change(user_id)


def _refused(membership_id: int, error: FinoraError):
    """A refused role change or removal, said where the user will see it."""
    if isinstance(error, NoLongerOwnerError):
        # Another owner demoted or removed this one meanwhile: the members page is no
        # longer theirs. Nothing was written; the request's end rolls the locks back
        # (rolling back here would reload a membership that may no longer exist).
        flash(str(error.message), "danger")
        return redirect(url_for("dashboard.index"))
    db.session.rollback()
    if isinstance(error, MemberGoneError):
        flash(str(error.message), "info")
        return redirect(url_for("household.members"))
    return _page(status=error.status, failed=(membership_id, error.message))


def _after_change(user_id: int):
    # An owner who stepped down or left can no longer open the members page.
    if user_id == current_user.id:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("household.members"))

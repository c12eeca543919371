"""Profile sections "Members" (owners: the household's people, managed on /household/members)
and "Households" (people in several households choose the one they work in)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user
from wtforms import HiddenField

from finora.extensions import db
from finora.models import User
from finora.services.people.invitations import pending_invitations
from finora.services.people.members import list_members
from finora.tenancy import current_membership, require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.forms import EmptyForm
from finora.web.permissions import is_owner, owner_only
from finora.web.profile import bp
from finora.web.profile.sections import Section, register


class SwitchHouseholdForm(EmptyForm):
    household_id = HiddenField()


def _members_summary(user: User) -> str | None:
    membership = current_membership()
    if membership is None:
        return None
    count = len(membership.household.memberships)
    return ngettext("%(num)d member", "%(num)d members", count)


def _households_summary(user: User) -> str | None:
    membership = current_membership()
    return membership.household.name if membership is not None else None


register(Section(
    "members", _l("Members"), "profile.members", "bi-people", 90,
    summary=_members_summary, visible=lambda user: is_owner(),
))
register(Section(
    "households", _l("Households"), "profile.households", "bi-houses", 95,
    summary=_households_summary, visible=lambda user: len(user.memberships) > 1,
))


@bp.get("/profile/members")
@owner_only
def members():
    household = require_household()
    return render_template(
        "profile/members.html",
        household=household,
        members=list_members(db.session, household),
        invitations=pending_invitations(db.session, household),
    )


@bp.route("/profile/households", methods=["GET", "POST"])
def households():
    form = SwitchHouseholdForm()
    if form.validate_on_submit():
        wanted = next(
            (m for m in current_user.memberships if str(m.household_id) == form.household_id.data),
            None,
        )
        if wanted is None:
            abort(404)
        session["household_id"] = wanted.household_id
        flash(_("You are now working in %(household)s.", household=wanted.household.name), "success")
        return redirect(url_for("dashboard.index"))
    return render_template(
        "profile/households.html", memberships=current_user.memberships, current=current_membership()
    )

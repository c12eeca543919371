"""Goals: list with progress, create, edit, delete, one goal's contributions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account, Goal, GoalContribution
from finora.services.ledger.accounts import list_accounts
from finora.services.planning.goals import (
    ContributionData,
    GoalData,
    add_contribution,
    create_goal,
    delete_contribution,
    delete_goal,
    goal_contributions,
    list_goals,
    progress_of,
    update_goal,
)
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.goals import bp
from finora.web.goals.forms import ContributionForm, GoalForm


def _status(form) -> int:
    return 422 if form.errors or form.form_errors else 200


@bp.get("")
def index():
    household = require_household()
    day = today(household)
    return render_template(
        "goals/index.html", goals=list_goals(db.session, household, day), today=day
    )


def _goal_form(household, goal: Goal | None = None) -> GoalForm:
    form = GoalForm(obj=goal)
    accounts = list_accounts(db.session, household, include_archived=False)
    if goal is not None and goal.account_id and all(a.id != goal.account_id for a in accounts):
        linked = db.session.get(Account, goal.account_id)
        if linked is not None:
            accounts.append(linked)
    form.set_accounts(accounts)
    return form


def _warn_if_passed(goal: Goal, day, before=None) -> None:
    """A target date set in the past is kept (a goal may be late) but never silently."""
    if goal.target_date is not None and goal.target_date < day and goal.target_date != before:
        flash(
            _(
                "The target date, %(date)s, has already passed: the goal shows as overdue "
                "until you choose a later date.",
                date=format_date(goal.target_date, "long"),
            ),
            "warning",
        )


def _goal_data(form: GoalForm) -> GoalData:
    return GoalData(
        name=form.name.data,
        target_amount=form.target_amount.data,
        target_date=form.target_date.data,
        account_id=form.account_id.data,
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = _goal_form(household)
    if form.validate_on_submit():
        try:
            goal = create_goal(db.session, household, _goal_data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Goal “%(name)s” created.", name=goal.name), "success")
            _warn_if_passed(goal, today(household))
            return redirect(url_for("goals.show", goal_id=goal.id))
    return render_template("goals/form.html", form=form, goal=None), _status(form)


@bp.route("/<int:goal_id>/edit", methods=["GET", "POST"])
def edit(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    household = require_household()
    form = _goal_form(household, goal)
    if form.validate_on_submit():
        before = goal.target_date
        try:
            update_goal(db.session, goal, _goal_data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Goal “%(name)s” saved.", name=goal.name), "success")
            _warn_if_passed(goal, today(household), before)
            return redirect(url_for("goals.show", goal_id=goal.id))
    return render_template("goals/form.html", form=form, goal=goal), _status(form)


@bp.post("/<int:goal_id>/delete")
def delete(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    if EmptyForm().validate_on_submit():
        name = goal.name
        delete_goal(db.session, goal)
        db.session.commit()
        flash(_("Goal “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("goals.index"))


def _show(goal: Goal, form: ContributionForm):
    household = require_household()
    day = today(household)
    contributions = goal_contributions(db.session, goal)
    account = db.session.get(Account, goal.account_id) if goal.account_id else None
    return render_template(
        "goals/show.html",
        goal=goal,
        account=account,
        contributions=contributions,
        progress=progress_of(goal, contributions, day),
        form=form,
        button_form=EmptyForm(),
        today=day,
    ), _status(form)


@bp.get("/<int:goal_id>")
def show(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    form = ContributionForm()
    form.date.data = today(require_household())
    return _show(goal, form)


@bp.post("/<int:goal_id>/contributions")
def contribute(goal_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    form = ContributionForm()
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for("goals.show", goal_id=goal.id))
        try:
            add_contribution(
                db.session,
                goal,
                ContributionData(date=form.date.data, amount=form.amount.data, note=form.note.data),
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Contribution recorded."), "success")
            return redirect(url_for("goals.show", goal_id=goal.id))
    return _show(goal, form)


@bp.post("/<int:goal_id>/contributions/<int:contribution_id>/delete")
def delete_contribution_view(goal_id: int, contribution_id: int):
    goal = get_owned_or_404(Goal, goal_id)
    contribution = get_owned_or_404(GoalContribution, contribution_id)
    if contribution.goal_id != goal.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            delete_contribution(db.session, contribution)
        except FinoraError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Contribution deleted."), "success")
    return redirect(url_for("goals.show", goal_id=goal.id))

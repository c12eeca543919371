"""Budgets: where each stands in a month (or its year), create, edit, delete."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Budget
from finora.services.ledger.catalogue import category_tree
from finora.services.planning.budgets import (
    BudgetData,
    budget_statuses,
    create_budget,
    delete_budget,
    update_budget,
)
from finora.services.planning.periods import shift_month
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.budgets import bp
from finora.web.budgets.forms import BudgetForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def _period(day: date) -> tuple[int, int]:
    """?year=2026&month=3, or the month picker's ?month=2026-03; anything else is this month."""
    args = request.args
    try:
        if "-" in args.get("month", ""):
            year, month = (int(part) for part in args["month"].split("-", 1))
        else:
            year, month = int(args.get("year", day.year)), int(args.get("month", day.month))
        date(year, month, 1)
    except (ValueError, OverflowError):  # a huge year overflows date() instead
        return day.year, day.month
    if not 1900 <= year <= 9999:
        return day.year, day.month
    return year, month


@bp.get("")
def index():
    household = require_household()
    day = today(household)
    year, month = _period(day)
    statuses = budget_statuses(db.session, household, year, month, day)
    return render_template(
        "budgets/index.html",
        monthly=[s for s in statuses if s.budget.period == "monthly"],
        yearly=[s for s in statuses if s.budget.period == "yearly"],
        year=year,
        month=month,
        start=date(year, month, 1),
        previous=shift_month(year, month, -1),
        following=shift_month(year, month, 1),
        is_current=(year, month) == (day.year, day.month),
        today=day,
        form=EmptyForm(),
    )


def _data(form: BudgetForm) -> BudgetData:
    return BudgetData(category_id=form.category_id.data, period=form.period.data, amount=form.amount.data,
                      rollover=bool(form.rollover.data))


def _render(form: BudgetForm, budget: Budget | None):
    status = 422 if form.errors or form.form_errors else 200
    return render_template("budgets/form.html", form=form, budget=budget), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = BudgetForm()
    form.set_choices(category_tree(db.session, household, "expense"))
    if not form.is_submitted() and request.args.get("period") in ("monthly", "yearly"):
        form.period.data = request.args["period"]
    if form.validate_on_submit():
        try:
            budget = create_budget(db.session, household, _data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Budget for “%(name)s” created.", name=budget.category.label), "success")
            return redirect(url_for("budgets.index"))
    return _render(form, None)


@bp.route("/<int:budget_id>/edit", methods=["GET", "POST"])
def edit(budget_id: int):
    budget = get_owned_or_404(Budget, budget_id)
    form = BudgetForm(obj=budget)
    form.set_choices(category_tree(db.session, require_household(), "expense"), budget.category)
    if form.validate_on_submit():
        try:
            update_budget(db.session, budget, _data(form))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Budget for “%(name)s” saved.", name=budget.category.label), "success")
            return redirect(url_for("budgets.index"))
    return _render(form, budget)


@bp.post("/<int:budget_id>/delete")
def delete(budget_id: int):
    budget = get_owned_or_404(Budget, budget_id)
    if EmptyForm().validate_on_submit():
        name = budget.category.label
        delete_budget(db.session, budget)
        db.session.commit()
        flash(_("Budget for “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("budgets.index"))

"""What-if scenarios: rules that only exist on the forecast's scenario line (never posted).
Past one-time scenarios are ignored by the projection, not deleted."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from finora.dates import today
from finora.extensions import db
from finora.models import RecurringRule
from finora.services.planning.household_forecast import household_forecast
from finora.services.planning.rules import (
    calendar_of,
    list_scenarios,
    next_occurrences,
    skips_by_rule,
)
from finora.services.undo.actions import delete_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.forecasting import bp
from finora.web.forms import EmptyForm
from finora.web.labels import FREQUENCIES
from finora.web.rules.forms import RuleForm
from finora.web.rules.views import rule_form_page
from finora.web.undo_offer import flash_undo


class ScenarioForm(RuleForm):
    """The rule form without posting options: a scenario is never posted."""

    auto_post = None
    mark_paid = None


def _owned_scenario(rule_id: int) -> RecurringRule:
    rule = get_owned_or_404(RecurringRule, rule_id)
    if not rule.is_scenario:  # ledger rules are edited on the rules page
        abort(404)
    return rule


@bp.get("/forecast/scenarios")
def scenarios():
    household = require_household()
    day = today(household)
    calendar = calendar_of(household)
    skips = skips_by_rule(db.session, household)
    rows = [
        (rule, next_occurrences(rule, day, calendar, skips=skips.get(rule.id, frozenset()), count=3))
        for rule in list_scenarios(db.session, household)
    ]
    result = household_forecast(db.session, household) if rows else None
    return render_template(
        "forecasting/scenarios.html",
        rows=rows,
        result=result,
        frequencies=FREQUENCIES,
        button_form=EmptyForm(),
    )


def _scenario_page(form: ScenarioForm, rule: RecurringRule | None):
    return rule_form_page(
        form, rule, template="forecasting/scenario_form.html",
        done_endpoint="forecasting.scenarios", scenario=True,
        created=_("Scenario “%(name)s” created."), saved=_("Scenario “%(name)s” saved."),
    )


@bp.route("/forecast/scenarios/new", methods=["GET", "POST"])
def new_scenario():
    return _scenario_page(ScenarioForm(), None)


@bp.route("/forecast/scenarios/<int:rule_id>/edit", methods=["GET", "POST"])
def edit_scenario(rule_id: int):
    rule = _owned_scenario(rule_id)
    return _scenario_page(ScenarioForm(obj=rule), rule)


@bp.post("/forecast/scenarios/<int:rule_id>/delete")
def delete_scenario(rule_id: int):
    rule = _owned_scenario(rule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = rule.name
    record = delete_with_undo(
        db.session, require_household(), current_user._get_current_object(), label=name, rules=[rule]
    )
    db.session.commit()
    flash_undo(_("Scenario “%(name)s” deleted.", name=name), record)
    return redirect(url_for("forecasting.scenarios"))

"""The forecast page: chart, cards, risk score, the 90-day table with skip and restore, holds,
and the accounts it counts (switched in place)."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from wtforms import HiddenField
from wtforms.validators import DataRequired

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.extensions import db
from finora.forecast.risk import MINIMUM_CAP
from finora.models import Account, Household, RecurringRule
from finora.services.integrations.ai.insights import (
    ERROR_MESSAGES,
    latest_insights,
    next_refresh_at,
)
from finora.services.integrations.ai.settings import has_key, model_of, settings_of
from finora.services.planning.forecast_accounts import forecast_accounts, set_included_in_forecast
from finora.services.planning.household_forecast import (
    DEFAULT_HORIZON,
    HORIZONS,
    household_forecast,
    upcoming_rows,
)
from finora.services.planning.rules import calendar_of
from finora.services.planning.skips import restore_occurrence, skip_occurrence
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.forecasting import bp
from finora.web.forecasting.charts import balance_chart
from finora.web.forecasting.labels import BANDS, FACTORS
from finora.web.forms import EmptyForm, Form
from finora.web.labels import ACCOUNT_KINDS


class OccurrenceForm(Form):
    """Which occurrence: the rule and its unadjusted date (the skip key)."""

    rule_id = HiddenField(validators=[DataRequired()])
    occurrence = HiddenField(validators=[DataRequired()])
    days = HiddenField()
    page = HiddenField()


class ForecastAccountForm(Form):
    """Count an account in the forecast ("1") or leave it out ("0"); back to the same view."""

    include = HiddenField(validators=[DataRequired()])
    days = HiddenField()
    page = HiddenField()


ROWS_PER_PAGE = 100


def _page_of(rows: list, page: int) -> tuple[list, int, int]:
    """The rows of table page `page` (from 1, clamped), the page and the page count."""
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    page = min(max(page, 1), pages)
    return rows[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE], page, pages


def _horizon() -> int:
    days = request.args.get("days", type=int)
    return days if days in HORIZONS else DEFAULT_HORIZON


def _drivers(result) -> list[tuple[str, int]]:
    """The factors that cost the score the most points (weight × (100 − score)), at most
    two, biggest first: what the deterministic cash risk card names as the drivers."""
    if not result.scored:
        return []
    lost = [(name, int(round(f.weight * (100 - f.score)))) for name, f in result.risk.factors.items()]
    return sorted((item for item in lost if item[1] > 0), key=lambda item: -item[1])[:2]


def _ai_section(household: Household) -> dict:
    """The AI insights section: the key's state, the cached insights, when the next
    refresh is allowed and the last attempt's error (translated)."""
    config = current_app.config
    stored = settings_of(db.session, household)
    cooldown = config["AI_REFRESH_COOLDOWN_MINUTES"]
    error = stored.last_error_code if stored is not None else None
    next_at = next_refresh_at(stored, cooldown)
    return {
        "configured": has_key(stored),
        "cached": latest_insights(db.session, household),
        "model": model_of(stored, config["AI_DEFAULT_MODEL"]),
        "next_refresh_at": next_at if next_at is not None and next_at > now_utc() else None,
        "error": ERROR_MESSAGES.get(error) if error else None,
        "cooldown": cooldown,
    }


@bp.get("/forecast")
def index():
    household = require_household()
    days = _horizon()
    result = household_forecast(db.session, household)  # always a year: cards and shortfall
    forecast = result.forecast
    scenario = forecast.scenario_line[:days] if forecast.scenario_line is not None else None
    chart = balance_chart(
        result.today, forecast.schedule[:days], scenario, household.currency,
        result.minimum_safe_balance,
    )
    rows, page, pages = _page_of(
        upcoming_rows(result, calendar_of(household)), request.args.get("page", 1, type=int)
    )
    return render_template(
        "forecasting/index.html",
        result=result,
        forecast=forecast,
        risk=result.risk,
        rows=rows,
        page=page,
        pages=pages,
        holds=result.holds,
        chart=chart,
        days=days,
        horizons=HORIZONS,
        bands=BANDS,
        factors=FACTORS,
        form=OccurrenceForm(),
        warnings=result.warnings,
        account_rows=forecast_accounts(list(result.active_accounts), result.balances or {}),
        account_kinds=ACCOUNT_KINDS,
        account_form=ForecastAccountForm(),
        minimum_cap=MINIMUM_CAP,
        ai=_ai_section(household),
        drivers=_drivers(result),
        refresh_form=EmptyForm(),
    )


def _occurrence(form: OccurrenceForm) -> tuple[RecurringRule, date]:
    if not form.validate_on_submit():
        abort(400)
    try:
        rule_id = int(form.rule_id.data)
        nominal = date.fromisoformat(form.occurrence.data)
    except ValueError:
        abort(400)
    return get_owned_or_404(RecurringRule, rule_id), nominal


def _back(form: OccurrenceForm | ForecastAccountForm, anchor: str = "upcoming"):
    """Back to the same horizon and table page."""
    days = int(form.days.data) if (form.days.data or "").isdigit() else None
    page = int(form.page.data) if (form.page.data or "").isdigit() else None
    return redirect(
        url_for(
            "forecasting.index",
            days=days if days in HORIZONS else None,
            page=page if page and page > 1 else None,
            _anchor=anchor,
        )
    )


@bp.post("/forecast/accounts/<int:account_id>")
def include_account(account_id: int):
    """Count an account in the forecast or leave it out, without leaving the page."""
    account = get_owned_or_404(Account, account_id)
    form = ForecastAccountForm()
    if not form.validate_on_submit() or form.include.data not in ("0", "1"):
        abort(400)
    if account.archived:  # archived accounts never count: restore it on the accounts page
        abort(404)
    included = form.include.data == "1"
    if set_included_in_forecast(db.session, account, included):
        db.session.commit()
    if included:
        flash(_("“%(name)s” is counted in the forecast.", name=account.name), "success")
    else:
        flash(_("“%(name)s” is left out of the forecast.", name=account.name), "success")
    return _back(form, "forecast-accounts")


@bp.post("/forecast/skip")
def skip():
    form = OccurrenceForm()
    rule, nominal = _occurrence(form)
    try:
        skip_occurrence(db.session, rule, nominal)
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return _back(form)
    db.session.commit()
    flash(
        _("“%(name)s” of %(date)s skipped.", name=rule.name, date=format_date(nominal, "medium")),
        "success",
    )
    return _back(form)


@bp.post("/forecast/restore")
def restore():
    form = OccurrenceForm()
    rule, nominal = _occurrence(form)
    if restore_occurrence(db.session, rule, nominal):
        db.session.commit()
        flash(
            _("“%(name)s” of %(date)s restored.", name=rule.name, date=format_date(nominal, "medium")),
            "success",
        )
    return _back(form)

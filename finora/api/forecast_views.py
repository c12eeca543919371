"""PyCashFlow's mobile read endpoints on Finora's forecast and ledger (docs/api.md):
/dashboard, /balance (GET, POST, /history), /transactions, /projections, /risk-score,
/settings and /insights.

Each figure comes from the service the pages use: the household forecast
(services/planning/household_forecast.py) for the balance, the risk score, the upcoming
90 days and the projection lines; the ledger's snapshot service for balances.
"""

from __future__ import annotations

import platform
from typing import Literal

from flask import current_app, request
from pydantic import BaseModel, ConfigDict, Field

from finora.api import bp
from finora.api.access import ForbiddenError, caller, personal
from finora.api.auth_views import user_json
from finora.api.body import read_json
from finora.api.envelope import error, many, one
from finora.api.forecast_json import (
    legacy_risk,
    projection_points,
    risk_v2,
    upcoming_json,
)
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.responses_forecast import (
    BalanceOut,
    DashboardOut,
    InsightsOut,
    ProjectionsOut,
    RiskOut,
    SettingsOut,
    TransactionOut,
)
from finora.api.schemas_balance import BalanceBody
from finora.api.serialize import day, money, stamp
from finora.api.spec import documented
from finora.dates import now_utc, today
from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.forecast.projection import WINDOW_DAYS
from finora.forecast.risk import NO_ACCOUNTS, NO_DATA
from finora.ids import parse_id
from finora.models import Account, BalanceSnapshot, Household
from finora.services.integrations.ai.insights import (
    CachedInsights,
    NotConfiguredError,
    RefreshFailedError,
    finish_refresh,
    latest_insights,
    start_refresh,
)
from finora.services.integrations.ai.settings import has_key, model_of, settings_of
from finora.services.ledger.accounts import primary_account
from finora.services.ledger.snapshots import list_snapshots, set_balance
from finora.services.planning.household_forecast import (
    DEFAULT_HORIZON,
    HORIZONS,
    HouseholdForecast,
    household_forecast,
    upcoming_rows,
)
from finora.services.planning.rules import calendar_of
from finora.translation import lazy_gettext as _l
from finora.version import __version__


class ProjectionsQuery(BaseModel):
    """GET /projections: how many days the lines run (the view reads the same values)."""

    model_config = ConfigDict(defer_build=True)  # built when first used (spec.Out says why)

    days: Literal[30, 90, 180, 365] = Field(default=DEFAULT_HORIZON)


class AccountQuery(BaseModel):
    """GET /balance and /balance/history: the account (default: the primary account)."""

    model_config = ConfigDict(defer_build=True)

    account_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class InsightsNotConfiguredError(FinoraError):
    message = _l("AI insights are not configured for this household: an owner adds an API key "
                 "in the AI settings.")
    status = 409


class OwnerOnlyError(ForbiddenError):
    message = _l("Only the household’s owners can do this.")


def _household() -> Household:
    return caller().membership.household


def _forecast(household: Household, horizon_days: int = WINDOW_DAYS) -> HouseholdForecast:
    return household_forecast(db.session, household, horizon_days=horizon_days)


def _upcoming(household: Household, result: HouseholdForecast) -> list[dict]:
    return upcoming_json(upcoming_rows(result, calendar_of(household), days=WINDOW_DAYS))


@bp.get("/dashboard")
@documented(_l("The balance, the risk score and the next 90 days"), tag="Forecast", response=DashboardOut)
def dashboard():
    household = _household()
    result = _forecast(household)
    return one({
        "balance": money(result.current_balance),
        "balance_date": day(result.today),
        "risk": legacy_risk(result),
        "risk_v2": risk_v2(result),
        "upcoming_transactions": _upcoming(household, result),
        "min_balance": money(result.forecast.lowest_90[1]),
        "min_balance_date": day(result.forecast.lowest_90[0]),
        "first_shortfall": day(result.first_shortfall),
        "currency": household.currency,
        "ai_last_updated": _ai_json(household)[0]["last_updated"],
    })


@bp.get("/transactions")
@documented(_l("The next 90 days' transactions"), tag="Forecast", response=TransactionOut, many=True)
def transactions():
    household = _household()
    page = page_params()
    rows = _upcoming(household, _forecast(household))
    return many(page.cut(rows), total=len(rows), limit=page.limit, offset=page.offset)


def _horizon() -> int:
    raw = request.args.get("days")
    if raw is None or raw == "":
        return DEFAULT_HORIZON
    if not raw.isascii() or not raw.isdigit() or int(raw) not in HORIZONS:
        raise FieldError("days", _l("Must be one of %(values)s.",
                                    values=", ".join(str(n) for n in HORIZONS)))
    return int(raw)


@bp.get("/projections")
@documented(_l("The balance lines of the schedules and the scenario"), tag="Forecast", query=ProjectionsQuery, response=ProjectionsOut)
def projections():
    """The schedule line and, with scenario rules, the scenario line (else null); both
    empty while there is nothing to project (no account counted, nothing entered)."""
    days = _horizon()
    result = _forecast(_household(), days)
    if result.status in (NO_ACCOUNTS, NO_DATA):
        return one({"schedule": [], "scenario": None, "days": days})
    forecast = result.forecast
    scenario = forecast.scenario_line
    return one({
        "schedule": projection_points(forecast.schedule[:days], result.today),
        "scenario": None if scenario is None else projection_points(scenario[:days], result.today),
        "days": days,
    })


@bp.get("/risk-score")
@documented(_l("The risk score's breakdown"), tag="Forecast", response=RiskOut)
def risk_score():
    return one(risk_v2(_forecast(_household())))


def _account(household: Household, raw: object | None) -> Account | None:
    """The account asked for (another household's: a 422 on account_id), else the
    household's primary account (the one marked primary, else the first checking account);
    None if none."""
    if raw is None or raw == "":
        return primary_account(db.session, household)
    if isinstance(raw, str):
        number = parse_id(raw) if raw.isascii() and raw.isdigit() else None
        if number is None:
            raise FieldError("account_id", _l("Must be a whole number."))
        raw = number
    return owned_ref(Account, raw, "account_id")


def _snapshot_json(snapshot: BalanceSnapshot) -> dict:
    return {
        "id": snapshot.id,
        "amount": money(snapshot.amount),
        "date": day(snapshot.date),
        "account_id": snapshot.account_id,
        "source": snapshot.source,
        "created_at": stamp(snapshot.created_at),
    }


@bp.get("/balance")
@documented(_l("An account's latest balance"), tag="Balance", query=AccountQuery, response=BalanceOut)
def balance():
    """The account's latest balance snapshot, without running the forecast; with none,
    id null, "0.00" and the household's today (PyCashFlow's client needs every field)."""
    household = _household()
    account = _account(household, request.args.get("account_id"))
    latest = next(iter(list_snapshots(db.session, account)), None) if account else None
    if latest is None:
        return one({"id": None, "amount": money(0), "date": day(today(household)),
                    "account_id": account.id if account else None, "source": None,
                    "created_at": None})
    return one(_snapshot_json(latest))


@bp.post("/balance")
@documented(_l("Set an account's balance"), tag="Balance", body=BalanceBody, response=BalanceOut, status=201)
def set_balance_now():
    """A manual balance snapshot through the ledger's service (the account page's "Set
    balance"): by default on the primary account and for the household's today."""
    household = _household()
    body = read_json(BalanceBody)
    account = _account(household, body.account_id)
    if account is None:
        raise FieldError("account_id", _l("Add an account first: a balance belongs to an account."))
    if account.archived:
        raise FieldError("account_id", _l("This account is archived; choose another one."))
    on = body.day or today(household)
    if on > today(household):
        raise FieldError("date", _l("Set the balance for today or an earlier day."))
    snapshot = set_balance(db.session, account, on, body.amount)
    db.session.commit()
    return one(_snapshot_json(snapshot), status=201)


@bp.get("/balance/history")
@documented(_l("An account's balances, newest first"), tag="Balance", query=AccountQuery, response=BalanceOut, many=True)
def balance_history():
    household = _household()
    page = page_params()
    account = _account(household, request.args.get("account_id"))
    snapshots = list_snapshots(db.session, account) if account else []
    return many([_snapshot_json(s) for s in page.cut(snapshots)], total=len(snapshots),
                limit=page.limit, offset=page.offset)


def _ai_json(household: Household) -> tuple[dict, CachedInsights | None]:
    """The settings' "ai" object and the cached insights."""
    stored = settings_of(db.session, household)
    cached = latest_insights(db.session, household)
    configured = has_key(stored)
    provider = None
    if configured:
        provider = "openai_compatible" if stored.base_url else "openai"
    return {
        "configured": configured,
        "provider": provider,
        "model": model_of(stored, current_app.config["AI_DEFAULT_MODEL"]) if configured else None,
        "last_updated": stamp(cached.created_at) if cached else None,
    }, cached


def _insights_json(household: Household) -> dict:
    ai, cached = _ai_json(household)
    return {
        "configured": ai["configured"],
        "insights": [card.model_dump() for card in cached.cards] if cached else [],
        "last_updated": ai["last_updated"],
        "model": cached.model if cached else None,
    }


@bp.get("/settings")
@personal
@documented(_l("The user, the app's version and the AI settings"), tag="Settings", response=SettingsOut)
def settings():
    found = caller()
    household = found.membership.household if found.membership else None
    ai = _ai_json(household)[0] if household is not None else {
        "configured": False, "provider": None, "model": None, "last_updated": None}
    return one({
        "user": user_json(found.user, found.membership),
        "app": {"version": __version__, "python_version": platform.python_version()},
        "ai": ai,
    })


@bp.get("/insights")
@documented(_l("AI insights"), tag="Settings", response=InsightsOut)
def insights():
    return one(_insights_json(_household()))


@bp.post("/insights/refresh")
@documented(_l("Refresh the AI insights (owners)"), tag="Settings", response=InsightsOut,
            errors=(502,))
def refresh_insights():
    """Ask the model now (at most once every AI_REFRESH_COOLDOWN_MINUTES: else 429). A failed
    call answers 502 (code internal_error) with the failure in `reason` (timeout, bad_key,
    rate_limited, refused, malformed, connection, server_error, secret_unreadable); the
    previous insights stay."""
    found = caller()
    if found.role != "owner":
        raise OwnerOnlyError()
    household = found.membership.household
    config = current_app.config
    try:
        start_refresh(db.session, household, now=now_utc(),
                      cooldown_minutes=config["AI_REFRESH_COOLDOWN_MINUTES"])
    except NotConfiguredError as exc:
        raise InsightsNotConfiguredError() from exc
    db.session.commit()  # the attempt counts from now; no lock held during the call
    try:
        finish_refresh(db.session, household, user=found.user, locale=found.user.locale or "en",
                       now=now_utc(), default_model=config["AI_DEFAULT_MODEL"],
                       timeout=config["AI_REQUEST_TIMEOUT_SECONDS"])
    except NotConfiguredError as exc:  # the key removed meanwhile
        raise InsightsNotConfiguredError() from exc
    except RefreshFailedError as exc:
        db.session.commit()  # its code stays; the previous insights stay
        return error(502, str(exc.message), reason=exc.code)
    db.session.commit()
    return one(_insights_json(household))

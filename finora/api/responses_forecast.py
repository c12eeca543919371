"""What the forecast endpoints answer (docs/api.md, "The forecast for PyCashFlow's mobile
app"): the dashboard, the risk score, upcoming transactions, projections, balances,
settings and insights, as forecast_views.py and forecast_json.py write them."""

from __future__ import annotations

from typing import Literal

from finora.api.responses_auth import UserOut
from finora.api.responses_planning import Kind
from finora.api.spec import Day, Money, Out, Stamp

StatusWord = Literal["Safe", "Stable", "Watch", "Risk", "Critical"]


class TransactionOut(Out):
    """One of the next 90 days' transactions: a schedule's occurrence or an unpaid entry."""

    name: str
    type: Kind
    amount: Money
    date: Day
    schedule_id: int | None
    entry_id: int | None
    overdue: bool


class FactorOut(Out):
    value: float | None
    score: float | None
    weight: float | None


class RiskOut(Out):
    """The risk score's full breakdown, money as decimal strings; score, status, color and
    band are null while there is nothing to score (`score_status` says why)."""

    score: int | None
    status: StatusWord | None
    color: str | None
    band: str | None
    score_status: str
    runway_days: float | None
    lowest_balance: Money
    lowest_date: Day
    days_to_lowest: int
    avg_daily_expense: Money
    days_below_threshold: int
    pct_below_threshold: float
    recovery_days: int | None
    near_term_buffer: Money
    minimum_safe_balance: Money | None
    below_minimum: bool
    volatility: float | None
    factors: dict[str, FactorOut]


class LegacyRiskOut(Out):
    """PyCashFlow's deprecated risk object: money as JSON numbers."""

    score: int | None
    status: StatusWord | None
    color: str | None
    runway_days: float | None
    lowest_balance: float
    days_to_lowest: int
    avg_daily_expense: float
    days_below_threshold: int
    pct_below_threshold: float
    recovery_days: int | None
    near_term_buffer: float


class DashboardOut(Out):
    balance: Money
    balance_date: Day
    risk: LegacyRiskOut
    risk_v2: RiskOut
    upcoming_transactions: list[TransactionOut]
    min_balance: Money
    min_balance_date: Day
    first_shortfall: Day | None
    currency: str
    ai_last_updated: Stamp | None


class PointOut(Out):
    date: Day
    amount: Money


class ProjectionsOut(Out):
    """The balance line of the schedules and, with scenario rules, of the scenario."""

    schedule: list[PointOut]
    scenario: list[PointOut] | None
    days: Literal[30, 90, 180, 365]


class BalanceOut(Out):
    """A balance snapshot; `id` null (and "0.00") when the account has none."""

    id: int | None
    amount: Money
    date: Day
    account_id: int | None
    source: str | None
    created_at: Stamp | None


class AppOut(Out):
    version: str
    python_version: str


class AiOut(Out):
    """The household's AI settings: `provider` "openai", or "openai_compatible" with a base
    URL; `model` the one used (blank setting: AI_DEFAULT_MODEL); null while no key is set."""

    configured: bool
    provider: Literal["openai", "openai_compatible"] | None
    model: str | None
    last_updated: Stamp | None


class SettingsOut(Out):
    user: UserOut
    app: AppOut
    ai: AiOut


class InsightOut(Out):
    """One insight card: the model's title and body (plain text)."""

    type: Literal["cash_risk", "risk", "pattern", "observation"]
    title: str
    body: str


class InsightsOut(Out):
    """The household's cached AI insights (cash_risk first, then risk, pattern,
    observation), when they were made and by which model; an empty list before the first
    refresh. `configured`: an API key is stored."""

    configured: bool
    insights: list[InsightOut]
    last_updated: Stamp | None
    model: str | None

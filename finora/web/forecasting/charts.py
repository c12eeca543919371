"""The forecast's Plotly figure: the daily balance (solid), the scenario line (dashed), the
zero line, the minimum safe balance and the days below zero shaded. Built server-side as a
JSON-ready dict; the exact amounts a person reads are in the hover text, written by
finora.money."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import get_locale

from finora.money import ZERO, format_money
from finora.translation import gettext as _
from finora.web.dashboard.charts import (
    EXPENSE_COLOR,
    NET_COLOR,
    base_layout,
    plain_text,
    plotly_locale,
)

# The day in the hover box (d3 time format); month names come from the figure's Plotly
# locale (dashboard.charts.plotly_locale), so they are the page's language.
HOVER_DATE = {"en": "%b %-d, %Y", "pt": "%-d %b %Y", "es": "%-d %b %Y"}
SCENARIO_COLOR = "#f2a33a"
MINIMUM_COLOR = "#7c5cc4"
SHORTFALL_FILL = "rgba(217, 83, 79, 0.13)"


def _below_zero_runs(
    schedule: list[Decimal], scenario: list[Decimal] | None, start: date
) -> list[tuple[date, date]]:
    """Runs of consecutive days on which a line is below zero, as (first, last) days."""
    runs = []
    first = None
    for index, balance in enumerate(schedule):
        below = balance < ZERO or (scenario is not None and scenario[index] < ZERO)
        if below and first is None:
            first = index
        elif not below and first is not None:
            runs.append((first, index - 1))
            first = None
    if first is not None:
        runs.append((first, len(schedule) - 1))
    return [(start + timedelta(days=a), start + timedelta(days=b)) for a, b in runs]


def _trace(name: str, days: list[str], balances: list[Decimal], money, **style) -> dict:
    """A line; its hover text is each day's balance written by finora.money (exactly as
    the page writes amounts, sign and symbol included)."""
    name = plain_text(name)
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": days,
        "y": [float(balance) for balance in balances],
        "customdata": [plain_text(money(balance)) for balance in balances],
        "hovertemplate": f"%{{customdata}}<extra>{name}</extra>",
        **style,
    }


def balance_chart(
    start: date,
    schedule: list[Decimal],
    scenario: list[Decimal] | None,
    currency: str,
    minimum: Decimal | None = None,
) -> dict:
    days = [start + timedelta(days=n) for n in range(len(schedule))]
    x = [day.isoformat() for day in days]
    locale = str(get_locale())

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, locale)

    data = [
        _trace(
            _("Projected balance"), x, schedule, money,
            line={"color": NET_COLOR, "width": 2.5, "shape": "hv"},
        )
    ]
    if scenario is not None:
        data.append(
            _trace(
                _("With scenarios"), x, scenario, money,
                line={"color": SCENARIO_COLOR, "width": 2.5, "dash": "dash", "shape": "hv"},
            )
        )
    half_day = timedelta(hours=12)
    shapes = [
        {
            "type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1,
            "x0": (first - timedelta(days=1) + half_day).isoformat(),
            "x1": (last + half_day).isoformat(),
            "fillcolor": SHORTFALL_FILL, "line": {"width": 0}, "layer": "below",
        }
        for first, last in _below_zero_runs(schedule, scenario, start)
    ]
    shapes.append(
        {
            "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 0, "y1": 0,
            "line": {"color": EXPENSE_COLOR, "width": 1.5},
        }
    )
    if minimum is not None and minimum > 0:
        shapes.append(
            {
                "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                "y0": float(minimum), "y1": float(minimum),
                "line": {"color": MINIMUM_COLOR, "width": 1.5, "dash": "dot"},
            }
        )
    values = [float(b) for b in schedule] + [float(b) for b in scenario or []] + [0.0]
    if minimum is not None:
        values.append(float(minimum))
    low, high = min(values), max(values)
    # At least 5 units each way: a flat or nearly flat line (a new household at zero) gets
    # whole-number ticks (-4, -2, 0, 2, 4), not "-1, -1, 0, 1, 1" from 0.5 steps rounded.
    pad = max((high - low) * 0.08, 5.0)
    return {
        "data": data,
        "layout": base_layout(
            showlegend=scenario is not None,
            legend={"orientation": "h", "x": 0, "y": 1.12},
            margin={"l": 10, "r": 10, "t": 30 if scenario is not None else 10, "b": 10},
            hovermode="x unified",
            dragmode="zoom",
            xaxis={
                "type": "date",
                "hoverformat": HOVER_DATE.get(str(get_locale()), "%d/%m/%Y"),
                "range": [(start - half_day).isoformat(), (days[-1] + half_day).isoformat()],
                "rangeslider": {"visible": len(days) > 31, "thickness": 0.08},
                "automargin": True,
            },
            yaxis={
                "range": [low - pad, high + pad],
                "automargin": True,
                "tickformat": ",.0f",
                "fixedrange": False,
            },
            shapes=shapes,
        ),
        "locale": plotly_locale(),
    }

"""Plotly figures of the reports, as plain dicts (the dashboard's way: finora.web.dashboard.charts)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask_babel import format_date

from finora.i18n import money_filter
from finora.translation import gettext as _
from finora.web.dashboard.charts import (
    EXPENSE_COLOR,
    INCOME_COLOR,
    NET_COLOR,
    base_layout,
    plain_text,
    plotly_locale,
    year_bars,
)


def month_names(year: int) -> list[str]:
    return [format_date(date(year, m, 1), "MMM").capitalize() for m in range(1, 13)]


def daily_spending(days, currency: str) -> dict:
    """Expenses per day as bars and their running total as a line on its own axis. `days`
    carries .day, .expense and .cumulative (the month report's timeline)."""
    x = [d.day.isoformat() for d in days]
    spent, so_far = plain_text(_("Spent that day")), plain_text(_("Spent so far"))
    return {
        "data": [
            {
                "type": "bar",
                "name": spent,
                "x": x,
                "y": [float(d.expense) for d in days],
                "text": [
                    plain_text(f"{format_date(d.day, 'medium')}: {money_filter(d.expense, currency)}")
                    for d in days
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra>" + spent + "</extra>",
                "marker": {"color": EXPENSE_COLOR},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": so_far,
                "x": x,
                "y": [float(d.cumulative) for d in days],
                "yaxis": "y2",
                "text": [
                    plain_text(f"{format_date(d.day, 'medium')}: {money_filter(d.cumulative, currency)}")
                    for d in days
                ],
                "hovertemplate": "%{text}<extra>" + so_far + "</extra>",
                "line": {"color": NET_COLOR, "width": 2, "shape": "hv"},
            },
        ],
        "layout": base_layout(
            showlegend=True,
            legend={"orientation": "h", "y": -0.18, "font": {"size": 13}},
            margin={"l": 60, "r": 60, "t": 10, "b": 40},
            xaxis={"type": "date", "tickformat": "%d", "fixedrange": True},
            yaxis={"rangemode": "tozero", "fixedrange": True, "tickformat": ",.0f"},
            yaxis2={
                "overlaying": "y", "side": "right", "rangemode": "tozero", "fixedrange": True,
                "tickformat": ",.0f", "showgrid": False,
            },
        ),
        "locale": plotly_locale(),
    }


def month_bars(months, currency: str, names: list[str], last_month: int = 12) -> dict:
    """Income and expenses per month with the net as a line: the dashboard's year chart over
    the year report's months (.month, .income, .expense, .net)."""
    return year_bars(SimpleNamespace(months=months), currency, names, last_month)


def net_worth_chart(months, currency: str, names: list[str]) -> dict:
    """Assets and liabilities per month as bars (liabilities below zero) with the net worth
    as a line. `months` carries .assets, .liabilities and .net (the net worth report's)."""
    x = [plain_text(name) for name in names]
    assets, liabilities, net = plain_text(_("Assets")), plain_text(_("Liabilities")), plain_text(_("Net worth"))

    def trace(kind: str, name: str, values: list, shown: list, color: str) -> dict:
        return {
            "type": kind,
            "name": name,
            "x": x,
            "y": [float(v) for v in values],
            "text": [plain_text(money_filter(v, currency)) for v in shown],
            "hovertemplate": "%{x}: %{text}<extra>" + name + "</extra>",
            **({"textposition": "none", "marker": {"color": color}} if kind == "bar"
               else {"mode": "lines+markers", "line": {"color": color, "width": 2}}),
        }

    return {
        "data": [
            trace("bar", assets, [m.assets for m in months], [m.assets for m in months], INCOME_COLOR),
            trace("bar", liabilities, [-m.liabilities for m in months], [m.liabilities for m in months],
                  EXPENSE_COLOR),
            trace("scatter", net, [m.net for m in months], [m.net for m in months], NET_COLOR),
        ],
        "layout": base_layout(
            barmode="relative",
            showlegend=True,
            # Above the plot: on a phone the month names ("Jan 2026") turn upright below it.
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 13}},
            margin={"l": 60, "r": 10, "t": 30, "b": 40},
            yaxis={"zeroline": True, "fixedrange": True, "tickformat": ",.0f"},
            # Room below for the month names when a phone turns them upright.
            xaxis={"fixedrange": True, "automargin": True},
        ),
        "locale": plotly_locale(),
    }

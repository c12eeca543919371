"""Plotly figures for the dashboard, built server-side as plain JSON-ready dicts.

Chart coordinates are floats because Plotly draws numbers; every amount a person reads
(hover text, labels) is the exact Decimal formatted by finora.money. Every text a figure
shows goes through plain_text: Plotly reads HTML tags in it.
"""

from __future__ import annotations

import html
from decimal import Decimal
from functools import lru_cache

from babel.dates import get_day_names, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import format_date, get_locale, pgettext

from finora.i18n import money_filter
from finora.services.ledger.month_summary import CategoryTotal, DayNet
from finora.services.ledger.year_summary import YearSummary
from finora.translation import gettext as _

INCOME_COLOR = "#2e9e6b"
EXPENSE_COLOR = "#d9534f"
NET_COLOR = "#3b7ddd"
# Slice colours carry no meaning of their own: no green in the expense palette (green reads
# as income everywhere else on the page), greens and teals for income.
EXPENSE_PALETTE = [
    "#3b7ddd", "#f2a33a", "#d9534f", "#7c5cc4", "#e76fb2", "#5bc0de", "#8c6d46",
    "#c0392b", "#6f42c1", "#fd7e14", "#6c757d", "#20c997", "#b8860b", "#0d6efd",
]
INCOME_PALETTE = ["#2e9e6b", "#1f6f5c", "#20c997", "#5bc0de", "#9aa33f", "#16a085", "#3b7ddd"]


def _n(amount: Decimal) -> float:
    return float(amount)


def plain_text(value: object) -> str:
    """Text for a Plotly figure, shown exactly as typed. Plotly reads a subset of HTML (<a
    href>, <b>, <i>, <br>, <span style>…) in labels, legends, titles and hover text; written
    as entities (&lt; &gt; &amp;), which Plotly shows literally, a category named like a
    link stays a name. Used by every chart module for every text it puts in a figure."""
    return html.escape(str(value), quote=False)


# The page languages Plotly does not speak by itself, and the name each is registered under
# (English is Plotly's own). static/js/charts.js registers the figure's "locale" and sets
# config.locale, so axis dates, hover dates and numbers follow the page's language.
PLOTLY_LOCALES = {"pt": "pt-BR", "es": "es"}
# d3-time-format's date for the locale's "%x" (Plotly's default tick and hover formats use
# month names, which come from the dictionary below).
_D3_DATE = {"pt": "%d/%m/%Y", "es": "%d/%m/%Y"}


def plotly_locale() -> dict | None:
    """Plotly's locale module for the request's language, built from Babel's CLDR data
    (nothing from the internet): month and day names, the date format and the number
    separators. None for English, Plotly's default."""
    return _plotly_locale(str(get_locale()).split("_")[0])


@lru_cache(maxsize=8)
def _plotly_locale(language: str) -> dict | None:
    name = PLOTLY_LOCALES.get(language)
    if name is None:
        return None

    def sunday_first(width: str) -> list[str]:
        days = get_day_names(width, locale=language)  # 0 = Monday in Babel, d3 starts on Sunday
        return [days[6], *(days[n] for n in range(6))]

    months = get_month_names("wide", locale=language)
    short_months = get_month_names("abbreviated", locale=language)
    return {
        "moduleType": "locale",
        "name": name,
        "dictionary": {},
        "format": {
            "days": sunday_first("wide"),
            "shortDays": [_short(day) for day in sunday_first("abbreviated")],
            "months": [months[m] for m in range(1, 13)],
            "shortMonths": [_short(short_months[m]) for m in range(1, 13)],
            "date": _D3_DATE[language],
            "decimal": get_decimal_symbol(language),
            "thousands": get_group_symbol(language),
        },
    }


def _short(name: str) -> str:
    """An abbreviation without its full stop ("jan." -> "jan"): axis ticks are tight."""
    return name.rstrip(".")


def base_layout(**extra) -> dict:
    layout = {
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
        # Axis numbers written the reader's way ("1.234,5" in pt, "1,234.5" in en).
        "separators": get_decimal_symbol(str(get_locale())) + get_group_symbol(str(get_locale())),
    }
    layout.update(extra)
    return layout


def category_donut(totals: list[CategoryTotal], currency: str, *, kind: str = "expense") -> dict:
    """A donut of totals by category; each slice carries its category id for filtering."""
    return {
        "data": [
            {
                "type": "pie",
                "hole": 0.55,
                "labels": [plain_text(t.label) for t in totals],
                "values": [_n(t.total) for t in totals],
                "text": [plain_text(money_filter(t.total, currency)) for t in totals],
                "customdata": [t.category_id for t in totals],
                "textinfo": "percent",
                "textposition": "inside",
                "insidetextorientation": "horizontal",
                "hovertemplate": "%{label}<br>%{text}<extra></extra>",
                "sort": False,
                "marker": {"colors": INCOME_PALETTE if kind == "income" else EXPENSE_PALETTE},
            }
        ],
        "layout": base_layout(
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": -0.05, "yanchor": "top", "font": {"size": 13}},
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            height=380,
        ),
        "locale": plotly_locale(),
    }


def cumulative_net(days: list[DayNet], currency: str) -> dict:
    """The month's running net (income minus expenses), day by day."""
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": plain_text(_("Net so far")),
                "x": [d.day.isoformat() for d in days],
                "y": [_n(d.cumulative) for d in days],
                "text": [
                    plain_text(
                        f"{format_date(d.day, 'medium')}: {money_filter(d.cumulative, currency)}"
                    )
                    for d in days
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "line": {"color": NET_COLOR, "shape": "hv", "width": 2},
                "marker": {"size": 4},
                "fill": "tozeroy",
                "fillcolor": "rgba(59,125,221,0.12)",
            }
        ],
        "layout": base_layout(
            margin={"l": 60, "r": 10, "t": 10, "b": 40},
            xaxis={"type": "date", "tickformat": "%d", "fixedrange": True},
            yaxis={"zeroline": True, "zerolinewidth": 2, "fixedrange": True, "tickformat": ",.0f"},
        ),
        "locale": plotly_locale(),
    }


def year_bars(summary: YearSummary, currency: str, month_names: list[str], last_month: int = 12) -> dict:
    """Income and expenses per month as bars, with the net as a line that stops at
    `last_month` (months still to come would draw a misleading fall to zero)."""
    months = summary.months
    x = [plain_text(name) for name in month_names]
    income, expenses, net = (
        plain_text(pgettext("totals", "Income")), plain_text(_("Expenses")), plain_text(_("Net"))
    )
    return {
        "data": [
            {
                "type": "bar",
                "name": income,
                "x": x,
                "y": [_n(m.income) for m in months],
                "text": [plain_text(money_filter(m.income, currency)) for m in months],
                "textposition": "none",
                "hovertemplate": "%{x}: %{text}<extra>" + income + "</extra>",
                "marker": {"color": INCOME_COLOR},
                "customdata": [m.month for m in months],
            },
            {
                "type": "bar",
                "name": expenses,
                "x": x,
                "y": [_n(m.expense) for m in months],
                "text": [plain_text(money_filter(m.expense, currency)) for m in months],
                "textposition": "none",
                "hovertemplate": "%{x}: %{text}<extra>" + expenses + "</extra>",
                "marker": {"color": EXPENSE_COLOR},
                "customdata": [m.month for m in months],
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": net,
                "x": x,
                "y": [_n(m.net) if m.month <= last_month else None for m in months],
                "text": [plain_text(money_filter(m.net, currency)) for m in months],
                "hovertemplate": "%{x}: %{text}<extra>" + net + "</extra>",
                "line": {"color": NET_COLOR, "width": 2},
                "customdata": [m.month for m in months],
            },
        ],
        "layout": base_layout(
            barmode="group",
            showlegend=True,
            legend={"orientation": "h", "y": -0.15, "font": {"size": 13}},
            margin={"l": 60, "r": 10, "t": 10, "b": 40},
            yaxis={"zeroline": True, "fixedrange": True, "tickformat": ",.0f"},
            xaxis={"fixedrange": True},
        ),
        "locale": plotly_locale(),
    }

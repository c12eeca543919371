"""Every Plotly figure carries the page language's locale (built from Babel's CLDR data, never
fetched): month and day names and number separators for pt and es; English uses Plotly's
own. static/js/charts.js registers it and names it in the chart's config."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
import time_machine

from tests.ledger_factories import household_of, make_entry

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
EXPECTED = {
    "pt": ("pt-BR", "janeiro", "jan", "domingo", ",", "."),
    "es": ("es", "enero", "ene", "domingo", ",", "."),
}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def figures(page: str) -> list[dict]:
    return [json.loads(unescape(found)) for found in re.findall(r'data-figure="([^"]*)"', page)]


@pytest.mark.parametrize("language", ["pt", "es"])
def test_the_figures_carry_the_page_language(signed_in, user, language):
    user.locale = language
    make_entry(household_of(user))  # the month's charts have something to draw
    name, january, jan, sunday, decimal, thousands = EXPECTED[language]
    for url, count in (("/forecast", 1), ("/dashboard/2026/3", 2), ("/dashboard/2026", 1)):
        found = figures(signed_in.get(url).text)
        assert len(found) >= count, url
        for figure in found:
            locale = figure["locale"]
            assert locale["moduleType"] == "locale" and locale["name"] == name
            fmt = locale["format"]
            assert fmt["months"][0] == january and fmt["shortMonths"][0] == jan
            assert fmt["days"][0] == sunday and len(fmt["shortDays"]) == 7
            assert (fmt["decimal"], fmt["thousands"]) == (decimal, thousands)
    hover = figures(signed_in.get("/forecast").text)[0]["layout"]["xaxis"]["hoverformat"]
    assert "%b" in hover  # month names, in the locale's words


def test_english_uses_plotlys_own_locale(signed_in, user):
    user.locale = "en"
    assert figures(signed_in.get("/forecast").text)[0]["locale"] is None


def test_the_script_registers_the_locale_and_names_it_in_the_config():
    script = (Path(__file__).resolve().parents[2] / "static/js/charts.js").read_text(encoding="utf-8")
    assert "Plotly.register(locale)" in script and "config.locale = locale" in script

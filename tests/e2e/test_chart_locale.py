"""In a real browser, the forecast chart speaks the page's language: the Plotly locale built
from Babel is registered and named in the chart's config, and the date axis shows the
language's month names (nothing is fetched for it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.ledger_helpers import wait_for_charts
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import checking_account, household_of

MONTHS = {
    "pt": ("pt-BR", {"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"}),
    "es": ("es", {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}),
    "en": ("en-US", {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}),
}


@pytest.mark.parametrize("language", ["pt", "es", "en"])
def test_the_forecast_chart_uses_the_page_language(app, live_server, page, browser_problems, language):
    user = create_user(email=f"chart.{language}@example.com")
    user.locale = language
    household = household_of(user)
    checking_account(household).opening_balance = Decimal("1000.00")
    db.session.commit()

    page.goto(live_server + "/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto(live_server + "/forecast")
    wait_for_charts(page)

    name, months = MONTHS[language]
    chart = page.locator("#chart-forecast")
    assert chart.evaluate("(chart) => chart._context.locale") == name
    ticks = chart.locator(".xtick text").all_text_contents()
    words = {word for tick in ticks for word in re.findall(r"[^\W\d_]+", tick)}
    assert words and words <= months, (ticks, datetime.now(UTC))
    browser_problems.assert_none()

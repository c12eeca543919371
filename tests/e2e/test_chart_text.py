"""In a real browser, a category named like markup is drawn by Plotly as the very text typed:
no link (<a>) and no italics (<i>) in the legend or the hover box, and no "&lt;" shown."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.ledger_helpers import wait_for_charts
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import category, household_of, make_entry

LINK = '<a href="https://evil.example.net/">Groceries</a>'
ITALIC = "<i>Salary & bonus</i>"


def _hover_slice(page, chart: str) -> None:
    """Point at the (only) slice where a person would: on its label, inside the slice."""
    page.locator(chart).scroll_into_view_if_needed()
    point = page.locator(chart).evaluate(
        """(chart) => {
               const target = chart.querySelector('g.slice text.slicetext');
               const box = target.getBoundingClientRect();
               return {x: box.left + box.width / 2, y: box.top + box.height / 2};
           }"""
    )
    page.mouse.move(point["x"], point["y"])


def test_names_are_drawn_as_plain_text(app, live_server, page, browser_problems):
    user = create_user(email="chart.text@example.com")
    household = household_of(user)
    category(household, "expense.food").name = LINK
    category(household, "income.work").name = ITALIC
    db.session.commit()
    make_entry(household, amount=Decimal("40.00"))
    make_entry(household, kind="income", amount=Decimal("90.00"))

    page.goto(live_server + "/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto(live_server + "/dashboard/2026/3")
    wait_for_charts(page)

    for chart, name in (("#chart-expenses", LINK), ("#chart-income", ITALIC)):
        svg = page.locator(f"{chart} .main-svg").first
        expect(page.locator(f"{chart} .legendtext")).to_have_text(name)
        expect(page.locator(f"{chart} a")).to_have_count(0)
        expect(page.locator(f'{chart} tspan[style*="italic"]')).to_have_count(0)
        _hover_slice(page, chart)
        hover = page.locator(f"{chart} .hoverlayer .hovertext")
        expect(hover).to_contain_text(name)
        expect(hover.locator("a")).to_have_count(0)
        assert "&lt;" not in svg.inner_html().replace("&amp;lt;", "")
    browser_problems.assert_none()

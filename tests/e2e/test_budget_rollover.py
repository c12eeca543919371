"""Budget rollover in a real browser: the setting ticked on the form, next month's card with
what this month left, and the budget report's carried and available columns, all checked
by axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from finora.services.planning.periods import shift_month
from tests.e2e.ledger_helpers import catalogue_labels, select_options, today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import sign_up
from tests.e2e.test_planning import add_expense, budget_card


def test_a_rolled_over_budget_shows_its_carry(page, live_server, app_factory, screenshot_dir, browser_problems):
    base = live_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    sign_up(page, base)

    page.goto(base + "/budgets/new")
    food = [o for o in select_options(page, "#category_id") if o["text"].startswith(labels["expense.food"])]
    page.locator("#category_id").select_option(food[0]["value"])
    page.locator("#amount").fill("500,00")
    rollover = page.locator("#rollover")
    expect(rollover).not_to_be_checked()
    expect(rollover).to_have_attribute("aria-describedby", "rollover-help")
    rollover.check()
    assert_accessible(page, "the budget form")
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/budgets"))

    add_expense(page, base, labels, today, "120,00", "Feira")
    year, month = shift_month(today.year, today.month, 1)
    page.goto(f"{base}/budgets?year={year}&month={month}")
    card = budget_card(page)
    expect(card.locator(".budget-rollover")).to_be_visible()
    expect(card.locator('[data-figure="carried"]')).to_have_text(re.compile(r"\+\s?R\$\s?380,00"))
    expect(card.locator('[data-figure="available"]')).to_have_text(re.compile(r"R\$\s?880,00"))
    page.screenshot(path=screenshot_dir / "31-budget-rollover.png", full_page=True)
    assert_accessible(page, "the budgets page with a rollover budget")

    page.goto(f"{base}/reports/budget?period=month&year={year}&month={month}")
    row = page.locator("#report-budgets tbody tr").first
    expect(row.locator('[data-figure="carried"]')).to_have_text(re.compile(r"\+\s?R\$\s?380,00"))
    expect(row.locator('[data-figure="available"]')).to_have_text(re.compile(r"R\$\s?880,00"))
    assert_accessible(page, "the budget report with a rollover budget")
    browser_problems.assert_none("on the rollover pages")

"""The forecast in a real browser: rules and a what-if scenario created through the forms,
the chart's two lines and the cards, then one occurrence skipped and the projection moving."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.ledger_helpers import (
    catalogue_labels,
    select_options,
    today_in_sao_paulo,
    wait_for_charts,
)
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import sign_up


def fill_rule(page, labels, *, name, kind, amount, category, frequency, first) -> None:
    page.locator("#name").fill(name)
    page.locator(f'input[name="kind"][value="{kind}"]').check(force=True)
    page.locator("#amount").fill(amount)
    options = [o for o in select_options(page, "#category_id") if o["text"] == labels[category]]
    page.locator("#category_id").select_option(options[0]["value"])
    page.locator("#frequency").select_option(frequency)
    page.locator("#anchor_date").fill(first.isoformat())
    page.locator("#business_day_policy").select_option("none")
    page.locator('main form button[type="submit"]').first.click()


def chart_line(page, trace: int) -> list[float]:
    return page.locator("#chart-forecast").evaluate(
        "(chart, trace) => Array.from(chart.data[trace].y)", trace
    )


def test_rules_and_a_scenario_on_the_forecast_then_a_skip(
    page, live_server, app_factory, screenshot_dir, browser_problems
):
    base = live_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    sign_up(page, base)

    page.goto(base + "/rules/new")
    fill_rule(page, labels, name="Salário", kind="income", amount="3.000,00",
              category="income.work", frequency="monthly", first=today + timedelta(days=3))
    expect(page).to_have_url(re.compile(re.escape(base) + r"/rules"))
    page.goto(base + "/rules/new")
    fill_rule(page, labels, name="Aluguel", kind="expense", amount="1.200,00",
              category="expense.housing", frequency="monthly", first=today + timedelta(days=1))
    expect(page).to_have_url(re.compile(re.escape(base) + r"/rules"))

    page.locator('a[href="/forecast"]').first.click()
    expect(page).to_have_url(base + "/forecast")
    page.locator('a[href="/forecast/scenarios"]').first.click()
    page.locator('a[href="/forecast/scenarios/new"]').first.click()
    fill_rule(page, labels, name="Carro novo", kind="expense", amount="4.000,00",
              category="expense.transport", frequency="once", first=today + timedelta(days=10))
    expect(page).to_have_url(base + "/forecast/scenarios")
    expect(page.locator(".scenario-row")).to_have_count(1)
    expect(page.locator("#scenario-impact")).to_be_visible()
    assert_accessible(page, "the scenarios page")

    page.goto(base + "/forecast")
    wait_for_charts(page)
    chart = page.locator("#chart-forecast")
    expect(chart.locator(".cartesianlayer .scatterlayer .trace")).to_have_count(2)
    expect(chart.locator(".legend .traces")).to_have_count(2)
    schedule, scenario = chart_line(page, 0), chart_line(page, 1)
    assert len(schedule) == len(scenario) == 365
    # Day 1: rent; day 3: salary; day 10: the car, on the scenario line only.
    assert schedule[:4] == [0.0, -1200.0, -1200.0, 1800.0]
    assert scenario[10] == schedule[10] - 4000.0
    expect(page.locator("#card-current")).to_contain_text("R$ 0,00")
    # Lowest: day 1 (rent) -1,200; with the car: day 10 → 1,800 - 4,000, then the next rent.
    expect(page.locator("#card-lowest")).to_have_text("-R$ 1.200,00 (-R$ 3.400,00)")
    expect(page.locator("#card-shortfall")).to_be_visible()
    expect(page.locator("#card-risk .band-badge")).to_be_visible()
    page.screenshot(path=screenshot_dir / "40-forecast.png", full_page=True)
    assert_accessible(page, "the forecast page")

    # Skip the first rent: the balance of day 1 stops dropping.
    rent_row = page.locator("#upcoming-table tbody tr").filter(has_text="Aluguel").first
    rent_row.get_by_role("button").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/forecast(\?days=\d+)?#upcoming"))
    wait_for_charts(page)
    after = chart_line(page, 0)
    assert after[:4] == [0.0, 0.0, 0.0, 3000.0]
    skipped = page.locator("#upcoming-table tr.row-skipped")
    expect(skipped).to_have_count(1)
    expect(skipped).to_contain_text("Aluguel")
    page.screenshot(path=screenshot_dir / "41-forecast-skipped.png", full_page=True)

    # Restore it: the line is as before.
    skipped.get_by_role("button").click()
    wait_for_charts(page)
    assert chart_line(page, 0)[:4] == schedule[:4]
    page.goto(base + "/forecast?days=30")
    wait_for_charts(page)
    assert len(chart_line(page, 0)) == 30
    browser_problems.assert_none("forecast")

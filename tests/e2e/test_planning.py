"""Planning in a real browser: a budget bar moving from ok to warning to over as expenses
are added, and a monthly rule posted by the real scheduler, then paused."""

from __future__ import annotations

import re
import threading
import time

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from finora.jobs import stop_scheduler
from tests.e2e.ledger_helpers import catalogue_labels, select_options, today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import fill_entry, sign_up


def budget_card(page):
    return page.locator("article.budget-card").first


def add_expense(page, base, labels, today, amount: str, description: str) -> None:
    page.goto(f"{base}/entries/new?kind=expense&year={today.year}&month={today.month}&next=/budgets")
    fill_entry(
        page,
        kind="expense",
        amount=amount,
        description=description,
        category=labels["expense.food"],
        subcategory=labels["expense.food.groceries"],
        paid=False,
        today_iso=today.isoformat(),
    )
    page.locator('#entry-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/budgets\??$"))


def test_a_budget_bar_moves_to_warning_then_over(
    page, live_server, app_factory, screenshot_dir, browser_problems
):
    base = live_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    sign_up(page, base)

    page.goto(base + "/budgets/new")
    food = [o for o in select_options(page, "#category_id") if o["text"].startswith(labels["expense.food"])]
    assert food, select_options(page, "#category_id")
    page.locator("#category_id").select_option(food[0]["value"])
    page.locator('input[name="period"][value="monthly"]').check()
    page.locator("#amount").fill("500,00")
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/budgets"))

    card = budget_card(page)
    bar = card.locator('[role="progressbar"]')
    expect(card.locator(".budget-state")).to_have_attribute("data-state", "ok")
    expect(bar).to_have_attribute("aria-valuenow", "0")

    for amount, description, state, percent in (
        ("300,00", "Feira", "ok", "60"),
        ("150,00", "Supermercado", "warning", "90"),
        ("100,00", "Padaria", "over", "100"),
    ):
        add_expense(page, base, labels, today, amount, description)
        card = budget_card(page)
        expect(card.locator(".budget-state").first).to_have_attribute("data-state", state)
        expect(card.locator('[role="progressbar"]')).to_have_attribute("aria-valuenow", percent)
    expect(card.locator('[data-figure="remaining"]')).to_have_text(re.compile(r"R\$\s?50,00"))
    page.screenshot(path=screenshot_dir / "30-budget-over.png", full_page=True)
    assert_accessible(page, "the budgets page")
    browser_problems.assert_none("on the budgets page")


@pytest.fixture
def scheduled_server(app_factory):
    """Finora with its real in-process scheduler ticking every second."""
    application = app_factory(
        REGISTRATION_MODE="open", WTF_CSRF_ENABLED=True, SCHEDULER_ENABLED=True,
        SCHEDULER_TICK_SECONDS=1, SCHEDULER_JOB_INTERVAL_SECONDS=1,
    )
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        # The app's own stop: the scheduler ends, the lease is released, and the at-exit
        # hook is removed (else it runs after the test database is gone).
        stop_scheduler(application)
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_monthly_rule_is_posted_by_the_scheduler_then_paused(
    page, scheduled_server, app_factory, screenshot_dir, browser_problems
):
    base = scheduled_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    sign_up(page, base)

    page.locator('a[href="/rules"]').first.click()
    expect(page).to_have_url(base + "/rules")
    page.goto(base + "/rules/new")
    page.locator("#name").fill("Aluguel")
    page.locator('input[name="kind"][value="expense"]').check()
    page.locator("#amount").fill("1.200,00")
    housing = [o for o in select_options(page, "#category_id") if o["text"] == labels["expense.housing"]]
    page.locator("#category_id").select_option(housing[0]["value"])
    rent = [o for o in select_options(page, "#subcategory_id") if o["text"] == labels["expense.housing.rent"]]
    page.locator("#subcategory_id").select_option(rent[0]["value"])
    page.locator("#frequency").select_option("monthly")
    page.locator("#anchor_date").fill(today.isoformat())
    page.locator("#business_day_policy").select_option("none")  # due today, even on a weekend
    expect(page.locator("#auto_post")).to_be_checked()
    page.locator('main form button[type="submit"]').first.click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/rules"))
    card = page.locator("article.rule-card").filter(has_text="Aluguel")
    expect(card).to_have_count(1)
    expect(card.locator("li")).to_have_count(5)  # the next five occurrences
    page.screenshot(path=screenshot_dir / "31-rules.png", full_page=True)
    assert_accessible(page, "the recurring rules page")

    # The scheduler (ticking every second in the server) posts today's occurrence.
    month_url = f"{base}/dashboard/{today.year}/{today.month}"
    deadline = time.monotonic() + 30
    while True:
        page.goto(month_url)
        if page.locator("tr.entry-row").filter(has_text="Aluguel").count() == 1:
            break
        assert time.monotonic() < deadline, "the scheduler did not post the rule's entry"
        page.wait_for_timeout(500)
    expect(page.locator('[data-metric="to-pay"]')).to_have_text(re.compile(r"R\$\s?1\.200,00"))

    # Pause it until next year: the card says so, and nothing more is posted meanwhile.
    page.goto(base + "/rules")
    card = page.locator("article.rule-card").filter(has_text="Aluguel")
    card.locator('input[name="until"]').fill(f"{today.year + 1}-01-31")
    card.locator('form[action$="/hold"] button[type="submit"]').click()
    card = page.locator("article.rule-card").filter(has_text="Aluguel")
    expect(card.locator(".badge.text-bg-warning")).to_be_visible()
    page.screenshot(path=screenshot_dir / "32-rule-paused.png", full_page=True)
    page.goto(month_url)
    expect(page.locator("tr.entry-row").filter(has_text="Aluguel")).to_have_count(1)
    browser_problems.assert_none("with the scheduler on")

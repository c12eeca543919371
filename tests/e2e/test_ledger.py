"""A month of the household's ledger, in a real browser (Chromium).

A new user signs up in Portuguese, creates a savings account, adds a salary and two expenses
on the dashboard, marks the salary paid with one click, filters the table (by type, by text,
by clicking a slice of the expenses donut) and watches the metrics and the charts follow.
The dashboard is then photographed in pt and en, light and dark.

The live server runs on the real clock, so "today" is the household's date in São Paulo and
everything happens in the current month. Fields and translated buttons are found by id,
value or href; category names come from the catalogue the server uses (their Portuguese
translations are still being written), and money is matched against Babel's formats.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.ledger_helpers import (
    HOUSEHOLD_TIMEZONE,
    catalogue_labels,
    click_slice,
    money_pattern,
    select_options,
    settle,
    today_in_sao_paulo,
    wait_for_charts,
)
from tests.e2e.test_first_visit import assert_accessible, expect_language, pick_language

pytestmark = pytest.mark.e2e

NAME = "Bruno Lima"
EMAIL = "bruno.lima@example.com"
PASSWORD = "cobalt-meadow-5208"
HOUSEHOLD = "Casa dos Lima"

SALARY = "Salário do mês"
GROCERIES = "Supermercado"
INTERNET = "Internet fibra"


def sign_up(page, base: str, *, past_recovery_key: bool = True) -> None:
    """Sign up in Portuguese; by default also go on from the one-time recovery key page."""
    page.goto(base + "/signup")
    expect_language(page, "pt")
    expect(page.locator("#timezone")).to_have_value(HOUSEHOLD_TIMEZONE)
    expect(page.locator("#currency")).to_have_value("BRL")
    page.locator("#name").fill(NAME)
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.locator("#household_name").fill(HOUSEHOLD)
    page.locator('#signup-form button[type="submit"]').click()
    page.wait_for_load_state("load")
    if past_recovery_key and page.url.endswith("/signup/recovery-key"):  # shown once
        page.locator("#recovery-key-continue").click()
        page.wait_for_load_state("load")


def expect_metrics(page, expected: dict[str, str]) -> None:
    for key, text in expected.items():
        expect(page.locator(f'[data-metric="{key}"]'), f"metric {key}").to_have_text(
            money_pattern(text)
        )


def entry_rows(page):
    return page.locator("tr.entry-row")


def expect_descriptions(page, descriptions: list[str]) -> None:
    rows = entry_rows(page)
    expect(rows).to_have_count(len(descriptions))
    for description in descriptions:
        expect(rows.filter(has_text=description)).to_have_count(1)


def set_theme(page, choice: str) -> None:
    """Click the theme toggle (light -> dark -> system) until `choice` is on."""
    html = page.locator("html")
    # The toggle listens from DOMContentLoaded on: a click before it would be lost.
    page.wait_for_load_state("domcontentloaded")
    for _ in range(3):
        current = html.get_attribute("data-theme-choice")
        if current == choice:
            break
        page.locator("#theme-toggle").click()
        # One step at a time: the next click only once this one has shown.
        expect(html).not_to_have_attribute("data-theme-choice", current or "")
    expect(html).to_have_attribute("data-theme-choice", choice)
    # The context's system scheme is light, so light and dark are what Bootstrap shows.
    expect(html).to_have_attribute("data-bs-theme", choice)
    # Move the pointer off the toggle, so the screenshots do not show it hovered.
    page.mouse.move(1, 1)
    settle(page)


def fill_entry(
    page,
    *,
    kind: str,
    amount: str,
    description: str,
    category: str,
    subcategory: str,
    paid: bool,
    today_iso: str,
) -> str:
    """Fill the open entry form; checks the narrowing lists and the Paid switch.

    Returns the chosen category's id (the option's value).
    """
    form = page.locator("#entry-form")
    expect(form).to_be_visible()
    expect(form.locator(f'input[name="kind"][value="{kind}"]')).to_be_checked()
    expect(page.locator("#date")).to_have_value(today_iso)
    page.locator("#amount").fill(amount)
    page.locator("#description").fill(description)

    # The category list shows only the categories of the entry's type.
    options = select_options(page, "#category_id")
    same = [o for o in options if o["kind"] == kind]
    other = [o for o in options if o["kind"] not in (None, kind)]
    assert same and other, options
    assert all(o["hidden"] and o["disabled"] for o in other), f"{kind} form offers {other}"
    assert not any(o["hidden"] or o["disabled"] for o in same), same
    expect(page.locator("#subcategory_id")).to_be_disabled()
    matching = [o for o in same if o["text"] == category]
    assert len(matching) == 1, f"no single {kind} category {category!r} in {same}"
    category_id = matching[0]["value"]
    page.locator("#category_id").select_option(category_id)

    # The subcategory list narrows to the chosen category.
    expect(page.locator("#subcategory_id")).to_be_enabled()
    subs = select_options(page, "#subcategory_id")
    mine = [o for o in subs if o["parent"] == category_id]
    theirs = [o for o in subs if o["parent"] not in (None, category_id)]
    assert mine and theirs, subs
    assert not any(o["hidden"] or o["disabled"] for o in mine), mine
    assert all(o["hidden"] and o["disabled"] for o in theirs), (
        f"subcategories of other categories stay offered: {[o for o in theirs if not o['hidden']]}"
    )
    matching = [o for o in mine if o["text"] == subcategory]
    assert len(matching) == 1, f"no subcategory {subcategory!r} in {mine}"
    page.locator("#subcategory_id").select_option(matching[0]["value"])

    # "Paid" fills "Paid on" with today, and clears it when switched off again.
    paid_switch, paid_on = page.locator("#paid"), page.locator("#paid_on")
    expect(paid_switch).not_to_be_checked()
    expect(paid_on).to_have_value("")
    if paid:
        paid_switch.check()
        expect(paid_on).to_have_value(today_iso)
        paid_switch.uncheck()
        expect(paid_on).to_have_value("")
        paid_switch.check()
        expect(paid_on).to_have_value(today_iso)
    return category_id


def save_entry(page, description: str, month_url: str) -> None:
    page.locator('#entry-form button[type="submit"]').click()
    # Back on the month the entry was added from ("next" may end in an empty "?").
    expect(page).to_have_url(re.compile("^" + re.escape(month_url) + r"\??$"))
    expect(page.locator(".flash-messages .alert-success")).to_contain_text(description)
    expect(entry_rows(page).filter(has_text=description)).to_have_count(1)


def open_new_entry(page, kind: str) -> None:
    page.locator(f'main a[href^="/entries/new?kind={kind}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/entries/new\?kind={kind}"))


def test_a_month_in_the_ledger(page, live_server, app_factory, screenshot_dir, browser_problems):
    base = live_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    today_iso = today.isoformat()
    month_url = f"{base}/dashboard/{today.year}/{today.month}"

    # Sign up in Portuguese: the dashboard opens on the current month.
    sign_up(page, base)
    expect(page).to_have_url(month_url)
    expect_language(page, "pt")

    # Accounts: the sign-up made a checking account with nothing in it.
    page.locator('nav a[href="/accounts"]').click()
    expect(page).to_have_url(base + "/accounts")
    total = page.locator("#consolidated-balance")
    expect(total).to_have_text(money_pattern("R$ 0,00"))

    page.locator('main a[href="/accounts/new"]').click()
    expect(page).to_have_url(base + "/accounts/new")
    page.locator("#name").fill("Poupança")
    page.locator("#kind").select_option("savings")
    page.locator("#opening_balance").fill("1.500,00")
    expect(page.locator("#opening_date")).to_have_value(today_iso)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(base + "/accounts")
    savings = page.locator("main table tbody tr").filter(
        has=page.get_by_role("link", name="Poupança", exact=True)
    )
    expect(savings).to_have_count(1)
    expect(savings.locator("td").nth(3)).to_have_text(money_pattern("R$ 1.500,00"))
    expect(total).to_have_text(money_pattern("R$ 1.500,00"))
    page.screenshot(path=screenshot_dir / "24-accounts.png", full_page=True)
    assert_accessible(page, "the accounts page")

    # The dashboard of an empty month: zeros, no charts yet.
    page.locator('nav a[href="/dashboard"]').click()
    expect(page).to_have_url(month_url)
    zero = "R$ 0,00"
    expect_metrics(
        page,
        {
            "received": zero,
            "paid": zero,
            "to-receive": zero,
            "to-pay": zero,
            "projected": zero,
            "realised": zero,
            "overdue": zero,
            "accounts": "R$ 1.500,00",
        },
    )
    expect(page.locator(".chart")).to_have_count(0)

    # Income: the salary, not paid yet.
    open_new_entry(page, "income")
    fill_entry(
        page,
        kind="income",
        amount="3.000,00",
        description=SALARY,
        category=labels["income.work"],
        subcategory=labels["income.work.salary"],
        paid=False,
        today_iso=today_iso,
    )
    save_entry(page, SALARY, month_url)
    expect_metrics(
        page,
        {
            "received": zero,
            "to-receive": "R$ 3.000,00",
            "projected": "R$ 3.000,00",
            "realised": zero,
            "accounts": "R$ 1.500,00",
        },
    )
    wait_for_charts(page)
    expect(page.locator("#chart-income g.slice")).to_have_count(1)
    expect(page.locator("#chart-expenses")).to_have_count(0)
    expect(page.locator("#chart-net .main-svg").first).to_be_visible()

    # Expense 1: groceries, paid today (the form is photographed and checked by axe).
    open_new_entry(page, "expense")
    food_id = fill_entry(
        page,
        kind="expense",
        amount="250,40",
        description=GROCERIES,
        category=labels["expense.food"],
        subcategory=labels["expense.food.groceries"],
        paid=True,
        today_iso=today_iso,
    )
    page.screenshot(path=screenshot_dir / "25-entry-form.png", full_page=True)
    assert_accessible(page, "the entry form")
    save_entry(page, GROCERIES, month_url)
    expect_metrics(
        page,
        {
            "paid": "R$ 250,40",
            "to-pay": zero,
            "projected": "R$ 2.749,60",
            "realised": "-R$ 250,40",
            "accounts": "R$ 1.249,60",
        },
    )
    wait_for_charts(page)
    expect(page.locator("#chart-expenses g.slice")).to_have_count(1)

    # Expense 2: internet, not paid.
    open_new_entry(page, "expense")
    telecom_id = fill_entry(
        page,
        kind="expense",
        amount="89,90",
        description=INTERNET,
        category=labels["expense.telecom"],
        subcategory=labels["expense.telecom.internet"],
        paid=False,
        today_iso=today_iso,
    )
    assert telecom_id != food_id
    save_entry(page, INTERNET, month_url)
    expect_metrics(
        page,
        {
            "received": zero,
            "paid": "R$ 250,40",
            "to-receive": "R$ 3.000,00",
            "to-pay": "R$ 89,90",
            "projected": "R$ 2.659,70",
            "realised": "-R$ 250,40",
            "overdue": zero,
            "accounts": "R$ 1.249,60",
        },
    )
    wait_for_charts(page)
    for chart in ("#chart-expenses", "#chart-income", "#chart-net"):
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    expect(page.locator("#chart-expenses g.slice")).to_have_count(2)
    expect(page.locator("#chart-income g.slice")).to_have_count(1)
    expect_descriptions(page, [SALARY, GROCERIES, INTERNET])

    # One click marks the salary received: its badge turns from pending to received (green,
    # worded for income: not the expenses' "paid").
    salary = entry_rows(page).filter(has_text=SALARY)
    groceries = entry_rows(page).filter(has_text=GROCERIES)
    badge = salary.locator(".badge")
    expect(badge).to_have_class(re.compile(r"\btext-bg-secondary\b"))
    expect(groceries.locator(".badge")).to_have_class(re.compile(r"\btext-bg-success\b"))
    pending_text = badge.inner_text().strip()
    paid_text = groceries.locator(".badge").inner_text().strip()
    assert pending_text != paid_text
    salary.locator('button[formaction$="/paid"]').click()
    expect(page).to_have_url(re.compile("^" + re.escape(month_url) + r"\??$"))
    expect(badge).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(badge).to_have_text("Recebido")
    assert paid_text == "Pago"
    expect(salary.locator('button[formaction$="/unpaid"]')).to_have_count(1)
    expect_metrics(
        page,
        {
            "received": "R$ 3.000,00",
            "to-receive": zero,
            "paid": "R$ 250,40",
            "to-pay": "R$ 89,90",
            "projected": "R$ 2.659,70",
            "realised": "R$ 2.749,60",
            "accounts": "R$ 4.249,60",
        },
    )

    # Filter the table: expenses only, then a text search, then clear.
    page.locator("#filter-kind").select_option("expense")
    page.locator('#entry-filters button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"[?&]kind=expense(&|$)"))
    expect_descriptions(page, [GROCERIES, INTERNET])
    page.locator("#filter-q").fill("internet")
    page.locator('#entry-filters button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"[?&]q=internet(&|$)"))
    expect_descriptions(page, [INTERNET])
    # The metrics are the month's, whatever the table shows.
    expect_metrics(page, {"projected": "R$ 2.659,70"})
    page.locator(f'#entry-filters a[href="/dashboard/{today.year}/{today.month}"]').click()
    expect(page).to_have_url(month_url)
    expect(page.locator("#filter-kind")).to_have_value("")
    expect_descriptions(page, [SALARY, GROCERIES, INTERNET])

    # A click on the donut's first (largest) slice filters the table by its category.
    wait_for_charts(page)
    click_slice(page, "#chart-expenses", 0)
    expect(page).to_have_url(re.compile(rf"[?&]category={food_id}(&|$)"))
    expect(page.locator("#filter-category")).to_have_value(food_id)
    expect_descriptions(page, [GROCERIES])
    page.locator(f'#entry-filters a[href="/dashboard/{today.year}/{today.month}"]').click()
    expect(page).to_have_url(month_url)

    # The dashboard in Portuguese, light then dark.
    wait_for_charts(page)
    set_theme(page, "light")
    page.screenshot(path=screenshot_dir / "20-dashboard-pt-light.png", full_page=True)
    assert_accessible(page, "the dashboard with entries (light)")
    set_theme(page, "dark")
    page.screenshot(path=screenshot_dir / "21-dashboard-pt-dark.png", full_page=True)
    assert_accessible(page, "the dashboard with entries (dark)")

    # English: the same month, amounts now written the English way.
    pick_language(page, "en")
    expect(page).to_have_url(month_url)
    expect_metrics(
        page,
        {
            "received": "R$3,000.00",
            "paid": "R$250.40",
            "to-pay": "R$89.90",
            "projected": "R$2,659.70",
            "realised": "R$2,749.60",
            "accounts": "R$4,249.60",
        },
    )
    wait_for_charts(page)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.screenshot(path=screenshot_dir / "22-dashboard-en-dark.png", full_page=True)
    set_theme(page, "light")
    page.screenshot(path=screenshot_dir / "23-dashboard-en-light.png", full_page=True)

    # The year view of the same year.
    page.locator(f'main a[href="/dashboard/{today.year}"]').click()
    expect(page).to_have_url(f"{base}/dashboard/{today.year}")
    wait_for_charts(page)
    expect(page.locator("#chart-year .main-svg").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("R$2,659.70")
    page.screenshot(path=screenshot_dir / "26-year.png", full_page=True)
    assert_accessible(page, "the year view")

    browser_problems.assert_none("in the ledger")


# Regression tests for two faults the charts once had.


def dashboard_with_an_expense(page, base: str, app_factory) -> None:
    """Sign up and add one expense through the UI, so the dashboard draws its charts."""
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    month_url = f"{base}/dashboard/{today.year}/{today.month}"
    sign_up(page, base)
    expect(page).to_have_url(month_url)
    open_new_entry(page, "expense")
    fill_entry(
        page,
        kind="expense",
        amount="89,90",
        description=INTERNET,
        category=labels["expense.telecom"],
        subcategory=labels["expense.telecom.internet"],
        paid=False,
        today_iso=today.isoformat(),
    )
    save_entry(page, INTERNET, month_url)
    wait_for_charts(page)


def test_charts_hold_no_focusable_controls(page, live_server, app_factory):
    """A chart is an image (role="img"): no focusable mode-bar buttons inside it."""
    dashboard_with_an_expense(page, live_server, app_factory)
    expect(page.locator(".chart button, .chart a[href], .chart [tabindex]")).to_have_count(0)
    assert_accessible(page, "the dashboard's charts")


def test_charts_offer_no_upload_to_plotly_cloud(page, live_server, app_factory):
    """plotly.js offers to "share" a chart on Plotly's cloud unless told not to."""
    dashboard_with_an_expense(page, live_server, app_factory)
    titles = page.locator(".chart .modebar-btn").evaluate_all(
        "(buttons) => buttons.map((b) => b.getAttribute('data-title') || b.title || '')"
    )
    cloud = [t for t in titles if re.search(r"share|cloud", t, re.IGNORECASE)]
    assert not cloud, f"the charts' mode bars offer {cloud} (all buttons: {titles})"

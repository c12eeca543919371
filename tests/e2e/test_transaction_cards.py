"""Transaction lists on a 390 px phone: each entry and transfer is a card whose amount is on
screen, the page never scrolls sideways, and the Transactions page's filters and keyset
pages work in a real browser."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.conftest import PHONE
from tests.e2e.ledger_helpers import sign_in, today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.factories import create_user
from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)

LONG = "Reforma completa da cozinha e do banheiro, parcela 3 de 12, Supercalifragilistic-Rendimentos"


def fits_the_phone(page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] == widths[1], widths


def amounts_on_screen(page) -> None:
    """Every row's amount lies inside the viewport's width and is drawn (not hidden)."""
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.ledger-table .ledger-amount'), (cell) => {
             const box = cell.getBoundingClientRect();
             return [box.left, box.right, box.width, window.innerWidth, cell.textContent.trim()];
           })"""
    )
    assert boxes
    for left, right, width, viewport, text in boxes:
        assert width > 0 and left >= 0 and right <= viewport + 0.5, (left, right, viewport, text)
        assert re.search(r"\d", text)


def test_rows_are_cards_on_a_phone(app, live_server, open_page, browser_problems, screenshot_dir):
    user = create_user(email="cards@example.com")
    user.locale = "en"
    db.session.commit()
    household = household_of(user)
    checking = checking_account(household)
    savings = make_account(household, name="Rainy day fund of the whole family", kind="savings")
    today = today_in_sao_paulo()
    for n in range(60):
        make_entry(household, description=f"Groceries {n:02d}", amount=Decimal("123456.78") + n,
                   date=today - timedelta(days=n % 5), account=checking, notes="weekly" if n % 7 == 0 else None,
                   commit=False)
    make_entry(household, kind="income", description=LONG, amount="9876543.21",
               date=today - timedelta(days=40))
    make_transfer(household, checking, savings, amount="1500", date=today, description="Monthly saving")
    db.session.commit()

    page = open_page(PHONE)
    sign_in(page, live_server, user.email)

    page.goto(live_server + "/transactions")
    first_row = page.locator(".ledger-table tbody tr").first
    expect(first_row).to_have_css("display", "grid")
    expect(page.locator(".ledger-table thead")).to_have_css("position", "absolute")
    fits_the_phone(page)
    amounts_on_screen(page)
    page.screenshot(path=screenshot_dir / "50-transactions-phone.png", full_page=True)
    assert_accessible(page, "the Transactions page on a phone")

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/transactions\?after="))
    expect(page.locator(".ledger-table")).to_contain_text("Supercalifragilistic")
    fits_the_phone(page)
    amounts_on_screen(page)
    page.get_by_role("link", name="Previous").click()
    expect(page.locator(".ledger-table")).to_contain_text("Monthly saving")

    page.locator("#kind").select_option("transfer")
    page.locator("#transaction-filters button[type=submit]").click()
    expect(page.locator(".ledger-table tbody tr")).to_have_count(1)
    expect(page.locator(".ledger-table")).to_contain_text("Checking account → Rainy day fund")

    page.goto(live_server + f"/dashboard/{today.year}/{today.month}")
    expect(page.locator(".ledger-table tbody tr").first).to_have_css("display", "grid")
    fits_the_phone(page)
    amounts_on_screen(page)
    page.screenshot(path=screenshot_dir / "51-dashboard-list-phone.png", full_page=True)
    browser_problems.assert_none("transaction cards")

"""A split entry on a 390 px phone, in Portuguese (the widest amounts): the split page's
rows fit the screen and "Add a line" works without JavaScript's help; the month's list
shows the entry once, marked split, with nothing scrolling sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from finora.extensions import db
from finora.services.ledger.splits import SplitLine, split_entry
from tests.e2e.conftest import PHONE
from tests.e2e.full_household import BIG, EMAIL, LONG_DESCRIPTION, create_full_household
from tests.e2e.ledger_helpers import settle, today_in_sao_paulo
from tests.e2e.test_account_page_phone import assert_on_screen, assert_page_fits
from tests.e2e.test_phone_layout import sign_in
from tests.ledger_factories import category, household_of, make_entry

pytestmark = pytest.mark.e2e


@pytest.fixture
def split_bill(live_server, app_factory) -> tuple[str, int]:
    with app_factory().app_context():
        household = household_of(create_full_household())
        bill = make_entry(household, amount=BIG, date=today_in_sao_paulo(), description=LONG_DESCRIPTION,
                          category="expense.food", subcategory=None)
        split_entry(db.session, bill, [
            SplitLine(category(household, "expense.food").id, BIG - Decimal("1000.00"),
                      category(household, "expense.food.groceries").id, LONG_DESCRIPTION[:120]),
            SplitLine(category(household, "expense.housing").id, Decimal("1000.00")),
        ])
        db.session.commit()
        return live_server, bill.id


def test_the_split_page_and_the_marked_row_fit_a_phone(open_page, split_bill, screenshot_dir, browser_problems):
    base, bill_id = split_bill
    page = open_page(PHONE)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/entries/{bill_id}/split")
    settle(page)
    assert_page_fits(page)
    lines = page.locator("fieldset.split-line")
    expect(lines).to_have_count(2)
    page.locator("#add_line").click()
    settle(page)
    expect(lines).to_have_count(3)
    assert_page_fits(page)
    for index in range(3):
        for field in ("category_id", "amount", "note"):
            assert_on_screen(page, page.locator(f"#lines-{index}-{field}"), f"line {index + 1}'s {field}")
    page.screenshot(path=str(screenshot_dir / "split-390.png"), full_page=True)

    page.goto(f"{base}/transactions")
    settle(page)
    assert_page_fits(page)
    row = page.locator(f'tr[data-entry-id="{bill_id}"]')
    expect(row).to_have_count(1)
    assert_on_screen(page, row.locator(".split-marker").first, "the split marker")
    assert_on_screen(page, row.locator(".ledger-amount"), "the split entry's amount")
    page.screenshot(path=str(screenshot_dir / "split-row-390.png"), full_page=True)
    browser_problems.assert_none("on the phone-size split pages")

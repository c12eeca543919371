"""Undo in a real browser on a phone: tick rows on the Transactions page (one by one and with
"tick every row"), delete them from the bulk bar with no dialog, and bring them back with the
message's Undo button; the page never scrolls sideways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.ledger_helpers import sign_in, today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_transaction_cards import fits_the_phone
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry

pytestmark = pytest.mark.e2e


def test_tick_delete_and_undo_on_a_phone(app, live_server, open_page, browser_problems, screenshot_dir):
    user = create_user(email="undo@example.com")
    user.locale = "en"
    db.session.commit()
    household = household_of(user)
    today = today_in_sao_paulo()
    for n, name in enumerate(("Bakery", "Pharmacy", "Cinema")):
        make_entry(household, description=name, amount=Decimal("10.01") + n, date=today)

    page = open_page(PHONE)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, user.email)
    page.goto(live_server + "/transactions")
    rows = page.locator(".ledger-table tbody tr")
    expect(rows).to_have_count(3)
    fits_the_phone(page)

    # "Tick every row" is there with the script, and says how many are ticked.
    page.locator("#select-all").check()
    expect(page.locator("#bulk-status")).to_have_text("Ticked: 3")
    page.locator("#select-all").uncheck()
    expect(page.locator("#bulk-status")).to_have_text("Tick rows to change several at once.")
    page.get_by_label("Tick Bakery").check()
    page.get_by_label("Tick Cinema").check()
    expect(page.locator("#bulk-status")).to_have_text("Ticked: 2")
    page.screenshot(path=screenshot_dir / "80-transactions-ticked-phone.png", full_page=True)

    page.locator("#bulk-delete").click()
    expect(page.locator(".flash-messages")).to_contain_text("2 transactions deleted.")
    expect(rows).to_have_count(1)
    fits_the_phone(page)
    page.screenshot(path=screenshot_dir / "81-deleted-with-undo-phone.png", full_page=True)
    assert_accessible(page, "the Transactions page with an Undo message")

    page.locator(".undo-offer button").click()
    expect(page.locator(".flash-messages")).to_contain_text("Undone: 2 items are back.")
    expect(rows).to_have_count(3)
    expect(page.locator(".ledger-table")).to_contain_text("Cinema")
    assert dialogs == []  # no browser confirm before a delete

    # On a wide screen the boxes are the table's first column.
    page.set_viewport_size(DESKTOP)
    page.get_by_label("Tick Pharmacy").check()
    expect(page.locator("#bulk-status")).to_have_text("Ticked: 1")
    page.screenshot(path=screenshot_dir / "82-transactions-bulk-desktop.png", full_page=True)
    browser_problems.assert_none("undo")

"""An account's page on a 390 px phone: each row of its statement (entries, transfers, a
balance set) is a card whose amount, balance after the row and status lie on screen, with
no sideways scroll of the page nor of the table's box. At 1366 px it stays a table.

The account is the full household's joint account (long names, amounts in the millions),
with a negative balance set on the first of the month and an income not received yet.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account
from finora.services.ledger.snapshots import set_balance
from tests.e2e.conftest import PHONE
from tests.e2e.full_household import BIG, EMAIL, LONG_ACCOUNT, UNBROKEN, create_full_household
from tests.e2e.ledger_helpers import BOX_JS, settle, today_in_sao_paulo
from tests.e2e.test_phone_layout import OVERFLOW_JS, sign_in
from tests.ledger_factories import household_of, make_entry

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
INCOME_TO_COME = "Aluguel a receber do apartamento de praia " + UNBROKEN



@pytest.fixture
def joint_account(live_server, app_factory) -> tuple[str, int]:
    """The live server and the joint account's id, with a balance set and an income to come."""
    with app_factory().app_context():
        user = create_full_household()
        joint = db.session.scalar(select(Account).where(Account.name == LONG_ACCOUNT))
        today = today_in_sao_paulo()
        set_balance(db.session, joint, today.replace(day=1), -BIG)
        db.session.commit()
        make_entry(household_of(user), kind="income", amount=Decimal("7654321.98"), date=today,
                   account=joint, description=INCOME_TO_COME, user=user)
        return live_server, joint.id


def assert_on_screen(page, locator, what: str) -> None:
    """Drawn, inside 0..width, and not inside a box that scrolls sideways."""
    expect(locator).to_be_visible()
    box = locator.evaluate(BOX_JS)
    width = page.viewport_size["width"]
    assert box["width"] > 0 and box["height"] > 0, f"{what} has no size: {box}"
    assert box["left"] >= 0 and box["right"] <= width + 0.5, f"{what} lies at {box}, off a {width} px screen"
    assert box["scroller"] is None, f"{what} sits in a box that scrolls sideways ({box['scroller']})"


def assert_page_fits(page) -> None:
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= 390 and overflow["scrollWidth"] <= overflow["width"], overflow


def test_the_statement_is_cards_on_a_phone(open_page, joint_account, screenshot_dir, browser_problems):
    base, account_id = joint_account
    page = open_page(PHONE)
    sign_in(page, base, EMAIL)  # in Portuguese: the widest amounts (R$ 1.234.567,89)
    page.goto(f"{base}/accounts/{account_id}")
    settle(page)
    assert_page_fits(page)
    box = page.locator(".account-activity")
    assert box.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "the table's box scrolls sideways"
    assert page.locator(".account-statement thead").bounding_box()["height"] <= 1  # for screen readers

    rows = page.locator(".account-statement tbody tr")
    # Salary, the long unpaid expense, the income to come, two transfers and the balance set.
    expect(rows).to_have_count(6)
    for index in range(rows.count()):
        row = rows.nth(index)
        expect(row).to_have_css("display", "grid")
        what = row.locator(".ledger-description").inner_text()[:40]
        assert_on_screen(page, row.locator(".ledger-amount"), f"the amount of {what!r}")
        assert_on_screen(page, row.locator(".account-running"), f"the balance after {what!r}")
        assert_on_screen(page, row.locator(".account-running-label"), f"the balance's label on {what!r}")
        assert_on_screen(page, row.locator(".ledger-status .badge"), f"the status of {what!r}")
        assert_on_screen(page, row.locator(".ledger-description"), f"the description of {what!r}")
        # The balance is below the amount, on a line of its own.
        amount, balance = (row.locator(sel).bounding_box() for sel in (".ledger-amount", ".account-running"))
        assert balance["y"] >= amount["y"] + amount["height"], what

    snapshot = page.locator(".account-statement tr.snapshot-row")
    assert_on_screen(page, snapshot.locator(".account-running .money"), "the balance set")
    income = rows.filter(has_text=INCOME_TO_COME)
    expect(income.locator(".account-running")).not_to_contain_text("não pago")
    expect(income.locator(".account-running")).not_to_contain_text("not paid")
    page.screenshot(path=str(screenshot_dir / "accountpage-390.png"), full_page=True)
    browser_problems.assert_none("on the phone-size account page")


def test_the_statement_stays_a_table_on_a_laptop(open_page, joint_account, screenshot_dir, browser_problems):
    base, account_id = joint_account
    page = open_page(LAPTOP)
    sign_in(page, base, EMAIL)
    page.goto(f"{base}/accounts/{account_id}")
    settle(page)
    expect(page.locator(".account-statement thead th")).to_have_count(5)
    expect(page.locator(".account-statement thead th").last).to_be_visible()
    rows = page.locator(".account-statement tbody tr")
    expect(rows).to_have_count(6)
    for index in range(rows.count()):
        expect(rows.nth(index)).to_have_css("display", "table-row")
        expect(rows.nth(index).locator(".account-running-label")).to_be_hidden()
    assert page.locator(".account-activity").evaluate("(el) => el.scrollWidth <= el.clientWidth")
    # One line per row: the amount and the balance after it side by side.
    first = rows.first
    amount, balance = (first.locator(sel).bounding_box() for sel in (".ledger-amount", ".account-running"))
    assert balance["x"] > amount["x"] and abs(balance["y"] - amount["y"]) < amount["height"]
    page.screenshot(path=str(screenshot_dir / "accountpage-1366.png"), full_page=True)
    browser_problems.assert_none("on the laptop-size account page")

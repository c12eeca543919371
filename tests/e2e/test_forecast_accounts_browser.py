"""The forecast's accounts in a real browser: a new household's forecast page and dashboard card
say "no data yet" (no "critical"), the list of accounts switches one in place and comes back
to the same view, the new-account form's box follows the chosen type, and none of it makes
a 390 px wide phone scroll sideways."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.conftest import PHONE
from tests.e2e.ledger_helpers import sign_in, wait_for_charts
from tests.e2e.test_first_visit import assert_accessible
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account
from tests.planning_factories import make_rule


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] == width[1], width


def test_no_data_then_accounts_switched_in_place(app, live_server, open_page, browser_problems, screenshot_dir):
    user = create_user(email="forecast.accounts@example.com")
    user.locale = "en"
    db.session.commit()
    household = household_of(user)
    page = open_page(PHONE)
    sign_in(page, live_server, user.email)

    page.goto(live_server + "/forecast")
    expect(page.locator("#forecast-status")).to_contain_text("No data yet.")
    expect(page.locator("#card-risk [data-band='none']")).to_be_visible()
    wait_for_charts(page)
    no_sideways_scroll(page)
    page.goto(live_server + "/dashboard")
    expect(page.locator("#forecast-card")).to_contain_text("No data yet.")
    expect(page.locator("#forecast-card .band-badge")).to_have_count(0)

    checking_account(household).opening_balance = Decimal("1500.00")
    db.session.commit()
    savings = make_account(household, name="Rainy day fund for the whole family", kind="savings",
                           opening_balance="20000", include_in_forecast=None)
    make_rule(household, amount=Decimal("400.00"), anchor_date=date.today())
    page.goto(live_server + "/forecast?days=90")
    wait_for_charts(page)
    row = page.locator(f'#forecast-accounts-table [data-account="{savings.id}"]')
    expect(row).to_contain_text("Left out")
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "45-forecast-accounts-phone.png", full_page=True)
    assert_accessible(page, "the forecast page with its accounts")
    row.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/forecast\?days=90#forecast-accounts$"))
    expect(page.locator(f'#forecast-accounts-table [data-account="{savings.id}"]')).to_contain_text("Counted")
    expect(page.locator("#card-current")).to_contain_text("21,500.00")
    browser_problems.assert_none("forecast accounts")


def test_the_new_account_box_follows_the_type_until_touched(app, live_server, page, browser_problems):
    user = create_user(email="account.form@example.com")
    user.locale = "en"
    db.session.commit()
    sign_in(page, live_server, user.email)
    page.goto(live_server + "/accounts/new")
    box = page.locator("#include_in_forecast")
    expect(box).to_be_checked()
    page.locator("#kind").select_option("savings")
    expect(box).not_to_be_checked()
    page.locator("#kind").select_option("cash")
    expect(box).to_be_checked()
    page.locator("#kind").select_option("investment")
    box.check()  # the person's own choice now wins
    page.locator("#kind").select_option("credit_card")
    expect(box).to_be_checked()
    browser_problems.assert_none("account form")

"""The net worth page in a browser: the chart draws, nothing scrolls sideways at 390 px (the
months become cards), axe finds nothing serious, and the empty state says why. Screenshots
at 1366 and 390 px under tests/e2e/screenshots/net-worth (ignored by git)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE, SCREENSHOTS
from tests.e2e.ledger_helpers import wait_for_charts
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_phone_layout import OVERFLOW_JS, sign_in

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
SHOTS = SCREENSHOTS / "net-worth"
EMAIL = "net.worth@example.com"
EMPTY_EMAIL = "no.accounts@example.com"


@pytest.fixture
def server(live_server, app_factory) -> str:
    from finora.extensions import db
    from finora.models import Account
    from tests.factories import create_user
    from tests.ledger_factories import household_of
    from tests.net_worth_data import fill_net_worth

    with app_factory().app_context():
        fill_net_worth(household_of(create_user(email=EMAIL, locale="pt")))
        empty = household_of(create_user(email=EMPTY_EMAIL, locale="pt"))
        for account in db.session.scalars(select(Account).where(Account.household_id == empty.id)):
            db.session.delete(account)
        db.session.commit()
    return live_server


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("name", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_the_page_fits_and_draws(open_page, server, browser_problems, name, viewport):
    page = open_page(viewport)
    sign_in(page, server, EMAIL)
    page.goto(server + "/reports/net-worth?from=2025-12&to=2026-06")
    wait_for_charts(page)
    expect(page.locator("#report-net-worth tbody tr")).to_have_count(6)
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["width"], overflow
    shoot(page, name)
    assert_accessible(page, f"net worth ({name})")
    browser_problems.assert_none()


def test_the_empty_state(open_page, server, browser_problems):
    page = open_page(PHONE)
    sign_in(page, server, EMPTY_EMAIL)
    page.goto(server + "/reports/net-worth")
    expect(page.locator("#report-empty")).to_be_visible()
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["width"], overflow
    shoot(page, "empty-phone")
    browser_problems.assert_none()

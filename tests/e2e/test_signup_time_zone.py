"""The sign-up form suggests the browser's time zone, also when the browser reports it by
an old name the list offers under its current one (Chromium says "Asia/Calcutta")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CSP_LISTENER, DESKTOP


@pytest.mark.parametrize("zone", ["Asia/Kolkata", "America/Argentina/Buenos_Aires", "Europe/Lisbon"])
def test_the_browsers_zone_is_suggested(browser, browser_problems, live_server, zone):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id=zone)
    try:
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        browser_problems.watch(page)
        page.goto(live_server + "/signup")
        reported = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        expect(page.locator("#timezone")).to_have_value(zone)
        if zone == "Asia/Kolkata":
            assert reported == "Asia/Calcutta"  # what makes the alias map needed
        browser_problems.assert_none("on the sign-up page")
    finally:
        context.close()

"""The admin area and the activity trails in a real browser: approve and deny sign-ups
(the deny asks first), switch the registration mode, save SMTP settings, read the system
status, and the owner's household trail; every page checked with axe and photographed."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from finora.extensions import db
from finora.models import User
from tests.e2e.test_first_visit import assert_accessible
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of, make_entry


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_admin_approves_denies_and_configures(app, live_server, open_page, screenshot_dir, browser_problems):
    admin = create_user(name="Alice Admin", email="alice@example.com")
    create_user(status="pending", name="Paulo Pending", email="paulo@example.com")
    create_user(status="pending", name="Dario Denied", email="dario@example.com")
    make_entry(household_of(admin), description="Padaria", amount="18.90")
    base = live_server
    page = open_page()
    _sign_in(page, base, admin.email)

    page.goto(base + "/admin/users?status=pending")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    assert_accessible(page, "admin users")
    page.screenshot(path=str(screenshot_dir / "admin-01-users.png"), full_page=True)

    row = page.locator("tr", has_text="paulo@example.com")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_contain_text("paulo@example.com can now sign in.")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="dario@example.com").get_by_role("button", name="Deny").click()
    expect(page.locator(".alert-success")).to_contain_text("was denied and deleted")
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "dario@example.com")) is None
    assert db.session.scalar(select(User.status).where(User.email == "paulo@example.com")) == "active"

    page.goto(base + "/admin/settings")
    browser_problems.assert_none("before the refused retention")
    page.locator("#registration_mode").select_option("closed")
    page.locator("#retention_days").fill("10")
    page.locator('main form button[type="submit"]').click()
    expect(page.locator("#retention_days-error")).to_be_visible()
    expect(page.locator("#retention_days")).to_have_value("10")
    # The 422 of that refused form is expected; anything after it is not.
    browser_problems.console_errors.clear()
    browser_problems.failed_requests.clear()
    page.locator("#retention_days").fill("180")
    page.locator('main form button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_contain_text("Settings saved.")
    assert_accessible(page, "admin settings")
    page.screenshot(path=str(screenshot_dir / "admin-02-settings.png"), full_page=True)

    page.goto(base + "/admin/mail")
    page.locator("#host").fill("smtp.example.org")
    page.locator("#security").select_option("ssl")
    page.locator("#username").fill("finora")
    page.locator("#password").fill("app-password-1")
    page.locator('main form button[type="submit"]').first.click()
    expect(page.locator("#password-stored")).to_be_visible()
    expect(page.locator("#password")).to_have_value("")
    assert_accessible(page, "admin mail")
    page.screenshot(path=str(screenshot_dir / "admin-03-mail.png"), full_page=True)

    page.goto(base + "/admin/status")
    expect(page.locator("#migrations")).to_contain_text("Up to date")
    expect(page.locator("#disk")).to_contain_text("GB free")
    assert_accessible(page, "admin status")
    page.screenshot(path=str(screenshot_dir / "admin-04-status.png"), full_page=True)

    page.goto(base + "/household/activity")
    expect(page.locator("tr.activity-event", has_text="Padaria")).to_contain_text("Entry created")
    assert_accessible(page, "household activity")
    page.screenshot(path=str(screenshot_dir / "admin-05-household-activity.png"), full_page=True)

    page.goto(base + "/profile/activity")
    expect(page.locator("#activity")).to_contain_text("Registration mode changed")
    expect(page.locator("#activity")).to_contain_text("Sign-up denied")
    assert_accessible(page, "profile activity")
    page.screenshot(path=str(screenshot_dir / "admin-06-profile-activity.png"), full_page=True)
    browser_problems.assert_none("admin area")

    # Closed: the sign-up form is refused to a visitor.
    visitor = open_page()
    response = visitor.goto(base + "/signup")
    assert response.status == 403

"""Two-factor sign-in in a real browser (Chromium).

A new user signs up and is shown the recovery key once (and downloads it), turns on
two-factor from the profile with a code computed by pyotp from the manual key shown on the
page, keeps the backup codes, signs out, and signs back in with the password and a fresh
pyotp code. Elements are found by id: the page is in Portuguese.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.test_first_visit import assert_accessible, open_user_menu, sign_out_button
from tests.e2e.test_ledger import EMAIL, PASSWORD, sign_up

pytestmark = pytest.mark.e2e

KEY = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$")


def test_enable_two_factor_and_sign_in_with_a_code(
    page, live_server, screenshot_dir, browser_problems, tmp_path
):
    base = live_server

    # Sign-up ends on the recovery key, shown once, downloadable.
    sign_up(page, base, past_recovery_key=False)
    expect(page).to_have_url(base + "/signup/recovery-key")
    key = page.locator("#recovery-key").inner_text().strip()
    assert KEY.match(key), key
    with page.expect_download() as info:
        page.locator("#recovery-key-download").click()
    saved = tmp_path / "key.txt"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "finora-recovery-key.txt"
    assert key in saved.read_text(encoding="utf-8") and EMAIL in saved.read_text(encoding="utf-8")
    assert_accessible(page, "the recovery key page")
    page.screenshot(path=screenshot_dir / "two-factor-01-recovery-key.png", full_page=True)
    page.locator("#recovery-key-continue").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard"))
    page.goto(base + "/signup/recovery-key")  # never shown again
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard"))

    # Profile: start the set-up, read the manual key, confirm with a pyotp code.
    page.goto(base + "/profile/two-factor")
    page.locator("#two-factor-start").click()
    qr = page.locator("#totp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.getElementById('totp-qr').naturalWidth") > 0  # the SVG drew
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert_accessible(page, "the two-factor set-up")
    page.screenshot(path=screenshot_dir / "two-factor-02-set-up.png", full_page=True)
    totp = pyotp.TOTP(secret)
    page.locator("#code").fill(totp.now())
    page.locator("#confirm-two-factor-form button[type=submit]").click()
    codes = page.locator("#backup-codes li")
    expect(codes).to_have_count(10)
    expect(page.locator("#backup-codes-download")).to_be_visible()
    page.screenshot(path=screenshot_dir / "two-factor-03-backup-codes.png", full_page=True)
    page.locator("#backup-codes-done").click()
    expect(page.locator("#two-factor-status .badge")).to_have_class(re.compile("text-bg-success"))

    # Signed out, the password alone is not enough: the code step follows.
    open_user_menu(page)
    sign_out_button(page).click()
    expect(page).to_have_url(base + "/")
    page.goto(base + "/login")
    expect(page.locator("#forgot-password-link")).to_be_visible()
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form:has(#password) button[type="submit"]').click()
    expect(page).to_have_url(base + "/login/two-factor")
    expect(page.locator("#code")).to_be_focused()
    page.screenshot(path=screenshot_dir / "two-factor-04-code-step.png", full_page=True)

    # The code used for the set-up is spent; the next step's code is fresh (±1 step).
    page.locator("#code").fill(totp.at(time.time() + totp.interval))
    page.locator("#two-factor-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard"))
    expect(sign_out_button(page)).to_have_count(1)
    page.screenshot(path=screenshot_dir / "two-factor-05-signed-in.png", full_page=True)
    browser_problems.assert_none("while setting up two-factor and signing in with it")

"""Passkeys in a real browser: Chromium's virtual authenticator (the CDP WebAuthn domain).

A new user signs up, adds a passkey on the profile page, signs out, signs back in with the
passkey alone (no e-mail, no password typed) and removes it; the removed passkey then no
longer signs anyone in. WebAuthn needs a domain for the relying party (an IP address is
refused), so this test browses to http://localhost:<port> with WEBAUTHN_RP_ID=localhost.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from finora.extensions import db
from finora.models import AuditEvent
from finora.models.security import Passkey
from tests.e2e.test_first_visit import assert_accessible, open_user_menu, sign_out_button
from tests.e2e.test_ledger import EMAIL, PASSWORD, sign_up

pytestmark = pytest.mark.e2e

PASSKEY_NAME = "Notebook do Bruno"
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@pytest.fixture
def localhost_server(app_factory) -> Iterator[tuple[str, object]]:
    """Finora on a free port, reached as http://localhost:<port>, the relying party."""
    application = app_factory(REGISTRATION_MODE="open", WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    base = f"http://localhost:{server.server_port}"
    application.config.update(WEBAUTHN_RP_ID="localhost", WEBAUTHN_ORIGIN=base, APP_BASE_URL=base)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="finora-passkeys", daemon=True)
    thread.start()
    try:
        yield base, application
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def add_virtual_authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return cdp, added["authenticatorId"]


def sign_out(page, base: str) -> None:
    open_user_menu(page)
    sign_out_button(page).click()
    expect(page).to_have_url(base + "/")


def expect_only_refused(problems, request: str) -> None:
    """The one refusal the test provoked (and the console line the browser logs for it)."""
    assert problems.failed_requests == [request]
    assert len(problems.console_errors) == 1 and "Failed to load resource" in problems.console_errors[0]
    assert problems.page_errors == []
    problems.failed_requests.clear()
    problems.console_errors.clear()


def open_passkeys_page(page, base: str) -> None:
    """The profile's passkeys page, signing in with the password if sign-up did not."""
    page.goto(base + "/profile/passkeys")
    if "/login" in page.url:
        page.locator("#email").fill(EMAIL)
        page.locator("#password").fill(PASSWORD)
        page.locator('form:has(#password) button[type="submit"]').click()
    expect(page).to_have_url(base + "/profile/passkeys")


def stored(application, model, *where):
    with application.app_context():
        rows = list(db.session.scalars(select(model).where(*where)))
        db.session.remove()
        return rows


def test_register_a_passkey_and_sign_in_with_it(
    page, localhost_server, screenshot_dir, browser_problems
):
    base, application = localhost_server
    cdp, authenticator_id = add_virtual_authenticator(page)
    sign_up(page, base)

    # Add a passkey from the profile: a name, the current password, one click.
    open_passkeys_page(page, base)
    expect(page.locator("#passkey-empty")).to_be_visible()
    page.locator("#name").fill(PASSKEY_NAME)
    page.locator("#password").fill("not my password")
    page.locator("#passkey-add-button").click()
    expect(page.locator("#password-error")).to_be_visible()  # refused before any ceremony
    expect(page.locator("#name")).to_have_value(PASSKEY_NAME)  # what was typed stays
    page.screenshot(path=screenshot_dir / "passkeys-01-wrong-password.png", full_page=True)
    expect_only_refused(browser_problems, f"POST {base}/passkeys/register/options: HTTP 422")

    page.locator("#password").fill(PASSWORD)
    page.locator("#passkey-add-button").click()
    row = page.locator(".passkey-row")
    expect(row).to_have_count(1)
    expect(row.locator(".passkey-name")).to_have_text(PASSKEY_NAME)
    expect(page.locator(".alert-success")).to_contain_text(PASSKEY_NAME)
    assert_accessible(page, "the passkeys page")
    page.screenshot(path=screenshot_dir / "passkeys-02-added.png", full_page=True)

    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    credential = credentials["credentials"][0]
    assert credential["isResidentCredential"] is True and credential["rpId"] == "localhost"
    (passkey,) = stored(application, Passkey)
    assert passkey.name == PASSKEY_NAME and "internal" in passkey.transport_list

    # Signed out, the passkey alone signs the user back in.
    sign_out(page, base)
    page.goto(base + "/login")
    button = page.locator("#passkey-sign-in-button")
    expect(button).to_be_visible()
    page.screenshot(path=screenshot_dir / "passkeys-03-sign-in.png", full_page=True)
    button.click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard"))
    expect(sign_out_button(page)).to_have_count(1)
    assert page.locator("#password").count() == 0
    page.screenshot(path=screenshot_dir / "passkeys-04-signed-in.png", full_page=True)
    events = stored(application, AuditEvent, AuditEvent.action == "auth.signed_in")
    assert [e.details for e in events][-1] == {"method": "passkey"}
    (passkey,) = stored(application, Passkey)
    assert passkey.last_used_at is not None

    # Remove it (after confirming in the browser's dialog).
    page.goto(base + "/profile/passkeys")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".passkey-row form button[type=submit]").click()
    expect(page.locator("#passkey-empty")).to_be_visible()
    expect(page.locator(".passkey-row")).to_have_count(0)
    assert stored(application, Passkey) == []
    actions = [e.action for e in stored(application, AuditEvent)]
    assert "passkey.added" in actions and "passkey.removed" in actions
    browser_problems.assert_none("while adding, using and removing a passkey")

    # The authenticator still holds the credential, but Finora no longer knows it.
    sign_out(page, base)
    page.goto(base + "/login")
    page.locator("#passkey-sign-in-button").click()
    error = page.locator("#passkey-sign-in-error")
    expect(error).to_be_visible()
    expect(page).to_have_url(base + "/login")
    page.screenshot(path=screenshot_dir / "passkeys-05-removed-refused.png", full_page=True)
    expect_only_refused(browser_problems, f"POST {base}/passkeys/sign-in/verify: HTTP 400")
    failed = stored(application, AuditEvent, AuditEvent.action == "auth.sign_in_failed")
    # The wrong current password typed when adding the passkey counted too (it is a
    # password guess like a sign-in's); then the removed passkey's refusal.
    assert [e.details.get("reason") or e.details.get("method") for e in failed] == [
        "current_password", "passkey"
    ]

"""Members in a real browser: the owner invites a viewer by e-mail (a real SMTP server on
loopback), the guest follows the mailed link in a second browser context, sets a password
and sees the household's dashboard read-only: no write buttons, and write pages refused."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from finora.extensions import db
from finora.models import User
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.ledger_helpers import today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import EMAIL, HOUSEHOLD, sign_up
from tests.e2e.test_ledger import PASSWORD as OWNER_PASSWORD
from tests.ledger_factories import household_of, make_entry
from tests.members_factories import link_in

GUEST_EMAIL = "avo.lima@example.com"
GUEST_NAME = "Vó Lima"
GUEST_PASSWORD = "jasmine-harbour-7731"


@pytest.fixture
def mailing_server(app_factory, smtp_server):
    """A live Finora whose links point at itself and whose mail goes to `smtp_server`."""
    application = app_factory(
        REGISTRATION_MODE="open",
        WTF_CSRF_ENABLED=True,
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        MAIL_SECURITY="none",
    )
    server = make_server("127.0.0.1", 0, application, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    application.config["APP_BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="finora-members", daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _write_controls(page):
    """Links to write pages and forms that post, inside the page's own content."""
    return page.locator(
        "main a[href*='/new'], main a[href*='/edit'], main a[href*='/duplicate'], "
        "main form[method='post']"
    )


def test_invite_a_viewer_who_sees_a_read_only_dashboard(
    app, open_page, mailing_server, smtp_server, screenshot_dir, browser_problems
):
    base = mailing_server
    owner_page = open_page(DESKTOP)
    sign_up(owner_page, base)
    owner_page.goto(base + "/dashboard")
    if "/login" in owner_page.url:  # sign-up may stop at its own page (a recovery key)
        owner_page.locator("#email").fill(EMAIL)
        owner_page.locator("#password").fill(OWNER_PASSWORD)
        owner_page.locator('main form button[type="submit"]').first.click()
        expect(owner_page).to_have_url(re.compile(r"/dashboard"))
    owner = db.session.scalar(select(User).where(User.email == EMAIL))
    today = today_in_sao_paulo()
    make_entry(household_of(owner), description="Supermercado", amount="230.40", date=today)

    # The owner sees the write buttons on the dashboard.
    owner_page.goto(base + "/dashboard")
    expect(_write_controls(owner_page).first).to_be_attached()
    expect(owner_page.locator("#view-only")).to_have_count(0)

    owner_page.goto(base + "/household/members")
    owner_page.locator("#email").fill(GUEST_EMAIL)
    owner_page.locator("#role").select_option("viewer")
    owner_page.locator('#invite-form button[type="submit"]').click()
    expect(owner_page.locator("#invitations")).to_contain_text(GUEST_EMAIL)
    assert_accessible(owner_page, "members page")
    owner_page.screenshot(path=str(screenshot_dir / "members-01-invited.png"), full_page=True)

    mail = smtp_server.last()
    assert mail["To"] == GUEST_EMAIL
    link = link_in(mail.get_content())
    assert link.startswith(base + "/invitations/")

    guest_page = open_page(PHONE)  # a second context: the guest's own phone
    guest_page.goto(link)
    expect(guest_page.locator("#invitation h1")).to_contain_text(HOUSEHOLD)
    assert_accessible(guest_page, "invitation page")
    guest_page.screenshot(path=str(screenshot_dir / "members-02-accept.png"), full_page=True)
    guest_page.locator("#name").fill(GUEST_NAME)
    guest_page.locator("#password").fill(GUEST_PASSWORD)
    guest_page.locator("#confirm").fill(GUEST_PASSWORD)
    guest_page.locator('#accept-form button[type="submit"]').click()
    # A new account first sees its recovery key, once, as after a sign-up.
    expect(guest_page).to_have_url(re.compile(re.escape(base) + r"/signup/recovery-key"))
    guest_page.locator("#recovery-key-continue").click()

    expect(guest_page).to_have_url(re.compile(re.escape(base) + r"/dashboard/\d{4}/\d{1,2}"))
    expect(guest_page.locator("tr.entry-row")).to_have_count(1)
    expect(guest_page.locator("tr.entry-row")).to_contain_text("Supermercado")
    expect(_write_controls(guest_page)).to_have_count(0)
    expect(guest_page.locator("#view-only")).to_be_visible()
    guest_page.set_viewport_size(DESKTOP)
    guest_page.screenshot(path=str(screenshot_dir / "members-03-viewer-dashboard.png"), full_page=True)

    for path in ("/goals", "/budgets", "/forecast", "/accounts"):
        guest_page.goto(base + path)
        expect(_write_controls(guest_page), path).to_have_count(0)
    browser_problems.assert_none("before the refused page")

    response = guest_page.goto(base + "/entries/new")
    assert response.status == 403
    guest_page.screenshot(path=str(screenshot_dir / "members-04-viewer-refused.png"))

    owner_page.goto(base + "/household/members")
    expect(owner_page.locator("#members")).to_contain_text(GUEST_NAME)
    expect(owner_page.locator("#invitations")).to_have_count(0)
    owner_page.screenshot(path=str(screenshot_dir / "members-05-joined.png"), full_page=True)

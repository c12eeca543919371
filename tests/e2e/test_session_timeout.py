"""The inactivity warning in a real browser: a user with a 5-minute timeout is warned a
minute before, "Stay signed in" keeps them in (in every tab), and on expiry the page goes
to sign-in saying why. The browser's clock is Playwright's fake clock; the server's idea
of the last activity is moved back in the database where the test needs the server to agree.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from finora.extensions import db
from finora.models import UserSession
from tests.factories import PASSWORD, create_user

pytestmark = pytest.mark.e2e


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/dashboard"))


def _warning(page):
    return page.locator("#session-timeout")


def _settle(tab, visible: bool) -> None:
    """Let the fake clock run until the warning is shown or hidden: Bootstrap finishes its
    fade with a timer, which only the fake clock fires (a background tab has no transitions)."""
    for _ in range(40):
        if _warning(tab).is_visible() == visible:
            break
        tab.clock.run_for(250)
        time.sleep(0.05)
    if visible:
        expect(_warning(tab)).to_be_visible()
    else:
        expect(_warning(tab)).to_be_hidden()


def _live_session(app):
    with app.app_context():
        return db.session.scalar(select(UserSession).where(UserSession.revoked_at.is_(None)))


def test_warning_stay_signed_in_across_tabs_and_expiry(
    live_server, app_factory, open_page, browser_problems, screenshot_dir
):
    app = app_factory()
    with app.app_context():
        user = create_user(name="Timeout Tester")
        user.session_timeout_minutes = 5
        db.session.commit()
        email = user.email

    first = open_page()
    first.context.clock.install()
    _sign_in(first, live_server, email)
    first.goto(f"{live_server}/profile")
    second = first.context.new_page()
    browser_problems.watch(second)
    second.goto(f"{live_server}/profile/sessions")
    expect(second.locator("#sessions tbody tr")).to_have_count(1)
    expect(second.locator("#sessions")).to_contain_text("Chrome on Linux")
    second.screenshot(path=str(screenshot_dir / "profile-sessions.png"))
    expect(_warning(first)).to_be_hidden()

    # Four minutes without a request: both tabs warn, one minute ahead.
    first.clock.fast_forward("04:02")
    for tab in (first, second):
        _settle(tab, visible=True)
        expect(tab.locator("#session-timeout-text")).to_contain_text("signed out in")
    first.screenshot(path=str(screenshot_dir / "session-timeout-warning.png"))

    seen_before = _live_session(app).last_seen_at
    with second.expect_response(re.compile(r"/profile/session-timeout/keep-alive")) as answer:
        second.locator("#session-timeout-stay").click()
    assert answer.value.status == 200 and answer.value.json()["seconds_left"] == 300
    for tab in (first, second):  # the other tab heard of it too
        _settle(tab, visible=False)
    assert _live_session(app).last_seen_at > seen_before
    first.screenshot(path=str(screenshot_dir / "session-timeout-stayed.png"))

    # Still signed in: the server counts five minutes from the button.
    first.clock.fast_forward("03:30")
    first.clock.run_for(1000)
    expect(_warning(first)).to_be_hidden()
    first.clock.fast_forward("00:40")
    _settle(first, visible=True)

    # Nobody answers: the server's five minutes pass, and the page goes to sign-in.
    with app.app_context():
        record = db.session.scalar(select(UserSession).where(UserSession.revoked_at.is_(None)))
        record.last_seen_at = record.last_seen_at - timedelta(minutes=10)
        db.session.commit()
    first.clock.fast_forward("01:10")
    first.clock.run_for(1000)
    for tab in (first, second):
        tab.wait_for_url(re.compile(r"/login\?next="))
        tab.wait_for_load_state()
    # Both tabs went; whichever reached the server first carries the reason.
    told = [tab for tab in (first, second)
            if "signed out after 5 minutes of inactivity" in tab.locator("main").inner_text()]
    assert told, "no tab said why the session ended"
    told[0].screenshot(path=str(screenshot_dir / "session-timeout-expired.png"))
    with app.app_context():
        assert db.session.scalar(
            select(UserSession).where(UserSession.revoked_at.is_(None))
        ) is None
    browser_problems.assert_none("during the session-timeout flow")

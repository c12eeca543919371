"""A new visitor's first visit, in a real browser: welcome, sign-up, languages, theme, sign-in.

Form fields and translated buttons are found by id, name or href, not by their text, because
the catalogues change often; the texts themselves are asserted where the language matters.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e

NAME = "Ana Souza"
EMAIL = "ana.souza@example.com"
PASSWORD = "lilac-harbour-7391"
HOUSEHOLD = "Família Souza"

SIGN_OUT = {"pt": "Sair", "en": "Sign out", "es": "Cerrar sesión"}
BLOCKING_IMPACTS = ("critical", "serious")


def _axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page, where: str) -> None:
    """axe-core finds nothing critical or serious; everything it finds is printed."""
    violations = Axe().run(page).response["violations"]
    if violations:
        print(f"\naxe on {where} ({page.url}):\n{_axe_report(violations)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe found {len(blocking)} critical/serious violation(s) on {where} ({page.url}):\n"
        f"{_axe_report(blocking)}"
    )


def expect_language(page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)


def sign_out_button(page):
    return page.locator('form[action="/logout"] button[type="submit"]')


def open_user_menu(page) -> None:
    """Open the user menu and wait until its sign-out button shows.

    A click that lands before Bootstrap's script has run (the page just navigated) opens
    nothing, so wait for the page's scripts and toggle again if the menu stayed shut.
    """
    page.wait_for_load_state("load")
    button = sign_out_button(page)
    for _ in range(3):
        page.locator("#user-menu").click()
        try:
            expect(button).to_be_visible(timeout=2000)
            return
        except AssertionError:
            continue
    expect(button).to_be_visible()


def check_translated(page, code: str, untranslated: list[str]) -> None:
    """The sign-out button reads in `code`; a mismatch is collected, not raised at once.

    The catalogues are translated separately from the code, so a missing translation is
    reported at the end of the test instead of hiding whatever the rest of the visit finds.
    """
    button = sign_out_button(page)  # in the user menu: present, shown when the menu opens
    expect(button).to_have_count(1)
    text = " ".join((button.text_content() or "").split())
    if text != SIGN_OUT[code]:
        untranslated.append(
            f"{code} on {page.url}: the sign-out button reads {text!r}, expected {SIGN_OUT[code]!r}"
        )


def pick_language(page, code: str) -> None:
    page.locator("#language-menu").click()
    choice = page.locator(f'button[name="locale"][value="{code}"]')
    expect(choice).to_be_visible()
    choice.click()
    page.wait_for_load_state("load")
    expect_language(page, code)


def test_first_visit(page, live_server, screenshot_dir, browser_problems):
    untranslated: list[str] = []

    # The welcome page, in Portuguese because the browser asks for pt-BR.
    page.goto(live_server + "/")
    expect_language(page, "pt")
    expect(page.locator("#welcome-title")).to_be_visible()
    page.screenshot(path=screenshot_dir / "01-welcome-pt.png", full_page=True)
    assert_accessible(page, "the welcome page")

    # The call to action opens the sign-up form; its defaults follow the language.
    page.locator('main a[href="/signup"]').click()
    expect(page).to_have_url(live_server + "/signup")
    expect(page.locator("#signup-form")).to_be_visible()
    expect(page.locator("#locale")).to_have_value("pt")
    expect(page.locator("#currency")).to_have_value("BRL")
    page.screenshot(path=screenshot_dir / "02-signup-pt.png", full_page=True)
    assert_accessible(page, "the sign-up page")

    page.locator("#name").fill(NAME)
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.locator("#household_name").fill(HOUSEHOLD)
    page.locator('#signup-form button[type="submit"]').click()

    # The recovery key, shown once, then this month's dashboard.
    expect(page).to_have_url(live_server + "/signup/recovery-key")
    expect(page.locator("#recovery-key")).to_be_visible()
    assert_accessible(page, "the recovery key page")
    page.locator("#recovery-key-continue").click()

    # Signed in on this month's dashboard; the navbar names the household.
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/dashboard/\d{4}/\d{1,2}$"))
    expect(page.locator(".household-name")).to_have_text(HOUSEHOLD)
    expect_language(page, "pt")
    check_translated(page, "pt", untranslated)
    page.screenshot(path=screenshot_dir / "03-dashboard-pt.png", full_page=True)
    assert_accessible(page, "the dashboard")
    browser_problems.assert_none("before switching languages")

    # English, then Spanish, from the language menu.
    pick_language(page, "en")
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/dashboard/\d{4}/\d{1,2}$"))
    expect(sign_out_button(page)).to_have_text(SIGN_OUT["en"])
    check_translated(page, "en", untranslated)
    page.screenshot(path=screenshot_dir / "04-dashboard-en.png", full_page=True)

    pick_language(page, "es")
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/dashboard/\d{4}/\d{1,2}$"))
    check_translated(page, "es", untranslated)
    page.screenshot(path=screenshot_dir / "05-dashboard-es.png", full_page=True)

    # Sign out from the user menu and land on the welcome page, still in the language
    # just chosen.
    open_user_menu(page)
    sign_out_button(page).click()
    expect(page).to_have_url(live_server + "/")
    expect(page.locator("#welcome-title")).to_be_visible()
    expect(sign_out_button(page)).to_have_count(0)
    expect_language(page, "es")
    page.screenshot(path=screenshot_dir / "06-welcome-after-sign-out.png", full_page=True)

    # Sign in again: the user's stored language (Spanish) comes back with the session.
    page.locator('main a[href="/login"]').click()
    expect(page).to_have_url(live_server + "/login")
    page.screenshot(path=screenshot_dir / "07-sign-in.png", full_page=True)
    assert_accessible(page, "the sign-in page")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/dashboard/\d{4}/\d{1,2}$"))
    expect(page.locator(".household-name")).to_have_text(HOUSEHOLD)
    expect_language(page, "es")
    check_translated(page, "es", untranslated)
    page.screenshot(path=screenshot_dir / "08-dashboard-es-after-sign-in.png", full_page=True)

    # Dark mode from the theme toggle. The toggle cycles light -> dark -> system, so from
    # "system" (light here) it takes two clicks to reach dark.
    html = page.locator("html")
    toggle = page.locator("#theme-toggle")
    for _ in range(3):
        if html.get_attribute("data-bs-theme") == "dark":
            break
        toggle.click()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    expect(html).to_have_attribute("data-theme-choice", "dark")
    # Let the colour transitions end, so the screenshot and axe see the final dark colours.
    page.wait_for_function(
        "() => document.getAnimations()"
        ".filter((a) => a instanceof CSSTransition).every((a) => a.playState !== 'running')"
    )
    page.screenshot(path=screenshot_dir / "09-dashboard-dark.png", full_page=True)
    assert_accessible(page, "the dashboard in dark mode")

    # The choice survives a reload (it is kept in localStorage and applied before paint).
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")

    browser_problems.assert_none("during the first visit")
    assert not untranslated, "missing translations:\n" + "\n".join(untranslated)


def test_welcome_on_a_phone(open_page, live_server, screenshot_dir, browser_problems):
    page = open_page(PHONE)
    page.goto(live_server + "/")
    expect_language(page, "pt")

    toggler = page.locator('button.navbar-toggler[aria-controls="main-nav"]')
    menu = page.locator("#main-nav")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    page.screenshot(path=screenshot_dir / "10-phone-welcome-menu-closed.png", full_page=True)

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    # Wait for Bootstrap's collapse animation to end before the screenshot.
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).not_to_have_class(re.compile(r"(^|\s)collapsing(\s|$)"))
    expect(menu.locator('a[href="/signup"]')).to_be_visible()
    expect(menu.locator("#theme-toggle")).to_be_visible()
    page.screenshot(path=screenshot_dir / "11-phone-welcome-menu-open.png", full_page=True)
    assert_accessible(page, "the welcome page on a phone, menu open")

    browser_problems.assert_none("on the phone-size welcome page")

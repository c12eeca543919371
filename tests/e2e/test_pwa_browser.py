"""The installable app in Chromium: the manifest is valid and the worker controls the pages;
with this device's choice on, a page opened before is read offline under the banner and a
page never opened shows the offline page; with the choice off (the default) nothing is kept;
signing out leaves Cache Storage empty. Photographed at 1366 and 390 px in pt and en."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.e2e.test_first_visit import assert_accessible, open_user_menu, sign_out_button
from tests.e2e.test_ledger import sign_up
from tests.e2e.test_phone_layout import choose_language

pytestmark = pytest.mark.e2e

WIDE = {"width": 1366, "height": 900}

CONTROLLED_JS = "() => navigator.serviceWorker.controller !== null"
CACHE_NAMES_JS = "() => caches.keys()"
KEPT_PATHS_JS = """async () => {
  const names = (await caches.keys()).filter((name) => name.startsWith('finora-pages-'));
  const paths = [];
  for (const name of names) {
    for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
  }
  return paths.sort();
}"""
ALL_KEPT_JS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


def wait_for_worker(page) -> None:
    """Wait until the worker is active and controls this page. A page that began loading
    while the worker was still installing stays uncontrolled until it loads again."""
    page.evaluate("() => navigator.serviceWorker.ready")
    if not page.evaluate(CONTROLLED_JS):
        page.reload()
    page.wait_for_function(CONTROLLED_JS)


def check_manifest(page) -> None:
    """Chromium's own parser reads the manifest without an error, with the icons it needs."""
    session = page.context.new_cdp_session(page)
    manifest = session.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == [], manifest["errors"]
    parsed = manifest["manifest"]  # what Chromium understood
    assert parsed["name"] == "Finora" and parsed["display"] == "kStandalone"
    assert parsed["startUrl"].endswith("/dashboard") and parsed["scope"].endswith("/")
    assert [icon["sizes"] for icon in parsed["icons"]] == ["192x192", "512x512", "512x512"]
    purposes = [icon["purpose"] for icon in json.loads(manifest["data"])["icons"]]
    assert purposes == ["any", "any", "maskable"]
    problems = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Only the test's incognito-like context keeps Chromium from offering installation.
    assert {problem["errorId"] for problem in problems} <= {"in-incognito"}, problems
    loaded = page.evaluate("""async (urls) => Promise.all(urls.map((url) => new Promise((done) => {
        const image = new Image(); image.onload = () => done(image.naturalWidth); image.onerror = () => done(0);
        image.src = url; })))""", [icon["url"] for icon in parsed["icons"]])
    assert loaded == [192, 512, 512]
    session.detach()


def go_offline(page) -> None:
    page.context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")


def go_online(page) -> None:
    page.context.set_offline(False)
    page.wait_for_function("() => navigator.onLine === true")


def test_offline_reading_with_the_choice_and_sign_out(open_page, live_server, screenshot_dir, browser_problems):
    base = live_server
    page = open_page(WIDE)
    sign_up(page, base)
    expect(page).to_have_url(re.compile(r"/dashboard/\d{4}/\d{1,2}$"))
    check_manifest(page)
    wait_for_worker(page)

    # The choice starts off on this device.
    page.goto(base + "/profile/device")
    wait_for_worker(page)
    choice = page.locator("#offline-pages-choice")
    expect(choice).not_to_be_checked()
    expect(choice).to_be_enabled()
    page.screenshot(path=str(screenshot_dir / "pwa-device-pt-1366.png"), full_page=True)
    assert_accessible(page, "the profile's This device page")
    choice.check()
    expect(page.locator("#offline-pages-state")).to_contain_text("Ligado")
    page.wait_for_function("async () => (await caches.keys()).some((n) => n.startsWith('finora-pages-'))")

    # Pages opened now are kept (the dashboard also stands in for the app's start page).
    page.goto(base + "/forecast")
    page.goto(base + "/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/\d{4}/\d{1,2}$"))
    month_path = re.sub(r"^https?://[^/]+", "", page.url)
    page.goto(base + "/profile")
    kept = page.evaluate(KEPT_PATHS_JS)
    assert kept == sorted(["/dashboard", month_path, "/forecast"]), kept

    # Offline: the forecast opened before comes back, under the banner...
    go_offline(page)
    page.goto(base + "/forecast")
    expect(page.locator("#offline-banner")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("sem conexão")
    expect(page.locator("main h1").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "pwa-banner-pt-1366.png"))
    # ...the app's start page shows the last dashboard...
    page.goto(base + "/dashboard")
    expect(page.locator("#offline-banner")).to_be_visible()
    assert page.evaluate("() => document.body.hasAttribute('data-offline-page')") is False
    # ...and a page never opened here is the offline page.
    page.goto(base + "/reports/month")
    expect(page.locator("#offline-message h1")).to_have_text("Você está sem conexão")
    expect(page.locator("[data-pwa-retry]")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "pwa-offline-pt-1366.png"), full_page=True)
    assert_accessible(page, "the offline page")
    # The profile is never kept, even when it was opened.
    page.goto(base + "/profile")
    expect(page.locator("#offline-message")).to_be_visible()

    # Back online, the offline page reloads itself into the real page.
    go_online(page)
    page.goto(base + "/reports/month")
    expect(page.locator("#offline-banner")).to_be_hidden()

    # Sign-out deletes everything the worker kept, and the choice.
    open_user_menu(page)
    sign_out_button(page).click()
    page.wait_for_load_state("load")
    expect(page).to_have_url(base + "/")
    page.wait_for_function("async () => (await caches.keys()).length === 0")
    assert page.evaluate(ALL_KEPT_JS) == []
    assert page.evaluate("() => localStorage.getItem('finora-offline-pages')") is None
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    browser_problems.assert_none("with the worker")


def test_nothing_is_kept_with_the_choice_off(open_page, live_server, screenshot_dir, browser_problems):
    base = live_server
    page = open_page(PHONE)
    # Caches an older release left behind: the new worker's activation deletes them.
    page.goto(base + "/login")
    page.evaluate("""async () => {
        await (await caches.open('finora-static-0.0.1-old')).put('/static/js/app.js', new Response('old'));
        await (await caches.open('finora-pages-0.0.1-old')).put('/forecast', new Response('old'));
    }""")
    sign_up(page, base)
    wait_for_worker(page)
    version = page.evaluate("async () => (await (await fetch('/sw.js')).text()).match(/VERSION = \"([^\"]+)\"/)[1]")
    assert page.evaluate(CACHE_NAMES_JS) == [f"finora-static-{version}"]
    page.goto(base + "/forecast")
    page.goto(base + "/profile/device")
    assert page.evaluate(KEPT_PATHS_JS) == []
    assert not any(name.startswith("finora-pages-") for name in page.evaluate(CACHE_NAMES_JS))
    page.screenshot(path=str(screenshot_dir / "pwa-device-pt-390.png"), full_page=True)
    go_offline(page)
    page.goto(base + "/forecast")
    expect(page.locator("#offline-message h1")).to_have_text("Você está sem conexão")
    page.screenshot(path=str(screenshot_dir / "pwa-offline-pt-390.png"), full_page=True)
    go_online(page)
    browser_problems.assert_none("with the choice off")


def test_banner_offline_page_and_choice_in_english_on_a_phone_and_wide(open_page, live_server, screenshot_dir):
    base = live_server
    page = open_page(PHONE)
    sign_up(page, base)
    choose_language(page, "en")
    page.goto(base + "/profile/device")
    wait_for_worker(page)
    page.locator("#offline-pages-choice").check()
    expect(page.locator("#offline-pages-state")).to_contain_text("On:")
    page.screenshot(path=str(screenshot_dir / "pwa-device-en-390.png"), full_page=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(screenshot_dir / "pwa-device-en-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_function("async () => (await caches.keys()).some((n) => n.startsWith('finora-pages-'))")
    page.goto(base + "/forecast")
    # The kept offline page follows the language (the worker fetches it again in English).
    page.wait_for_function("""async () => {
        const kept = await caches.match('/offline');
        return kept && kept.headers.get('Content-Language') === 'en'; }""")

    go_offline(page)
    page.goto(base + "/forecast")
    expect(page.locator("#offline-banner")).to_contain_text("You are offline")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "pwa-banner-en-390.png"))
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(screenshot_dir / "pwa-banner-en-1366.png"))
    page.goto(base + "/reports/year")
    expect(page.locator("#offline-message h1")).to_have_text("You are offline")
    page.screenshot(path=str(screenshot_dir / "pwa-offline-en-1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.locator("#offline-message h1")).to_have_text("You are offline")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "pwa-offline-en-390.png"), full_page=True)
    go_online(page)
    page.goto(base + "/forecast")
    page.set_viewport_size(PHONE)
    page.goto(base + "/profile/device")  # the banner again, in pt at 390, for the record
    choose_language(page, "pt")
    page.goto(base + "/forecast")
    go_offline(page)
    page.goto(base + "/forecast")
    expect(page.locator("#offline-banner")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "pwa-banner-pt-390.png"))
    go_online(page)

    # A session that ended (its cookie gone, as after a timeout): reaching the sign-in page
    # deletes the kept pages.
    assert page.evaluate(KEPT_PATHS_JS) != []
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.wait_for_function("async () => !(await caches.keys()).some((n) => n.startsWith('finora-pages-'))")


def test_install_button_where_chromium_offers_installation(browser, live_server, tmp_path, screenshot_dir):
    """Chromium offers installation only in a real profile (not an incognito-like context)
    and, by default, after some engagement with the site, which the flag skips."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
        args=[*CHROMIUM_ARGS, "--bypass-app-banner-engagement-checks"], locale="pt-BR",
        timezone_id="America/Sao_Paulo", viewport=WIDE, reduced_motion="reduce",
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        sign_up(page, live_server)
        wait_for_worker(page)
        session = context.new_cdp_session(page)
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        footer_button = page.locator("footer [data-pwa-install]")
        expect(footer_button).to_be_visible()
        expect(footer_button).to_have_text(re.compile("Instalar o Finora"))
        footer_button.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / "pwa-install-pt-1366.png"), full_page=True)
        page.goto(live_server + "/profile/device")
        expect(page.locator("main [data-pwa-install]")).to_be_visible()
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(screenshot_dir / "pwa-install-pt-390.png"), full_page=True)
    finally:
        context.close()

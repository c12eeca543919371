"""Browser end-to-end fixtures: a live Finora server and a Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOTS = E2E_DIR / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Turn the browser's CSP reports into console errors too, so a violation is never silent.
# Playwright injects init scripts through the DevTools protocol, so this script is not itself
# subject to the page's Content Security Policy.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " +
                (event.blockedURI || "inline code") + " on " + event.documentURI);
});
"""


def pytest_collection_modifyitems(config, items) -> None:
    """Every test under tests/e2e carries the e2e marker (`-m "not e2e"` skips them; they
    are `make test-e2e`'s own pass, not measured for coverage)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(app_factory) -> Iterator[str]:
    """Finora on a free local port, with open sign-up and real CSRF; yields the base URL."""
    application = app_factory(REGISTRATION_MODE="open", WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="finora-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless. Never downloads a browser."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install Debian's chromium package to run the e2e tests."
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class BrowserProblems:
    """What went wrong in the browser: console errors (CSP included), page errors, requests."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_request_failed(self, request) -> None:
        if "ERR_ABORTED" in (request.failure or ""):
            return  # cancelled because the page navigated on (a favicon, say): not a fault
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            request = response.request
            self.failed_requests.append(f"{request.method} {response.url}: HTTP {response.status}")

    def report(self) -> str:
        lines = []
        for title, entries in (
            ("console errors (CSP violations show up here)", self.console_errors),
            ("uncaught page errors", self.page_errors),
            ("failed requests", self.failed_requests),
        ):
            if entries:
                lines.append(f"{title}:")
                lines.extend(f"  - {entry}" for entry in entries)
        return "\n".join(lines)

    def assert_none(self, when: str = "") -> None:
        report = self.report()
        assert not report, f"browser problems{' ' + when if when else ''}:\n{report}"


@pytest.fixture
def browser_problems() -> BrowserProblems:
    return BrowserProblems()


@pytest.fixture
def open_page(browser, browser_problems) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh context (own cookies and storage), watched for problems.

    The context's locale is pt-BR, so Accept-Language asks for Portuguese.
    """
    contexts = []

    def _open(viewport: dict | None = None):
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            locale="pt-BR",
            timezone_id="America/Sao_Paulo",
            color_scheme="light",
            # No CSS transitions: axe then measures colours as they settle, not halfway
            # through a button's hover fade.
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        browser_problems.watch(page)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A desktop-size page (1280x900) in Portuguese."""
    return open_page(DESKTOP)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS

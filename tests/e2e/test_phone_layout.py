"""Every page fits a phone: no sideways scrolling at 390 px, with a household full of data.

The pages are found the way a person finds them: the links of the navbar (the user menu
included) and of the tab bars (profile sections, household tabs, administration tabs), then
the "new ..." forms those pages link to, the year view and the detail pages of an account
and a goal. A page added to the navigation is covered without touching this test.

Each page must also carry unique element ids (a label or aria reference to a repeated id
points at the wrong element). Dark mode is checked with axe on the pages with the most
outline-danger buttons.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.full_household import (
    EMAIL,
    EMPTY_EMAIL,
    create_empty_household,
    create_full_household,
)
from tests.e2e.ledger_helpers import settle
from tests.e2e.test_first_visit import assert_accessible, expect_language
from tests.e2e.test_ledger import set_theme
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

# Links of the navigation: the navbar (with the user menu) and the tab bars inside pages.
NAV_LINKS = (
    "header nav a[href], main .nav-tabs a[href], main .nav-pills a[href], "
    "main nav .list-group a[href]"
)
# Pages linked from the navigation pages' content: the forms ("new ..."), imports, scenarios
# (any path without an id or a file extension), and one detail page of each kind below.
LINKED_PAGE = re.compile(r"^(/[a-z-]+)+$")
DETAIL_PATHS = {
    "the year view": re.compile(r"^/dashboard/\d{4}$"),
    "an account page": re.compile(r"^/accounts/\d+$"),
    "a goal page": re.compile(r"^/goals/\d+$"),
}
# Must be among the pages visited, or the discovery has gone wrong.
REQUIRED_PATHS = (
    "/entries/new", "/rules/new", "/accounts/new", "/goals/new", "/budgets/new",
    "/transfers/new", "/forecast", "/profile", "/household/members", "/admin/users",
)

LINKS_JS = "(selector) => Array.from(document.querySelectorAll(selector), (a) => a.href)"

# The document's width, and when it is too wide, the innermost elements that stick out
# (ignoring those inside a box that scrolls or clips them on its own).
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const result = {scrollWidth: document.documentElement.scrollWidth, width, culprits: []};
  if (result.scrollWidth <= width) { return result; }
  const clipped = (el) => {
    // An absolutely placed element escapes a scroller that is not its containing block.
    if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) { return false; }
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  const sticksOut = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 0.5;
  };
  const describe = (el) => {
    const classes = Array.from(el.classList).slice(0, 3).map((c) => '.' + c).join('');
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    const box = el.getBoundingClientRect();
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes}> ` +
           `${Math.round(box.left)}..${Math.round(box.right)} "${text}"`;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!sticksOut(el) || clipped(el)) { continue; }
    const scrolls = getComputedStyle(el).overflowX !== 'visible';
    if (!scrolls && Array.from(el.children).some(sticksOut)) { continue; }
    result.culprits.push(describe(el));
    if (result.culprits.length >= 6) { break; }
  }
  return result;
}"""

DUPLICATE_IDS_JS = """() => {
  const counts = {};
  for (const el of document.querySelectorAll('[id]')) { counts[el.id] = (counts[el.id] || 0) + 1; }
  return Object.entries(counts).filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n}x)`);
}"""


@pytest.fixture
def households(live_server, app_factory) -> str:
    """The live server, with a household full of data and an empty one in its database."""
    with app_factory().app_context():
        create_full_household()
        create_empty_household()
    return live_server


def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/dashboard/\d{4}/\d{1,2}$"))
    # The URL changes when the dashboard's response arrives, before its scripts have run:
    # a click on the navbar toggler before Bootstrap is loaded would do nothing.
    page.wait_for_load_state("load")


def choose_language(page, code: str) -> None:
    """Post the language menu's choice (the menu itself is folded away on a phone)."""
    # Wait for the new page itself: the one before it has long been loaded, and the new one
    # shows its language before its scripts have run.
    with page.expect_navigation(wait_until="load"):
        page.locator(f'button[name="locale"][value="{code}"]').evaluate("(b) => b.form.requestSubmit(b)")
    expect_language(page, code)


def _paths(page, base: str, selector: str) -> list[str]:
    """The same-site paths (with their query) the matching links point to, in page order."""
    found = []
    for href in page.evaluate(LINKS_JS, selector):
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or parts.path.startswith("/static/"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in found:
            found.append(path)
    return found


class LayoutCheck:
    """Visits pages and collects what does not fit, instead of stopping at the first one."""

    def __init__(self, page, base: str, label: str, shots) -> None:
        self.page, self.base, self.label, self.shots = page, base, label, shots
        self.visited: dict[str, str] = {}  # path without query -> what the page is
        self.problems: list[str] = []

    def visit(self, path: str, what: str) -> None:
        key = path.split("?")[0]
        if key in self.visited:
            return
        self.visited[key] = what
        response = self.page.goto(self.base + path)
        name = f"{self.label} {what} ({path})"
        if response is None or response.status >= 400:
            self.problems.append(f"{name}: HTTP {response.status if response else '?'}")
            return
        if self.page.locator(".chart[data-figure]").count():
            self.page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.chart[data-figure]'))"
                ".every((chart) => chart.querySelector('.main-svg'))"
            )
        settle(self.page)
        overflow = self.page.evaluate(OVERFLOW_JS)
        if overflow["scrollWidth"] > overflow["width"]:
            self.problems.append(
                f"{name}: the page is {overflow['scrollWidth']} px wide on a "
                f"{overflow['width']} px screen; sticking out: "
                + "; ".join(overflow["culprits"] or ["?"])
            )
        duplicates = self.page.evaluate(DUPLICATE_IDS_JS)
        if duplicates:
            self.problems.append(f"{name}: repeated element ids: {', '.join(duplicates)}")
        if self.shots is not None:
            slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "home"
            self.page.screenshot(path=self.shots / f"{self.label}-{slug}.png", full_page=True)

    def crawl(self, start: str) -> None:
        """Every page of the navigation, then the forms and other pages they link to."""
        # Each navigation page's own links are read while it is open, and visited after
        # every navigation page: one page load each, none to come back to a page.
        queue, nav_pages = [start], []
        while queue:
            path = queue.pop(0)
            if path.split("?")[0] in self.visited:
                continue
            self.visit(path, "navigation page")
            nav_pages.append((path, _paths(self.page, self.base, "main a[href]")))
            queue.extend(_paths(self.page, self.base, NAV_LINKS))
        for path, links in nav_pages:
            for link in links:
                bare = link.split("?")[0]
                if LINKED_PAGE.match(bare) and bare not in self.visited:
                    self.visit(link, f"page linked from {path}")
                    continue
                for what, pattern in DETAIL_PATHS.items():
                    if pattern.match(bare) and what not in self.visited.values():
                        self.visit(link, what)

    def assert_fits(self, required=()) -> None:
        missing = [path for path in required if path not in self.visited]
        assert not missing, f"{self.label}: never reached {missing}; visited {sorted(self.visited)}"
        assert not self.problems, f"{self.label}: pages that do not fit a phone:\n" + "\n".join(
            f"  - {problem}" for problem in self.problems
        )


def test_every_page_fits_a_phone_with_data(open_page, households, screenshot_dir, browser_problems):
    base = households
    page = open_page(PHONE)
    sign_in(page, base, EMAIL)
    shots = screenshot_dir / "phone-layout"
    shots.mkdir(exist_ok=True)
    for code in ("pt", "en"):
        choose_language(page, code)
        check = LayoutCheck(page, base, code, shots)
        check.crawl("/dashboard")
        check.assert_fits(REQUIRED_PATHS)
        assert set(DETAIL_PATHS) <= set(check.visited.values()), check.visited
    browser_problems.assert_none("on the phone-size pages")


def test_the_open_menus_fit_a_phone(open_page, households, screenshot_dir, browser_problems):
    """The folded navbar opens, and its user and language menus, long names and all, fit."""
    base = households
    page = open_page(PHONE)
    sign_in(page, base, EMAIL)
    toggler = page.locator('button.navbar-toggler[aria-controls="main-nav"]')
    menu = page.locator("#main-nav")
    expect(menu).to_be_hidden()
    toggler.click()
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).not_to_have_class(re.compile(r"(^|\s)collapsing(\s|$)"))
    for button in ("#user-menu", "#language-menu"):
        page.locator(button).click()
        dropdown = page.locator(f'[aria-labelledby="{button[1:]}"]')
        expect(dropdown).to_be_visible()
        settle(page)
        overflow = page.evaluate(OVERFLOW_JS)
        assert overflow["scrollWidth"] <= overflow["width"], (
            f"the navbar with {button} open is {overflow['scrollWidth']} px wide: "
            + "; ".join(overflow["culprits"])
        )
        page.screenshot(path=screenshot_dir / f"phone-menu-{button[1:]}.png", full_page=True)
        page.locator(button).click()
        expect(dropdown).to_be_hidden()
    browser_problems.assert_none("with the phone menus open")


def test_every_page_fits_a_phone_when_empty(open_page, households, screenshot_dir, browser_problems):
    base = households
    page = open_page(PHONE)
    visitor = LayoutCheck(page, base, "visitor", None)
    visitor.crawl("/")
    visitor.assert_fits(("/login", "/signup", "/forgot-password"))
    sign_in(page, base, EMPTY_EMAIL)
    check = LayoutCheck(page, base, "empty", None)
    check.crawl("/dashboard")
    check.assert_fits(("/entries/new", "/rules/new", "/goals/new", "/profile"))
    browser_problems.assert_none("on the empty household's phone-size pages")


def test_danger_buttons_read_well_in_dark_mode(open_page, households, browser_problems):
    base = households
    page = open_page(DESKTOP)
    sign_in(page, base, EMAIL)
    choose_language(page, "en")
    set_theme(page, "dark")
    for path in ("/rules", "/budgets"):
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
        expect(page.locator("main .btn-outline-danger").first).to_be_visible()
        settle(page)
        assert_accessible(page, f"{path} in dark mode")
    browser_problems.assert_none("on the dark pages")

"""The accounts and the administration's users on a phone, and the goals' progress colour.

At 390 px the tables of /accounts and /admin/users become cards: every balance, every
detail and every action button lies inside the screen, with no sideways scroll of the page
nor of the table's own box. At 1366 px they stay plain tables. The goal progress bar is the
brand green in both themes, with axe finding nothing serious on /goals.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from finora.extensions import db
from finora.models import Account
from tests.e2e.conftest import PHONE, SCREENSHOTS
from tests.e2e.full_household import EMAIL, LONG_ACCOUNT, UNBROKEN, create_full_household
from tests.e2e.ledger_helpers import BOX_JS, settle
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import set_theme
from tests.e2e.test_phone_layout import OVERFLOW_JS, choose_language, sign_in
from tests.factories import create_user

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
SHOTS = SCREENSHOTS / "phone-tables"  # ignored by git, like the other browser screenshots
# The brand green of finora.css (--bs-primary) in the light and the dark theme.
BRAND = {"light": (31, 111, 92), "dark": (79, 183, 155)}



@pytest.fixture
def households(live_server, app_factory) -> str:
    """The full household (its savings account left out of the forecast); its owner is the
    instance admin, with users in every state."""
    with app_factory().app_context():
        create_full_household()
        db.session.scalar(select(Account).where(Account.name == UNBROKEN)).include_in_forecast = False
        db.session.commit()
        create_user(status="pending", name="Paulo Pendente " + UNBROKEN, email="paulo.pendente@example.com")
        create_user(status="disabled", name="Dora Desativada", email="dora.desativada@example.com")
    return live_server


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_on_screen(page, locator, what: str) -> None:
    """Visible, inside 0..390 px, and not inside a box that scrolls sideways."""
    expect(locator).to_be_visible()
    box = locator.evaluate(BOX_JS)
    width = page.viewport_size["width"]
    assert box["width"] > 0 and box["height"] > 0, f"{what} has no size: {box}"
    assert box["left"] >= 0 and box["right"] <= width + 0.5, f"{what} lies at {box}, off a {width} px screen"
    assert box["scroller"] is None, f"{what} sits in a box that scrolls sideways ({box['scroller']})"


def assert_page_fits(page, where: str) -> None:
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["width"], (
        f"{where} is {overflow['scrollWidth']} px wide: " + "; ".join(overflow["culprits"])
    )


def test_accounts_and_users_are_cards_on_a_phone(open_page, households, browser_problems):
    base = households
    page = open_page(PHONE)
    sign_in(page, base, EMAIL)
    choose_language(page, "en")

    page.goto(base + "/accounts")
    settle(page)
    assert_page_fits(page, "/accounts")
    rows = page.locator(".account-cards tbody tr")
    assert rows.count() == 4  # the seeded checking account, the joint one, savings and the card
    for index in range(rows.count()):
        row = rows.nth(index)
        name = row.locator(".account-name a").inner_text()
        for part, what in (
            (row.locator(".account-name a"), "name"),
            (row.locator(".account-balance .money"), "balance"),
            (row.locator(".account-kind"), "type"),
            (row.locator(".account-forecast"), "forecast"),
            (row.get_by_role("link", name=f"Edit {name}"), "edit button"),
            (row.get_by_role("button", name=f"Archive {name}"), "archive button"),
        ):
            assert_on_screen(page, part, f"the {what} of {name!r}")
    joint = rows.filter(has_text=LONG_ACCOUNT)
    expect(joint.locator(".account-forecast")).to_have_text("In the forecast", use_inner_text=True)
    expect(rows.filter(has_text=UNBROKEN).locator(".account-forecast")).to_have_text("Not in the forecast", use_inner_text=True)
    # The column headings are left to screen readers (a 1 px box) on a card.
    assert page.locator(".account-cards thead").bounding_box()["height"] <= 1
    shoot(page, "accounts-390")

    page.goto(base + "/admin/users")
    settle(page)
    assert_page_fits(page, "/admin/users")
    for email, buttons in (
        ("paulo.pendente@example.com", ("Approve", "Deny")),
        ("dora.desativada@example.com", ("Activate",)),
        ("member", ("Deactivate",)),
    ):
        row = page.locator(".user-cards tbody tr", has_text=email).first
        assert_on_screen(page, row.locator(".user-email"), f"the e-mail of {email}")
        assert_on_screen(page, row.locator(".user-status .badge"), f"the status of {email}")
        assert_on_screen(page, row.locator(".user-created"), f"the sign-up date of {email}")
        expect(row.locator(".user-created")).to_contain_text("Signed up on", use_inner_text=True)
        for button in buttons:
            assert_on_screen(page, row.get_by_role("button", name=button), f"{button} of {email}")
    admin = page.locator(".user-cards tbody tr", has_text=EMAIL)
    assert_on_screen(page, admin.locator(".user-name .badge"), "the admin badge")
    expect(admin.locator(".user-actions")).to_be_hidden()  # nothing to do: no empty line
    shoot(page, "admin-users-390")
    browser_problems.assert_none("on the phone-size accounts and users")


def test_accounts_and_users_stay_tables_on_a_laptop(open_page, households, browser_problems):
    base = households
    page = open_page(LAPTOP)
    sign_in(page, base, EMAIL)
    choose_language(page, "en")
    for path, box, headings in (
        ("/accounts", ".account-cards", ["Name", "Type", "Forecast", "Balance", "Actions"]),
        ("/admin/users", ".user-cards", ["Name", "E-mail", "Signed up on", "Status", "Actions"]),
    ):
        page.goto(base + path)
        settle(page)
        expect(page.locator(f"{box} thead th")).to_have_text(headings)
        row = page.locator(f"{box} tbody tr").first
        assert row.evaluate("(el) => getComputedStyle(el).display") == "table-row"
        # One line per row: every cell of the first row shares its top.
        tops = row.locator("td").evaluate_all("(cells) => cells.map((c) => c.getBoundingClientRect().top)")
        assert len(set(tops)) == 1, f"{path}: the first row's cells are not side by side: {tops}"
        shoot(page, f"{path.strip('/').replace('/', '-')}-1366")
    expect(page.locator(".user-cards .user-created").first).not_to_contain_text("Signed up on", use_inner_text=True)
    browser_problems.assert_none("on the laptop-size accounts and users")


def _rgb(text: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_goal_progress_is_the_brand_green(open_page, households, browser_problems, theme):
    base = households
    page = open_page(LAPTOP)
    sign_in(page, base, EMAIL)
    choose_language(page, "en")
    if theme == "dark":
        set_theme(page, "dark")  # the toggle is in the navbar, folded away on a phone
    for viewport in (LAPTOP, PHONE):
        size = viewport["width"]
        page.set_viewport_size(viewport)
        page.goto(base + "/goals")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
        settle(page)
        bar = page.locator(".progress-bar:not(.bg-success):not(.bg-warning)").first
        expect(bar).to_be_visible()
        fill = _rgb(bar.evaluate("(el) => getComputedStyle(el).backgroundColor"))
        track = _rgb(bar.evaluate("(el) => getComputedStyle(el.parentElement).backgroundColor"))
        assert fill == BRAND[theme], f"the {theme} goal bar is rgb{fill}, not the brand green"
        # A bar is a graphic: WCAG 1.4.11 asks 3:1 against what surrounds it.
        assert _contrast(fill, track) >= 3, f"the {theme} bar on its track: {_contrast(fill, track):.2f}:1"
        assert_page_fits(page, f"/goals at {size} px in {theme}")
        assert_accessible(page, f"/goals in {theme} mode at {size} px")
        shoot(page, f"goals-{size}-{theme}")
    browser_problems.assert_none(f"on /goals in {theme} mode")

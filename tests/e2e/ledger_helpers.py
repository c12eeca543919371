"""Helpers for the ledger browser test: money patterns, the catalogue's labels, chart waits.

Money is matched against Babel's formats, which do not depend on the translation
catalogues; category names are looked up in the catalogue the live server uses, so the test
keeps working while the Portuguese translations of the ledger are being written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.factories import PASSWORD

HOUSEHOLD_TIMEZONE = "America/Sao_Paulo"

# Category codes of the seeded catalogue the test uses (codes never change; labels do).
CATEGORY_CODES = (
    "income.work",
    "income.work.salary",
    "expense.food",
    "expense.food.groceries",
    "expense.telecom",
    "expense.telecom.internet",
    "expense.housing",
    "expense.housing.rent",
    "expense.transport",
)


def today_in_sao_paulo() -> date:
    """The household's today: the live server runs on the real clock, in this time zone."""
    return datetime.now(ZoneInfo(HOUSEHOLD_TIMEZONE)).date()


def money_pattern(text: str) -> re.Pattern:
    """A pattern for an amount as Babel writes it, e.g. money_pattern("R$ 1.500,00").

    Babel puts a no-break space between the symbol and the digits in pt ("R$\\u00a01.500,00")
    and none in en ("R$1,500.00"); a space in `text` accepts any space, or none, there.
    The whole (trimmed) text of the element must be the amount.
    """
    parts = [re.escape(part) for part in text.split(" ")]
    return re.compile(r"^\s*" + r"[\s\u00a0]?".join(parts) + r"\s*$")


def catalogue_labels(app_factory) -> dict[str, dict[str, str]]:
    """The seeded categories' labels by code, as the server shows them in pt and en.

    `app_factory` is the fixture of tests/conftest.py: an app on the live server's database
    (only its translations are used here).
    """
    from flask_babel import force_locale

    from finora.services.ledger.catalogue import default_label

    application = app_factory()
    labels: dict[str, dict[str, str]] = {}
    with application.test_request_context():
        for code in ("pt", "en"):
            with force_locale(code):
                labels[code] = {c: default_label(c) for c in CATEGORY_CODES}
    return labels


def wait_for_charts(page) -> None:
    """Every chart on the page has drawn its SVG, and the browser has painted since."""
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.chart[data-figure]'))
                    .every((chart) => chart.querySelector('.main-svg'))"""
    )
    settle(page)


def settle(page) -> None:
    """Let pending relayouts and transitions paint (two animation frames)."""
    page.evaluate(
        """() => new Promise((resolve) =>
               requestAnimationFrame(() => requestAnimationFrame(() => resolve())))"""
    )


def select_options(page, selector: str) -> list[dict]:
    """The options of a <select>: value, trimmed text, data-* and whether they are usable."""
    return page.locator(selector).evaluate(
        """(select) => Array.from(select.options).map((option) => ({
               value: option.value,
               text: option.textContent.trim(),
               kind: option.dataset.kind || null,
               parent: option.dataset.parent || null,
               hidden: option.hidden,
               disabled: option.disabled,
           }))"""
    )


def click_slice(page, chart_selector: str, index: int = 0) -> None:
    """Click slice `index` of a Plotly donut where a person would: on the slice itself.

    The centre of a slice's bounding box can fall in the donut's hole or on another slice,
    so the click goes to the slice's label (Plotly centres it inside the slice), after
    checking that the point really belongs to that slice.
    """
    chart = page.locator(chart_selector)
    chart.scroll_into_view_if_needed()
    point = chart.evaluate(
        """(chart, index) => {
               const slice = chart.querySelectorAll('g.slice')[index];
               const target = slice.querySelector('text.slicetext') || slice.querySelector('path');
               const box = target.getBoundingClientRect();
               const x = box.left + box.width / 2, y = box.top + box.height / 2;
               const hit = document.elementFromPoint(x, y);
               return {x, y, inSlice: !!hit && hit.closest('g.slice') === slice};
           }""",
        index,
    )
    assert point["inSlice"], f"the middle of slice {index} of {chart_selector} is not on it"
    page.mouse.click(point["x"], point["y"])


def sign_in(page, base: str, email: str) -> None:
    """Sign in through the form with the factories' password; fails if the sign-in page stays."""
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator('main form button[type="submit"]').first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.wait_for_load_state("load")  # the next page's scripts (Bootstrap) have run


# The element's box, and the first box around it (up to the page) that scrolls or clips it
# sideways.
BOX_JS = """(el) => {
  const box = el.getBoundingClientRect();
  let scroller = null;
  for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
    if (node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== 'visible') {
      scroller = node.className || node.tagName;
      break;
    }
  }
  return {left: box.left, right: box.right, width: box.width, height: box.height, scroller};
}"""

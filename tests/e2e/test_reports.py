"""Reports in the browser: the month report opens from the menu, the month and the year are
switched with the arrows and the pickers, a PDF is downloaded; the pages are photographed at
1366 and 390 px, nothing scrolls sideways on the phone, and print hides the navigation and
the forms. The navbar (with its Reports menu) keeps one line at 1200 px in pt, en and es."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE
from tests.e2e.ledger_helpers import today_in_sao_paulo, wait_for_charts
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import EMAIL, sign_up
from tests.e2e.test_phone_layout import choose_language

WIDE = {"width": 1366, "height": 900}

NAV_JS = """() => {
  const links = Array.from(document.querySelectorAll('#main-nav .navbar-nav > .nav-item > .nav-link'));
  const tops = links.map((a) => Math.round(a.getBoundingClientRect().top));
  const user = document.querySelector('#user-menu').getBoundingClientRect();
  return {lines: new Set(tops).size, userRight: user.right, userTop: Math.round(user.top), linkTop: tops[0]};
}"""


def previous_month(day: date) -> date:
    return (day.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)


def seed(app_factory, today: date) -> None:
    """Entries of this month, of the previous month and of this month a year ago."""
    from finora.extensions import db
    from finora.models import User
    from tests.ledger_factories import household_of, make_entry

    with app_factory().app_context():
        household = household_of(db.session.scalar(select(User).where(User.email == EMAIL)))
        first = today.replace(day=1)
        make_entry(household, kind="income", description="Salário", amount=Decimal("5000.00"),
                   date=first, paid_on=first, category="income.work", subcategory="income.work.salary")
        make_entry(household, description="Mercado", amount=Decimal("1234.56"), date=first,
                   category="expense.food", subcategory="expense.food.groceries")
        make_entry(household, description="Aluguel de antes", amount=Decimal("1500.00"),
                   date=previous_month(today), category="expense.housing", subcategory="expense.housing.rent")
        make_entry(household, description="Farmácia", amount=Decimal("80.00"),
                   date=first.replace(year=first.year - 1), category="expense.health")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def test_reports_in_the_browser(open_page, live_server, app_factory, screenshot_dir, browser_problems):
    base = live_server
    today = today_in_sao_paulo()
    page = open_page(WIDE)
    sign_up(page, base)
    seed(app_factory, today)

    # From the menu to the month report.
    page.locator("#reports-menu").click()
    page.locator('#main-nav .dropdown-menu a[href="/reports/month"]').click()
    expect(page).to_have_url(re.compile(r"/reports/month$"))
    expect(page.locator('[data-total="income"]')).to_have_text(re.compile(r"R\$\s?5\.000,00"))
    expect(page.locator('[data-total="expense"]')).to_have_text(re.compile(r"R\$\s?1\.234,56"))
    wait_for_charts(page)
    page.locator("#report-expense-categories details summary").first.click()
    expect(page.locator("#report-expense-categories details").first).to_have_attribute("open", "")
    page.screenshot(path=str(screenshot_dir / "reports-month-1366.png"), full_page=True)
    assert_accessible(page, "the month report")

    # The previous month, then back with the picker.
    page.locator("#period-previous").click()
    before = previous_month(today)
    expect(page).to_have_url(re.compile(rf"month={before.month}$"))
    expect(page.locator('[data-total="expense"]')).to_have_text(re.compile(r"R\$\s?1\.500,00"))
    page.locator("#report-month").fill(f"{today:%Y-%m}")
    page.locator('#period-form button[type="submit"]').click()
    expect(page.locator('[data-total="income"]')).to_have_text(re.compile(r"R\$\s?5\.000,00"))

    # A PDF of the month.
    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    download = info.value
    assert download.suggested_filename == f"finora-month-{today:%Y-%m}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The year, and the year before it.
    page.locator('.nav-tabs a[href="/reports/year"]').click()
    expect(page.locator("#report-title")).to_have_text(str(today.year))
    wait_for_charts(page)
    expect(page.locator("#report-heat")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "reports-year-1366.png"), full_page=True)
    assert_accessible(page, "the year report")
    page.locator("#period-previous").click()
    expect(page.locator("#report-title")).to_have_text(str(today.year - 1))
    expect(page.locator('[data-total="expense"]')).to_have_text(re.compile(r"R\$\s?80,00"))

    # The budget and accounts reports and the export form read well to assistive technology.
    for path, what in (("/reports/budget", "the budget report"), ("/reports/accounts", "the accounts report"),
                       ("/exports/", "the export page")):
        page.goto(base + path)
        assert_accessible(page, what)

    # Printing: no navigation, buttons or forms; the tables stay.
    page.goto(base + f"/reports/year?year={today.year}")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#period-form")).to_be_hidden()
    expect(page.locator("#download-pdf")).to_be_hidden()
    expect(page.locator("#report-months")).to_be_visible()
    page.emulate_media(media="screen")

    # The phone: every report and the export page fit the width.
    phone = page
    phone.set_viewport_size(PHONE)
    for name, path in (("month", "/reports/month"), ("year", "/reports/year"), ("budget", "/reports/budget"),
                       ("accounts", "/reports/accounts"), ("export", "/exports/")):
        phone.goto(base + path)
        if name in ("month", "year"):
            wait_for_charts(phone)
        no_sideways_scroll(phone)
        phone.screenshot(path=str(screenshot_dir / f"reports-{name}-390.png"), full_page=True)
    browser_problems.assert_none()


def test_the_navbar_fits_one_line_at_1200(open_page, live_server, browser_problems):
    page = open_page({"width": 1200, "height": 800})
    sign_up(page, live_server)
    for code in ("pt", "en", "es"):
        choose_language(page, code)
        page.goto(live_server + "/reports/month")
        found = page.evaluate(NAV_JS)
        assert found["lines"] == 1, (code, found)
        assert found["userRight"] <= 1200 and abs(found["userTop"] - found["linkTop"]) < 20, (code, found)
        assert page.evaluate("document.documentElement.scrollWidth") <= 1200, code
    browser_problems.assert_none()

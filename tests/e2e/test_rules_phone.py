"""The recurring rules at 390 px: a rule saved with an occurrence due today is on the ledger
at once and its card names the next posting day; re-importing the exported file stops at the
duplicates, whose table scrolls inside its own box, and skipping them adds nothing."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.ledger_helpers import catalogue_labels, select_options, today_in_sao_paulo
from tests.e2e.test_ledger import sign_up

NAME = "Aluguel do apartamento com condomínio e garagem incluídos"


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def test_rules_post_on_save_and_reimport_skips_duplicates_on_a_phone(
    open_page, live_server, app_factory, screenshot_dir, browser_problems
):
    base = live_server
    page = open_page(PHONE)
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    sign_up(page, base)

    page.goto(base + "/rules/new")
    no_horizontal_scroll(page)
    page.locator("#name").fill(NAME)
    page.locator('input[name="kind"][value="expense"]').check()
    page.locator("#amount").fill("1.200,00")
    housing = [o for o in select_options(page, "#category_id") if o["text"] == labels["expense.housing"]]
    page.locator("#category_id").select_option(housing[0]["value"])
    page.locator("#frequency").select_option("monthly")
    page.locator("#anchor_date").fill(today.isoformat())
    expect(page.locator("#end_date")).to_have_value("")
    page.locator("#business_day_policy").select_option("none")  # due today, even on a weekend
    page.locator('main form button[type="submit"]').first.click()
    expect(page).to_have_url(base + "/rules")
    # Posted in the same request (no scheduler runs in this server): the flash lists it.
    expect(page.locator(".alert").filter(has_text=today.strftime("%d/%m/%Y"))).to_have_count(1)
    card = page.locator("article.rule-card")
    expect(card.locator(".next-posting")).to_be_visible()
    expect(card.locator('input[name="end_on"]')).to_have_value("")
    no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / "rules-390.png", full_page=True)
    page.goto(f"{base}/dashboard/{today.year}/{today.month}")
    expect(page.locator("main").get_by_text(NAME).first).to_be_visible()

    export = page.request.get(base + "/rules/export.csv")
    assert export.ok
    page.goto(base + "/rules/import")
    page.locator("#file").set_input_files(
        files=[{"name": "regras.csv", "mimeType": "text/csv", "buffer": export.body()}]
    )
    page.locator('#rules-import-form button[type="submit"]').click()
    duplicates = page.locator("section.import-duplicates")
    expect(duplicates.locator("tr.import-duplicate")).to_have_count(1)
    expect(duplicates.locator("#skip_duplicates")).to_be_checked()
    no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / "rules-import-duplicates-390.png", full_page=True)
    duplicates.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/rules$"))
    expect(page.locator("article.rule-card")).to_have_count(1)
    browser_problems.assert_none("on the rules pages at 390 px")

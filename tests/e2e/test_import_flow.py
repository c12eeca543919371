"""Import in the browser: a CSV of this month is uploaded, its columns mapped, one row's
category fixed in the review, and the import committed; the entries are on the dashboard;
undoing the batch (after its confirmation page) takes them away again. The pages are
photographed at 1366 and 390 px, and at 390 px nothing scrolls the page sideways."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.ledger_helpers import catalogue_labels, settle, today_in_sao_paulo
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_ledger import sign_up

WIDE = {"width": 1366, "height": 900}
GROCERIES = "Mercado Bom Preço da Esquina"
PHARMACY = "Farmácia Vida"


def csv_of_this_month(today) -> bytes:
    first = today.replace(day=1)
    lines = [
        "Data;Descrição;Valor",
        f"{first:%d/%m/%Y};{GROCERIES};-87,45",
        f"{today:%d/%m/%Y};{PHARMACY};-1.032,10",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at {PHONE['width']}px"


def upload(page, base: str, data: bytes) -> None:
    page.goto(base + "/imports/")
    page.locator("#file").set_input_files(
        files=[{"name": "extrato-marco.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.locator('#import-upload-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/imports/[A-Za-z0-9_-]+/mapping$"))


def drop(page, base: str, data: bytes) -> None:
    """Upload by dropping the file on the drop zone, as a person dragging it would."""
    page.goto(base + "/imports/")
    transfer = page.evaluate_handle(
        """(bytes) => {
               const transfer = new DataTransfer();
               transfer.items.add(new File([new Uint8Array(bytes)], "extrato-marco.csv",
                                           {type: "text/csv"}));
               return transfer;
           }""",
        list(data),
    )
    page.dispatch_event("[data-drop-zone]", "dragover", {"dataTransfer": transfer})
    expect(page.locator("[data-drop-zone]")).to_have_class(re.compile(r"is-dragging"))
    page.dispatch_event("[data-drop-zone]", "drop", {"dataTransfer": transfer})
    assert page.evaluate("document.getElementById('file').files[0].name") == "extrato-marco.csv"
    page.locator('#import-upload-form button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/imports/[A-Za-z0-9_-]+/mapping$"))


def map_columns(page) -> None:
    """The columns are guessed from the header; the date order is chosen (the file's days
    may all be 12 or less, and then the page asks)."""
    expect(page.locator("#column-0")).to_have_value("date")
    expect(page.locator("#column-1")).to_have_value("description")
    expect(page.locator("#column-2")).to_have_value("amount")
    expect(page.locator("#number_style")).to_have_value("comma_decimal")
    page.locator("#date_order").select_option("dmy")
    page.locator("#import-continue").click()
    expect(page).to_have_url(re.compile(r"/imports/[A-Za-z0-9_-]+/review$"))


def test_a_csv_is_mapped_reviewed_imported_and_undone(
    open_page, live_server, app_factory, screenshot_dir, browser_problems
):
    base = live_server
    labels = catalogue_labels(app_factory)["pt"]
    today = today_in_sao_paulo()
    data = csv_of_this_month(today)
    page = open_page(WIDE)
    sign_up(page, base)

    page.goto(base + "/dashboard")
    page.locator("#reports-menu").click()  # Import sits in the Reports menu with Export
    page.locator('nav a[href="/imports/"]').click()
    expect(page.locator("#no-imports")).to_be_visible()
    page.screenshot(path=screenshot_dir / "import-upload-1366.png", full_page=True)
    assert_accessible(page, "the import page")

    upload(page, base, data)
    expect(page.locator("tr.import-preview-row")).to_have_count(2)
    page.screenshot(path=screenshot_dir / "import-mapping-1366.png", full_page=True)
    assert_accessible(page, "the column mapping")
    map_columns(page)

    rows = page.locator("tr.import-row")
    expect(rows).to_have_count(2)
    expect(page.locator('[data-count="new"]')).to_have_text("2")
    groceries = rows.filter(has_text=GROCERIES)
    wanted = f"{labels['expense.food']} › {labels['expense.food.groceries']}"
    groceries.locator("select.import-category").select_option(label=wanted)
    page.screenshot(path=screenshot_dir / "import-review-1366.png", full_page=True)
    assert_accessible(page, "the review")
    page.locator("#import-commit").click()
    expect(page).to_have_url(re.compile(r"/imports/batches/\d+$"))
    expect(page.locator(".alert-success")).to_be_visible()
    entries = page.locator("tr.import-batch-entry")
    expect(entries).to_have_count(2)
    expect(entries.filter(has_text=GROCERIES)).to_contain_text(labels["expense.food.groceries"])
    batch_url = page.url
    assert_accessible(page, "the batch page")

    page.goto(f"{base}/dashboard/{today.year}/{today.month}")
    main = page.locator("main")
    expect(main.get_by_text(GROCERIES).first).to_be_visible()
    expect(main.get_by_text(PHARMACY).first).to_be_visible()

    page.goto(batch_url)
    page.locator("#import-undo").click()
    expect(page).to_have_url(re.compile(r"/imports/batches/\d+/undo$"))
    expect(page.locator("#undo-entries")).to_contain_text("2")
    assert_accessible(page, "the undo confirmation")
    page.locator('#import-undo-form button[type="submit"]').click()
    expect(page).to_have_url(base + "/imports/")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("tr.import-batch .badge")).to_have_count(1)  # marked undone
    page.goto(f"{base}/dashboard/{today.year}/{today.month}")
    expect(page.locator("main").get_by_text(GROCERIES)).to_have_count(0)
    expect(page.locator("main").get_by_text(PHARMACY)).to_have_count(0)

    # The same steps on a phone, the file dropped this time: every page fits, the wide
    # tables scroll in their own box.
    page.set_viewport_size(PHONE)
    page.goto(base + "/imports/")
    settle(page)
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "import-upload-390.png", full_page=True)
    drop(page, base, data)
    settle(page)
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "import-mapping-390.png", full_page=True)
    map_columns(page)
    settle(page)
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "import-review-390.png", full_page=True)
    page.locator("#import-commit").click()
    expect(page).to_have_url(re.compile(r"/imports/batches/\d+$"))
    settle(page)
    no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "import-batch-390.png", full_page=True)
    browser_problems.assert_none("on the import pages")

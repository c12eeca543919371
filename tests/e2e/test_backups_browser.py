"""Backups in the browser: the owner of a full household opens the backup centre from the
household settings, makes a backup, downloads it (the bytes' sha256 is the one listed),
restores the download into a new household, switches to it and finds the same dashboard
figures. The centre and the administration's instance backups are photographed at 1366 and
390 px in Portuguese and English; at 390 px nothing scrolls sideways and every action of a
backup is on screen."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Household
from tests.e2e.conftest import PHONE, SCREENSHOTS
from tests.e2e.full_household import EMAIL, HOUSEHOLD_NAME, create_full_household
from tests.e2e.ledger_helpers import settle
from tests.e2e.test_first_visit import assert_accessible
from tests.e2e.test_phone_layout import choose_language, sign_in
from tests.e2e.test_phone_tables import assert_on_screen, assert_page_fits

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
SHOTS = SCREENSHOTS / "backups"  # ignored by git, like the other browser screenshots


@pytest.fixture
def app_factory(app_factory, tmp_path):
    """The suite's apps, with their backups in this test's own folder (not DATA_DIR's)."""

    def build(**overrides):
        overrides.setdefault("BACKUP_STORAGE_DIR", tmp_path / "backups")
        return app_factory(**overrides)

    return build


@pytest.fixture
def household(live_server, app_factory) -> str:
    with app_factory().app_context():
        create_full_household()
    return live_server


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def figures(page) -> dict[str, str]:
    """The month's metrics of the dashboard, by name."""
    page.goto(page.url.split("/dashboard")[0] + "/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/\d{4}/\d{1,2}$"))
    cells = page.locator("[data-metric]")
    expect(cells.first).to_be_visible()
    return {
        cells.nth(i).get_attribute("data-metric"): cells.nth(i).inner_text().strip()
        for i in range(cells.count())
    }


def check_phone(page, where: str, shot: str) -> None:
    page.set_viewport_size(PHONE)
    shoot(page, shot)
    assert_page_fits(page, where)
    rows = page.locator(".backup-cards tbody tr")
    for index in range(rows.count()):
        row = rows.nth(index)
        for part in (".backup-made", ".backup-kind", ".backup-size", ".backup-sha"):
            assert_on_screen(page, row.locator(part), f"{part} of backup {index + 1} on {where}")
        for button in row.locator(".backup-actions a, .backup-actions button").all():
            assert_on_screen(page, button, f"an action of backup {index + 1} on {where}")


def test_a_backup_is_made_downloaded_and_restored_into_a_new_household(
    open_page, household, app_factory, tmp_path, browser_problems
):
    base = household
    page = open_page(LAPTOP)
    sign_in(page, base, EMAIL)
    before = figures(page)
    assert before, "the dashboard shows no figures"

    # From the household settings' tabs to the backup centre, empty at first.
    page.goto(base + "/household")
    page.locator('.nav-tabs a[href="/backups/"]').click()
    expect(page).to_have_url(base + "/backups/")
    expect(page.locator("#no-backups")).to_be_visible()
    shoot(page, "centre-empty-pt-1366")
    assert_accessible(page, "the empty backup centre")

    page.locator("#backup-now").click()
    expect(page).to_have_url(base + "/backups/")
    expect(page.locator(".alert-success")).to_be_visible()
    rows = page.locator(".backup-cards tbody tr")
    expect(rows).to_have_count(1)
    listed = rows.first.locator(".backup-sha").get_attribute("title")
    shoot(page, "centre-pt-1366")
    assert_accessible(page, "the backup centre with a backup")

    with page.expect_download() as info:
        rows.first.locator(".backup-actions a[href$='/download']").click()
    download = info.value
    assert re.fullmatch(r"finora-\d{8}T\d{6}Z-[0-9a-f]{10}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == listed

    check_phone(page, "the backup centre (pt)", "centre-pt-390")
    choose_language(page, "en")
    check_phone(page, "the backup centre (en)", "centre-en-390")
    page.set_viewport_size(LAPTOP)
    shoot(page, "centre-en-1366")

    # The confirmation pages, on a phone too.
    for action, name in (("restore", "restore"), ("delete", "delete")):
        page.goto(base + f"/backups/{page_backup_id(page, base)}/{action}")
        shoot(page, f"{name}-en-1366")
        page.set_viewport_size(PHONE)
        assert_page_fits(page, f"the {name} page")
        shoot(page, f"{name}-en-390")
        page.set_viewport_size(LAPTOP)

    # Restore the download into a new household (the default), then switch to it.
    page.goto(base + "/backups/")
    expect(page.locator("#restore-mode-0")).to_be_checked()
    page.locator("#restore-file").set_input_files(str(saved))
    page.locator('#backup-restore-form button[type="submit"]').click()
    expect(page).to_have_url(base + "/backups/")
    offer = page.locator("#restored-household")
    expect(offer).to_be_visible()
    shoot(page, "centre-restored-en-1366")
    with app_factory().app_context():
        assert db.session.scalar(
            select(func.count()).select_from(Household).where(Household.name == HOUSEHOLD_NAME)
        ) == 2
    offer.locator('button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/dashboard/\d{4}/\d{1,2}$"))
    choose_language(page, "pt")  # the figures were read in Portuguese
    assert figures(page) == before
    # The new household's own backup centre: its list starts empty (backups stay with the
    # household that made them).
    page.goto(base + "/backups/")
    expect(page.locator("#no-backups")).to_be_visible()
    browser_problems.assert_none("on the backup pages")


def page_backup_id(page, base: str) -> str:
    page.goto(base + "/backups/")
    return page.locator(".backup-cards tbody tr").first.get_attribute("data-backup")


def test_the_admin_makes_an_instance_backup(open_page, household, browser_problems):
    base = household
    page = open_page(LAPTOP)
    sign_in(page, base, EMAIL)
    page.goto(base + "/admin/backups")
    expect(page.locator("#instance-scope")).to_contain_text("SQLite")
    shoot(page, "admin-empty-pt-1366")
    page.locator('#instance-backup-form button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(".backup-cards tbody tr")).to_have_count(1)
    assert_accessible(page, "the instance backups")
    shoot(page, "admin-pt-1366")
    check_phone(page, "the instance backups (pt)", "admin-pt-390")
    choose_language(page, "en")
    check_phone(page, "the instance backups (en)", "admin-en-390")
    browser_problems.assert_none("on the instance backups page")

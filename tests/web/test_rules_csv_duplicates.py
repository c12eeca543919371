"""Re-importing rules that are already there: the import stops before writing anything,
lists the duplicates (of saved rules and of earlier rows) and skips them unless the user
chooses to import them anyway; all in one transaction."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.services.planning.rules_csv import import_rules
from finora.web.rules.csv_views import _sign_upload
from tests.factories import create_user
from tests.ledger_factories import household_of, input_value, make_account
from tests.planning_factories import make_rule
from tests.rules_csv_factories import WORDS, rule_fields
from tests.web.test_rules_csv import HEADER, upload

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15
RENT = "Rent,1500.00,expense,monthly,2026-01-31,,Housing,Checking account\n"
SALARY = "Salary,5000.00,income,monthly,2026-02-05,,Work,Checking account\n"
GYM = "Gym,89.90,expense,monthly,2026-02-01,,Housing,Checking account\n"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def household(user):
    household = household_of(user)
    make_rule(household, name="Rent", anchor_date=date(2026, 1, 31))
    make_rule(
        household, name="Salary", kind="income", amount=Decimal("5000.00"),
        anchor_date=date(2026, 2, 5),
    )
    return household


def duplicates(page: str) -> list[tuple[str, ...]]:
    found = []
    for row in re.findall(r'<tr class="import-duplicate".*?</tr>', page, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        found.append(tuple(" ".join(re.sub(r"<[^>]+>", " ", html.unescape(c)).split()) for c in cells))
    return found


def names(household) -> list[str]:
    return sorted(fields[0] for fields in rule_fields(household))


def confirm(client, page: str, *, skip: bool):
    data = {"upload": input_value(page, "upload")}
    if skip:
        data["skip_duplicates"] = "y"
    return client.post("/rules/import/confirm", data=data)


def test_a_file_with_rules_already_there_asks_first_and_writes_nothing(signed_in, household):
    response = upload(signed_in, (HEADER + RENT + GYM + SALARY).encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Some rules are already there" in page
    assert duplicates(page) == [
        ("Row 2", "Rent", "Expense", "R$1,500.00", "Monthly", "1/31/26", "Checking account",
         "A rule you already have"),
        ("Row 4", "Salary", "Income", "R$5,000.00", "Monthly", "2/5/26", "Checking account",
         "A rule you already have"),
    ]
    assert "1 rule of the file is new and is imported either way." in page
    # "Skip duplicates" is the default choice.
    assert re.search(r'<input[^>]*checked[^>]*id="skip_duplicates"|<input[^>]*id="skip_duplicates"[^>]*checked', page)
    assert names(household) == ["Rent", "Salary"]  # nothing written yet


def test_skipping_imports_only_the_new_rules(signed_in, household):
    page = upload(signed_in, (HEADER + RENT + GYM + SALARY).encode()).get_data(as_text=True)
    response = confirm(signed_in, page, skip=True)
    assert response.status_code == 302
    assert names(household) == ["Gym", "Rent", "Salary"]
    shown = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 rule imported." in shown and "2 rules already there were skipped." in shown


def test_the_duplicates_can_be_imported_anyway(signed_in, household):
    page = upload(signed_in, (HEADER + RENT + GYM + SALARY).encode()).get_data(as_text=True)
    assert confirm(signed_in, page, skip=False).status_code == 302
    assert names(household) == ["Gym", "Rent", "Rent", "Salary", "Salary"]


def test_the_confirmation_imports_once(signed_in, household):
    page = upload(signed_in, (HEADER + RENT + GYM).encode()).get_data(as_text=True)
    data = {
        "upload": input_value(page, "upload"),
        "form_token": input_value(page, "form_token"),
        "skip_duplicates": "y",
    }
    assert data["form_token"]
    assert signed_in.post("/rules/import/confirm", data=data).status_code == 302
    # A double click, or the back button and the same page again: saved once.
    assert signed_in.post("/rules/import/confirm", data=data).status_code == 302
    assert names(household) == ["Gym", "Rent", "Salary"]


def test_a_row_repeated_in_the_file_is_reported_too(signed_in, household):
    page = upload(signed_in, (HEADER + GYM + GYM.replace("Gym", " gym ")).encode()).get_data(
        as_text=True
    )
    assert [row[0::7] for row in duplicates(page)] == [("Row 3", "Row 2 of this file")]
    assert confirm(signed_in, page, skip=True).status_code == 302
    assert names(household) == ["Gym", "Rent", "Salary"]


def test_a_rule_differing_in_one_of_the_compared_fields_is_not_a_duplicate(signed_in, household):
    make_account(household, name="Wallet", kind="cash")
    content = (
        HEADER
        + RENT.replace("1500.00", "1500.01")
        + RENT.replace("2026-01-31", "2026-02-28")
        + RENT.replace("monthly", "yearly")
        + RENT.replace("Checking account", "Wallet")
        + RENT.replace("Rent,", "Rent 2,")
    ).encode()
    response = upload(signed_in, content)
    assert response.status_code == 302
    assert len(names(household)) == 7


def test_a_forged_or_foreign_upload_is_refused(signed_in, household, app):
    assert signed_in.post("/rules/import/confirm", data={"upload": "forged"}).status_code == 400
    theirs = household_of(create_user(household_name="Their home"))
    with app.test_request_context():
        foreign = _sign_upload(theirs, (HEADER + GYM).encode(), "en")
    response = signed_in.post("/rules/import/confirm", data={"upload": foreign})
    assert response.status_code == 400
    assert names(household) == ["Rent", "Salary"] and names(theirs) == []


def test_the_service_leaves_duplicates_out_or_in_as_asked(household):
    content = (HEADER + RENT + GYM + GYM).encode()
    outcome = import_rules(db.session, household, content, "en", WORDS, duplicates="skip")
    assert [rule.name for rule in outcome.rules] == ["Gym"]
    assert [(d.row, d.same_as_row) for d in outcome.skipped] == [(2, None), (4, 3)]
    db.session.rollback()
    outcome = import_rules(db.session, household, content, "en", WORDS, duplicates="import")
    assert [rule.name for rule in outcome.rules] == ["Rent", "Gym", "Gym"]
    db.session.rollback()


def test_imported_auto_post_rules_post_what_is_due_at_once(signed_in, household):
    content = (HEADER + "Gym,89.90,expense,monthly,2025-12-10,,Housing,Checking account\n").encode()
    response = upload(signed_in, content)
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 rule imported." in page and "2 entries posted: 12/10/25, 1/12/26." in page

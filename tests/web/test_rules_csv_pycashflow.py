"""PyCashFlow's schedule export uploaded on the rules import page, as PyCashFlow wrote it:
the rules are added on the household's primary account, and a bad row is listed with the
file's own column name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from tests.rules_csv_factories import rule_fields
from tests.web.test_rules_csv import problems, upload

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15
# PyCashFlow's export of a household (app/files.py: csv.writer, CRLF, ISO dates).
EXPORT = (
    "Name,Amount,Type,Frequency,Next Date,First Date\r\n"
    "Paycheck,3120.55,Income,BiWeekly,2026-01-23,2024-06-07\r\n"
    "Rent,1450.00,Expense,Monthly,2026-02-01,2023-09-01\r\n"
    "Electric,135.20,Expense,Monthly,2026-01-28,2023-09-28\r\n"
    "'=Streaming,15.49,Expense,Monthly,2026-01-19,2025-03-19\r\n"
    "Water & Sewer,212.00,Expense,Quarterly,2026-03-10,2024-03-10\r\n"
    "Car registration,98.00,Expense,Yearly,2026-07-30,2022-07-30\r\n"
    "Groceries,160.00,Expense,Weekly,2026-01-17,2025-01-04\r\n"
    "Bonus,2000.00,Income,Onetime,2026-03-31,2026-03-31\r\n"
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_the_import_page_says_pycashflows_export_is_read(signed_in):
    assert "PyCashFlow" in signed_in.get("/rules/import").get_data(as_text=True)


def test_a_pycashflow_export_is_imported_as_it_is(signed_in, household):
    response = upload(signed_in, EXPORT.encode(), "schedule.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "8 rules imported." in page
    fields = {row[0]: row for row in rule_fields(household)}
    assert set(fields) == {
        "Paycheck", "Rent", "Electric", "=Streaming", "Water & Sewer", "Car registration",
        "Groceries", "Bonus",
    }
    assert Decimal("3120.55") in fields["Paycheck"] and "biweekly" in fields["Paycheck"]
    assert date(2026, 2, 1) in fields["Rent"] and "monthly" in fields["Rent"]
    assert "once" in fields["Bonus"] and date(2026, 3, 31) in fields["Bonus"]
    assert len({row[3] for row in fields.values()}) == 1  # the household's one account
    assert fields["Rent"][4][0] == "expense.other" and fields["Bonus"][4][0] == "income.other"


def test_bad_rows_name_the_files_columns(signed_in, household):
    content = (
        b"Name,Amount,Type,Frequency,Next Date,First Date\r\n"
        b"Rent,1450.00,Expense,Monthly,2026-02-01,2023-09-01\r\n"
        b"Gym,39.99,Expense,Fortnightly,2026-02-03,2025-02-03\r\n"
        b"Phone,55.00,Expense,Monthly,soon,2025-02-03\r\n"
    )
    response = upload(signed_in, content)
    assert response.status_code == 422
    assert problems(response.get_data(as_text=True)) == [
        ("Row 3", "Frequency",
         "Enter how often it repeats: Monthly, Weekly, BiWeekly, Quarterly, Yearly, Onetime."),
        ("Row 4", "Next Date", "Enter a real date, such as 2026-03-31."),
    ]
    assert rule_fields(household) == []

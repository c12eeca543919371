"""The month dashboard's entries table: pages, filters over the whole month, search, sorting,
the caption's count, the empty state and the month navigation."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from tests.dbutil import server_url_from_env
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    entry_ids,
    household_of,
    make_account,
    make_entry,
)

SQLITE = server_url_from_env(os.environ.get("FINORA_TEST_DATABASE_URL")) == "sqlite"
NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def caption(page: str) -> str:
    return re.search(r"<caption>(.*?)</caption>", page, re.S).group(1).strip()


def shown(client, query: str = "", month: str = "2026/3") -> list[int]:
    page = client.get(f"/dashboard/{month}{query}")
    assert page.status_code == 200
    return entry_ids(page.get_data(as_text=True))


# Pages


@pytest.fixture
def many(household):
    """120 entries in March 2026, one more in February and one in April."""
    entries = [
        make_entry(
            household,
            amount=Decimal(n),
            date=date(2026, 3, 1) + timedelta(days=n % 31),
            description=f"Item {n:03d}",
            commit=False,
        )
        for n in range(1, 121)
    ]
    make_entry(household, date=date(2026, 2, 28), description="February", commit=False)
    make_entry(household, date=date(2026, 4, 1), description="April", commit=False)
    db.session.commit()
    return entries


def test_pages_of_50(signed_in, many):
    first = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert caption(first) == "120 entries · Page 1 of 3"
    assert len(entry_ids(first)) == 50
    assert 'aria-current="page"><a class="page-link" href="/dashboard/2026/3?page=1">1</a>' in first
    assert 'href="/dashboard/2026/3?page=2">Next</a>' in first

    second = shown(signed_in, "?page=2")
    third_page = signed_in.get("/dashboard/2026/3?page=3").get_data(as_text=True)
    third = entry_ids(third_page)
    assert len(second) == 50 and len(third) == 20
    assert caption(third_page) == "120 entries · Page 3 of 3"
    everything = entry_ids(first) + second + third
    assert sorted(everything) == sorted(e.id for e in many)  # every entry once, none twice


@pytest.mark.parametrize(("asked", "served"), [("99", 3), ("0", 1), ("-4", 1), ("abc", 1)])
def test_a_page_out_of_range_is_clamped(signed_in, many, asked, served):
    page = signed_in.get(f"/dashboard/2026/3?page={asked}").get_data(as_text=True)
    assert caption(page) == f"120 entries · Page {served} of 3"
    assert len(entry_ids(page)) == (20 if served == 3 else 50)


def test_page_links_keep_the_filters(signed_in, many):
    page = signed_in.get("/dashboard/2026/3?kind=expense&sort=amount_asc").get_data(as_text=True)
    assert 'href="/dashboard/2026/3?kind=expense&amp;sort=amount_asc&amp;page=2">Next</a>' in page


def test_filters_search_the_whole_month_not_one_page(signed_in, household, many):
    # The oldest entries are on the last page by date; a search finds them from page 1.
    for n, day in enumerate((1, 2, 3), start=1):
        make_entry(household, date=date(2026, 3, day), description=f"Needle {n}", commit=False)
    db.session.commit()
    page = signed_in.get("/dashboard/2026/3?q=needle").get_data(as_text=True)
    assert caption(page) == "3 entries"
    assert len(entry_ids(page)) == 3
    page = signed_in.get("/dashboard/2026/3?sort=amount_desc&page=3").get_data(as_text=True)
    assert caption(page) == "123 entries · Page 3 of 3"


def test_sorting(signed_in, many):
    by_amount = [e.id for e in sorted(many, key=lambda e: (e.amount, e.id))]
    by_date = [e.id for e in sorted(many, key=lambda e: (e.date, e.id))]
    assert shown(signed_in, "?sort=amount_asc") == by_amount[:50]
    assert shown(signed_in, "?sort=amount_desc") == by_amount[::-1][:50]
    assert shown(signed_in, "?sort=date_asc") == by_date[:50]
    assert shown(signed_in, "?sort=date_desc") == by_date[::-1][:50]
    assert shown(signed_in, "") == by_date[::-1][:50]  # newest first by default
    assert shown(signed_in, "?sort=bogus") == by_date[::-1][:50]
    assert shown(signed_in, "?sort=amount_asc&page=3") == by_amount[100:]


def test_sort_headers_say_which_way_they_sort(signed_in, many):
    page = signed_in.get("/dashboard/2026/3?sort=amount_asc").get_data(as_text=True)
    assert 'aria-sort="ascending">' in page and 'aria-sort="none">' in page
    # Clicking the sorted column again flips it; the other column starts descending.
    assert 'href="/dashboard/2026/3?sort=amount_desc"' in page
    assert 'href="/dashboard/2026/3?sort=date_desc"' in page


# Filters


@pytest.fixture
def month(household):
    """A small, varied March (and one February entry that must never show)."""
    wallet = make_account(household, name="Wallet", kind="cash")
    checking = checking_account(household)
    rows = {
        "supermarket": make_entry(
            household,
            description="Supermarket",
            amount="300",
            date=date(2026, 3, 2),
            paid_on=date(2026, 3, 2),
            notes="weekly shop",
            payment_method="debit_card",
            category="expense.food",
            subcategory="expense.food.groceries",
            account=checking,
        ),
        "pizza": make_entry(
            household,
            description="Pizza night",
            amount="80",
            date=date(2026, 3, 10),
            payment_method="credit_card",
            category="expense.food",
            subcategory="expense.food.restaurants",
            account=wallet,
        ),
        "rent": make_entry(
            household,
            description="Rent",
            amount="2000",
            date=date(2026, 3, 20),
            notes="PIX to Mr. Souza",
            payment_method="bank_transfer",
            category="expense.housing",
            subcategory="expense.housing.rent",
            account=checking,
        ),
        "salary": make_entry(
            household,
            kind="income",
            description="Salary",
            amount="5000",
            date=date(2026, 3, 5),
            paid_on=date(2026, 3, 5),
            payment_method="bank_transfer",
            category="income.work",
            subcategory="income.work.salary",
            account=checking,
        ),
        "bike": make_entry(
            household,
            kind="income",
            description="Sold old bike",
            amount="150",
            date=date(2026, 3, 25),
            notes="Buyer found on the SUPERMARKET board",
            payment_method="cash",
            category="income.other",
            subcategory=None,
            account=wallet,
        ),
        "bakery": make_entry(
            household,
            description="Bakery",
            amount="12.50",
            date=date(2026, 3, 15),
            payment_method="cash",
            category="expense.food",
            subcategory=None,
            account=checking,
        ),
    }
    make_entry(household, description="Supermarket February", date=date(2026, 2, 27))
    return {"wallet": wallet, "checking": checking, **rows}


def _ids(month, *names) -> set[int]:
    return {month[name].id for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["supermarket", "pizza", "rent", "salary", "bike", "bakery"]),
        ("?kind=income", ["salary", "bike"]),
        ("?kind=expense", ["supermarket", "pizza", "rent", "bakery"]),
        ("?status=paid", ["supermarket", "salary"]),
        ("?status=pending", ["rent", "bike", "bakery"]),  # today's bakery is not overdue yet
        ("?status=overdue", ["pizza"]),
        ("?account={wallet}", ["pizza", "bike"]),
        ("?account={checking}", ["supermarket", "rent", "salary", "bakery"]),
        ("?category={expense_food}", ["supermarket", "pizza", "bakery"]),
        ("?category={expense_food_groceries}", ["supermarket"]),
        ("?category={income_work}", ["salary"]),
        ("?category={expense_transport}", []),
        ("?method=cash", ["bike", "bakery"]),
        ("?method=bank_transfer", ["rent", "salary"]),
        ("?q=supermarket", ["supermarket", "bike"]),  # description or notes
        ("?q=SuPeRmArKeT", ["supermarket", "bike"]),
        ("?q=souza", ["rent"]),
        ("?q=%20pizza%20", ["pizza"]),
        ("?kind=expense&status=pending&account={checking}", ["rent", "bakery"]),
        ("?kind=expense&category={expense_food}&method=cash", ["bakery"]),
        (
            "?kind=bogus&status=bogus&method=bogus",
            ["supermarket", "pizza", "rent", "salary", "bike", "bakery"],
        ),
    ],
)
def test_filters(signed_in, household, month, query, expected):
    ids = {"wallet": month["wallet"].id, "checking": month["checking"].id}
    for code in ("expense.food", "expense.food.groceries", "income.work", "expense.transport"):
        ids[code.replace(".", "_")] = category(household, code).id
    page = signed_in.get(f"/dashboard/2026/3{query.format(**ids)}").get_data(as_text=True)
    assert set(entry_ids(page)) == _ids(month, *expected)
    if expected:
        assert caption(page) == ("1 entry" if len(expected) == 1 else f"{len(expected)} entries")
    else:
        assert "No entry matches these filters." in page
        assert 'href="/dashboard/2026/3">Clear the filters</a>' in page


def test_the_filter_form_shows_the_active_filters(signed_in, household, month):
    wallet = month["wallet"].id
    page = signed_in.get(f"/dashboard/2026/3?kind=income&account={wallet}&q=bike").get_data(
        as_text=True
    )
    assert '<option value="income" selected>' in page
    assert f'<option value="{wallet}" selected>Wallet</option>' in page
    assert 'name="q" value="bike"' in page
    assert "Clear the filters" in page


@pytest.mark.parametrize(("term", "hit"), [("50%", "50% off sale"), ("a_b", "Item a_b")])
def test_search_treats_percent_and_underscore_literally(signed_in, household, term, hit):
    wanted = make_entry(household, description=hit)
    make_entry(household, description="500 reais and a bit")  # "50" then anything
    make_entry(household, description="Item axb")  # "a", any one character, "b"
    assert shown(signed_in, f"?q={term.replace('%', '%25')}") == [wanted.id]


def test_search_ignores_the_case_of_accented_letters(signed_in, household):
    wanted = make_entry(household, description="PÃO DE QUEIJO")
    make_entry(household, description="Queijo")
    assert shown(signed_in, "?q=pão") == [wanted.id]


def test_another_households_entries_never_show(signed_in, household):
    mine = make_entry(household, description="Mine")
    other = household_of(create_user())
    theirs = make_entry(other, description="Theirs")
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert entry_ids(page) == [mine.id]
    assert "Theirs" not in page
    theirs_account = checking_account(other).id
    assert shown(signed_in, f"?account={theirs_account}") == []
    assert shown(signed_in, f"?category={theirs.category_id}") == []


# Counts, empty state, navigation


def test_the_caption_counts_entries(signed_in, household):
    make_entry(household)
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert caption(page) == "1 entry"


def test_an_empty_month_shows_the_empty_state(signed_in, household):
    make_entry(household, date=date(2026, 2, 10))
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert "Nothing recorded for this month yet" in page
    assert "entries-table" not in page
    assert 'href="/entries/new?kind=income&amp;year=2026&amp;month=3' in page
    assert 'href="/entries/new?kind=expense&amp;year=2026&amp;month=3' in page
    assert "No entry matches these filters." not in page


@pytest.mark.parametrize(
    ("month", "previous", "following"),
    [
        ("2026/3", "/dashboard/2026/2", "/dashboard/2026/4"),
        ("2026/12", "/dashboard/2026/11", "/dashboard/2027/1"),
        ("2026/1", "/dashboard/2025/12", "/dashboard/2026/2"),
    ],
)
def test_month_navigation(signed_in, month, previous, following):
    page = signed_in.get(f"/dashboard/{month}").get_data(as_text=True)
    assert f'href="{previous}" aria-label="Previous month"' in page
    assert f'href="{following}" aria-label="Next month"' in page


@pytest.mark.parametrize("url", ["/dashboard/2026/13", "/dashboard/2026/0", "/dashboard/10000/1"])
def test_impossible_months_are_404(signed_in, url):
    assert signed_in.get(url).status_code == 404


def test_dashboard_opens_on_the_households_month(signed_in, frozen_time):
    assert signed_in.get("/dashboard").headers["Location"] == "/dashboard/2026/3"
    # 01:00 UTC on 1 April is still 31 March in São Paulo.
    frozen_time.move_to(datetime(2026, 4, 1, 1, tzinfo=UTC))
    assert signed_in.get("/dashboard").headers["Location"] == "/dashboard/2026/3"
    frozen_time.move_to(datetime(2026, 4, 1, 4, tzinfo=UTC))
    assert signed_in.get("/dashboard").headers["Location"] == "/dashboard/2026/4"

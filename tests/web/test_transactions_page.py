"""The Transactions page: every entry and transfer of all time, its filters, sorting,
keyset pages, row actions and who may use them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import event, insert, select

from finora.extensions import db
from finora.models import Account, Category, Entry
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    entry_ids,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)
from tests.members_factories import add_member
from tests.query_counts import queries_during_get

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the household's today is 2026-03-15
URL = "/transactions"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def transfer_ids(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-transfer-id="(\d+)"', page)]


def rows(page: str) -> list[tuple[str, int]]:
    """("e" or "t", id) of every row, in the order shown."""
    return [
        ("e" if kind == "entry" else "t", int(number))
        for kind, number in re.findall(r'data-(entry|transfer)-id="(\d+)"', page)
    ]


def get(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def next_link(page: str) -> str | None:
    found = re.search(r'rel="next" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def previous_link(page: str) -> str | None:
    found = re.search(r'rel="prev" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


# A varied ledger over several years


@pytest.fixture
def ledger(household):
    wallet = make_account(household, name="Wallet", kind="cash")
    checking = checking_account(household)
    made = {
        "old_rent": make_entry(
            household, description="Rent 2019", amount="1500", date=date(2019, 5, 10),
            paid_on=date(2019, 5, 10), category="expense.housing", subcategory="expense.housing.rent",
            payment_method="bank_transfer", account=checking,
        ),
        "pizza": make_entry(
            household, description="Pizza night", amount="80", date=date(2026, 3, 10),
            payment_method="credit_card", category="expense.food",
            subcategory="expense.food.restaurants", account=wallet, notes="with the neighbours",
        ),
        "salary": make_entry(
            household, kind="income", description="Salary", amount="5000", date=date(2026, 3, 5),
            paid_on=date(2026, 3, 5), payment_method="bank_transfer", category="income.work",
            subcategory="income.work.salary", account=checking,
        ),
        "refund": make_entry(
            household, kind="income", description="Tax refund", amount="300", date=date(2026, 2, 1),
            category="income.other", subcategory=None, account=checking,
        ),
        "school": make_entry(
            household, description="School fees", amount="900", date=date(2026, 4, 2),
            category="expense.education", subcategory=None, payment_method="debit_card",
            account=checking,
        ),
        "top_up": make_transfer(
            household, checking, wallet, amount="200", date=date(2024, 7, 1), description="Top up"
        ),
        "back": make_transfer(household, wallet, checking, amount="50", date=date(2026, 3, 12)),
    }
    return {"wallet": wallet, "checking": checking, **made}


def test_every_transaction_of_all_time_newest_first(signed_in, ledger):
    page = get(signed_in)
    expected = [
        ("e", ledger["school"].id), ("t", ledger["back"].id), ("e", ledger["pizza"].id),
        ("e", ledger["salary"].id), ("e", ledger["refund"].id), ("t", ledger["top_up"].id),
        ("e", ledger["old_rent"].id),
    ]
    assert rows(page) == expected
    assert "Rent 2019" in page


def test_a_transfer_is_one_row_naming_both_accounts_and_never_income_or_expense(signed_in, ledger):
    page = get(signed_in)
    assert transfer_ids(page).count(ledger["top_up"].id) == 1
    row = page[page.index(f'data-transfer-id="{ledger["top_up"].id}"'):]
    row = row[: row.index("</tr>")]
    assert "Checking account → Wallet" in row and "Top up" in row and "Transfer" in row
    assert "-R$200.00" not in row and "R$200.00" in row
    assert "text-success" not in row.split("ledger-amount", 1)[1]
    assert rows(get(signed_in, "?kind=income")) == [("e", ledger["salary"].id), ("e", ledger["refund"].id)]
    assert ("t", ledger["top_up"].id) not in rows(get(signed_in, "?kind=expense"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=transfer", ["back", "top_up"]),
        ("?kind=income", ["salary", "refund"]),
        ("?kind=expense", ["school", "pizza", "old_rent"]),
        ("?q=PIZZA", ["pizza"]),
        ("?q=neighbours", ["pizza"]),  # notes
        ("?q=top", ["top_up"]),  # a transfer's description
        ("?amount_min=200&amount_max=900", ["school", "refund", "top_up"]),
        ("?amount_min=1500", ["salary", "old_rent"]),
        ("?date_from=2026-03-01&date_to=2026-03-31", ["back", "pizza", "salary"]),
        ("?date_to=2024-12-31", ["top_up", "old_rent"]),
        ("?account={wallet}", ["back", "pizza", "top_up"]),  # transfers in and out
        ("?category={expense_housing}", ["old_rent"]),
        ("?category={expense_food_restaurants}", ["pizza"]),
        ("?method=debit_card", ["school"]),
        ("?status=paid", ["salary", "old_rent"]),
        ("?status=pending", ["school"]),
        ("?status=overdue", ["pizza", "refund"]),
        ("?kind=income&status=overdue", ["refund"]),
    ],
)
def test_filters(signed_in, household, ledger, query, expected):
    ids = {"wallet": ledger["wallet"].id}
    for code in ("expense.housing", "expense.food.restaurants"):
        ids[code.replace(".", "_")] = category(household, code).id
    page = get(signed_in, query.format(**ids))
    want = [("t" if name in ("top_up", "back") else "e", ledger[name].id) for name in expected]
    assert rows(page) == want


def test_the_form_keeps_the_filters(signed_in, ledger):
    wallet = ledger["wallet"].id
    page = get(signed_in, f"?q=pizza&kind=expense&account={wallet}&amount_min=10&date_from=2026-01-01")
    assert 'value="pizza"' in page
    assert '<option selected value="expense">' in page
    assert f'<option value="{wallet}" selected>Wallet</option>' in page
    assert 'name="amount_min" type="text" value="10"' in page
    assert 'value="2026-01-01"' in page


@pytest.mark.parametrize(
    ("query", "message", "count"),
    [
        ("?amount_min=abc", "amount", 7),
        ("?date_from=2026-02-30", "Enter a real date", 7),
        # The first day stays a filter; the impossible last day is left out.
        ("?date_from=2026-03-10&date_to=2026-03-01", "The last day cannot be before the first.", 3),
        ("?amount_min=50&amount_max=10", "The largest amount cannot be below the smallest.", 7),
        ("?kind=bogus", "Choose one of the options.", 7),
        ("?status=late", "Choose one of the options.", 7),
        ("?account=99999999999999", "Choose one of the options.", 7),
        ("?q=" + "x" * 101, "Use at most 100 characters.", 7),
        ("?q=a%00b", "NUL", 7),
    ],
)
def test_a_bad_filter_is_explained_and_ignored(signed_in, ledger, query, message, count):
    page = get(signed_in, query)
    assert "Some filters could not be used" in page
    assert message in page
    assert len(rows(page)) == count  # the bad filter narrows nothing


def test_a_broken_page_link_shows_the_first_page(signed_in, ledger):
    for cursor in ("nonsense", "0.1.not-a-date", "7.1.2026-01-01", "0.99999999999.2026-01-01", "0.1.%00"):
        page = get(signed_in, f"?after={cursor}")
        assert "That page link does not fit this list any more" in page
        assert len(rows(page)) == 7


# Sorting and keyset pages


def test_sorting_both_ways(signed_in, ledger):
    by_amount = get(signed_in, "?sort=amount_asc")
    amounts = [ledger[n] for n in ("back", "pizza", "top_up", "refund", "school", "old_rent", "salary")]
    assert rows(by_amount) == [("t" if hasattr(x, "to_account_id") else "e", x.id) for x in amounts]
    assert rows(get(signed_in, "?sort=amount_desc")) == rows(by_amount)[::-1]
    by_name = rows(get(signed_in, "?sort=description_asc"))
    # The unnamed transfer sorts as an empty description, first.
    assert by_name[0] == ("t", ledger["back"].id)
    named = ("pizza", "old_rent", "salary", "school", "refund")
    assert by_name[1:] == [("e", ledger[n].id) for n in named] + [("t", ledger["top_up"].id)]
    assert rows(get(signed_in, "?sort=description_desc")) == by_name[::-1]
    assert rows(get(signed_in, "?sort=date_asc")) == rows(get(signed_in))[::-1]


def test_sort_links_flip_and_drop_the_cursor(signed_in, ledger):
    page = get(signed_in, "?sort=amount_asc&q=a")
    assert 'href="/transactions?sort=amount_desc&amp;q=a"' in page or 'href="/transactions?q=a&amp;sort=amount_desc"' in page
    assert 'aria-sort="ascending"' in page


def _same_day(household, count: int, day: date) -> list[int]:
    """`count` entries on one day with one amount and one description: nothing but the id
    tells them apart."""
    account = db.session.scalar(
        select(Account).where(Account.household_id == household.id).order_by(Account.id)
    )
    food = db.session.scalar(
        select(Category).where(Category.household_id == household.id, Category.code == "expense.food")
    )
    now = datetime.now(UTC)
    db.session.execute(
        insert(Entry),
        [
            {
                "household_id": household.id, "account_id": account.id, "kind": "expense",
                "amount": Decimal("10.00"), "date": day, "paid_on": None, "description": "Same",
                "category_id": food.id, "payment_method": "cash", "created_at": now, "updated_at": now,
            }
            for _ in range(count)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(Entry.id).where(Entry.household_id == household.id)))


def _walk(client, query: str) -> tuple[list, list[str]]:
    """Every row, following "Next" links from the first page; and the pages visited."""
    seen, pages, url = [], [], URL + query
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(url)
        seen.extend(rows(page))
        url = next_link(page)
    return seen, pages


@pytest.mark.parametrize("sort", ["date_desc", "date_asc", "amount_desc", "amount_asc", "description_asc"])
def test_keyset_pages_across_ties_show_every_row_once(signed_in, household, sort):
    ids = _same_day(household, 130, date(2026, 3, 1))
    checking = checking_account(household)
    wallet = make_account(household, name="Wallet", kind="cash")
    transfers = [
        make_transfer(household, checking, wallet, amount="10", date=date(2026, 3, 1), description="Same")
        for _ in range(5)
    ]
    seen, pages = _walk(signed_in, f"?sort={sort}")
    assert len(pages) == 3  # 135 rows, 50 a page
    assert sorted(seen) == sorted([("e", i) for i in ids] + [("t", t.id) for t in transfers])
    assert len(set(seen)) == len(seen)
    assert all("page=" not in url and "offset" not in url for url in pages)
    ascending = sort.endswith("_asc")
    keys = [(0 if kind == "e" else 1, number) for kind, number in seen]
    assert keys == sorted(keys, reverse=not ascending)  # ties: entries before transfers, then id


def test_previous_goes_back_to_the_same_rows(signed_in, household):
    _same_day(household, 120, date(2026, 3, 1))
    first = get(signed_in)
    assert previous_link(first) is None
    second_url = next_link(first)
    second = signed_in.get(second_url).get_data(as_text=True)
    third = signed_in.get(next_link(second)).get_data(as_text=True)
    assert len(rows(third)) == 20 and next_link(third) is None
    back_to_second = signed_in.get(previous_link(third)).get_data(as_text=True)
    assert rows(back_to_second) == rows(second)
    back_to_first = signed_in.get(previous_link(back_to_second)).get_data(as_text=True)
    assert rows(back_to_first) == rows(first)
    assert previous_link(back_to_first) is None and next_link(back_to_first) == second_url


def test_page_links_keep_the_filters(signed_in, household):
    _same_day(household, 60, date(2026, 3, 1))
    page = get(signed_in, "?kind=expense&sort=amount_asc")
    link = next_link(page)
    assert "kind=expense" in link and "sort=amount_asc" in link and "after=" in link


def test_pages_cost_the_same_few_bounded_queries_however_deep(signed_in, household):
    _same_day(household, 400, date(2026, 3, 1))
    page = get(signed_in)  # the session's first request also records the sign-in's last use
    first = queries_during_get(signed_in, URL)
    for _ in range(5):
        page = signed_in.get(next_link(page)).get_data(as_text=True)
    deep_url = next_link(page)
    deep = queries_during_get(signed_in, deep_url)
    assert first == deep and deep <= 12, (first, deep)
    # The rows are chosen with LIMIT after a cursor, never by skipping rows (OFFSET).
    statements = []

    def keep(_conn, _cursor, statement, parameters, *_rest):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        signed_in.get(deep_url)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    choosing = [(s, p) for s, p in statements if "UNION ALL" in s.upper()]
    assert len(choosing) == 1
    statement, parameters = choosing[0]
    assert statement.upper().count("LIMIT") == 3
    assert _offsets(statement, parameters) in ([], [0, 0, 0])


def _offsets(statement: str, parameters) -> list:
    """The OFFSET values of a statement: SQLite's dialect writes "LIMIT ? OFFSET ?" (0)."""
    return [
        parameters[statement[: found.start()].count("?")]
        for found in re.finditer(r"OFFSET \?", statement)
    ] + [found.group(1) for found in re.finditer(r"OFFSET (\d+)", statement)]


# Empty states


def test_no_transactions_yet(signed_in):
    page = get(signed_in)
    assert "No transactions yet" in page
    assert 'href="/entries/new?kind=expense&amp;next=' in page
    assert "No transaction matches these filters." not in page


def test_no_match(signed_in, ledger):
    page = get(signed_in, "?q=nothing-like-this")
    assert "No transaction matches these filters." in page
    assert '<a href="/transactions">Clear the filters</a>' in page
    assert "No transactions yet" not in page


# Row actions, roles and tenancy


def test_row_actions_come_back_to_the_same_list(signed_in, ledger):
    page = get(signed_in, "?kind=expense")
    pizza = ledger["pizza"].id
    assert f'href="/entries/{pizza}/edit?next=/transactions?kind%3Dexpense"' in page
    assert f'/entries/{pizza}/paid' in page and f'/entries/{pizza}/delete' in page
    top_up = ledger["top_up"].id
    page = get(signed_in)
    assert f'/transfers/{top_up}/edit?next=' in page and f'/transfers/{top_up}/delete' in page
    response = signed_in.post(f"/entries/{pizza}/paid", data={"next": "/transactions?kind=expense"})
    assert response.headers["Location"] == "/transactions?kind=expense"
    db.session.expire_all()
    assert db.session.get(Entry, pizza).paid_on == date(2026, 3, 15)


def test_per_row_forms_repeat_no_element_id(signed_in, ledger):
    page = get(signed_in)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'id="csrf_token"' not in page


def test_a_viewer_sees_every_row_but_no_action(client, auth, household, ledger):
    viewer = add_member(household, "viewer")
    auth.login(viewer.email)
    page = get(client)
    assert len(rows(page)) == 7
    assert "View only" in page
    for action in ("/paid", "/unpaid", "/delete", "/edit", "/entries/new", "/transfers/new"):
        assert action not in page
    assert client.post(f"/entries/{ledger['pizza'].id}/paid").status_code == 403


def test_another_households_rows_never_show_and_their_actions_are_404(signed_in, household, ledger):
    other = household_of(create_user())
    theirs = make_entry(other, description="Their secret", date=date(2026, 3, 1))
    their_checking = checking_account(other)
    their_wallet = make_account(other, name="Their wallet", kind="cash")
    their_transfer = make_transfer(other, their_checking, their_wallet, description="Their move")
    page = get(signed_in)
    assert "Their secret" not in page and "Their move" not in page
    assert rows(get(signed_in, f"?account={their_checking.id}")) == []
    assert rows(get(signed_in, f"?category={theirs.category_id}")) == []
    assert signed_in.post(f"/entries/{theirs.id}/paid", data={"next": URL}).status_code == 404
    assert signed_in.post(f"/entries/{theirs.id}/delete", data={"next": URL}).status_code == 404
    assert signed_in.post(f"/transfers/{their_transfer.id}/delete", data={"next": URL}).status_code == 404
    assert signed_in.get(f"/entries/{theirs.id}/edit?next={URL}").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert "/login" in client.get(URL).headers["Location"]


def test_the_navigation_links_to_the_page(signed_in):
    page = get(signed_in)
    assert 'aria-current="page" href="/transactions"' in page


# Wording of income


def test_income_reads_received_and_not_received(signed_in, ledger):
    page = get(signed_in)

    def badge(entry):
        row = page[page.index(f'data-entry-id="{entry.id}"'):]
        row = row[row.index('<span class="badge') :]
        return row.split('"', 2)[1], row.split(">", 1)[1].split("<", 1)[0]

    assert badge(ledger["salary"]) == ("badge text-bg-success", "Received")
    assert badge(ledger["refund"]) == ("badge text-bg-light border", "Not received")
    assert badge(ledger["pizza"]) == ("badge text-bg-danger", "Overdue")
    assert badge(ledger["old_rent"]) == ("badge text-bg-success", "Paid")
    assert "Mark Tax refund as received" in page and "Mark Salary as not received" in page
    assert "Mark Pizza night as paid" in page
    assert entry_ids(page)  # the entry rows keep the dashboard's markers


def test_the_notes_icon_is_labelled(signed_in, ledger):
    page = get(signed_in)
    assert 'role="img" title="with the neighbours" aria-label="Notes: with the neighbours"' in page


def test_a_cursor_beyond_the_end_starts_over_on_the_first_page(signed_in, household):
    ids = _same_day(household, 70, date(2020, 1, 1))
    page = get(signed_in, f"?after=0.{min(ids)}.2020-01-01&sort=date_desc")  # the very last row
    assert "That page link does not fit this list any more" in page
    assert len(rows(page)) == 50 and rows(page)[0] == ("e", max(ids))
    page = get(signed_in, f"?after=0.{min(ids) + 20}.2020-01-01&sort=date_desc")
    assert rows(page) == [("e", i) for i in range(min(ids) + 19, min(ids) - 1, -1)]
    assert "That page link does not fit" not in page and next_link(page) is None

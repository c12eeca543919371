"""What a user or an attacker sees for input the database cannot take: a 404 for an id beyond
its integer range, a message beside the field for NUL and line breaks, a 400 with a message
for a JSON body that is not what the page's script sends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Category
from tests.ledger_factories import checking_account, field_error, input_value

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
HUGE = [2**31, 2**63, 10**30]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


URLS = [
    "/accounts/{n}",
    "/accounts/{n}/edit",
    "/entries/{n}/edit",
    "/goals/{n}",
    "/dashboard/{n}",
    "/dashboard/2026/{n}",
    "/profile/passkeys/{n}/rename",
]


def test_an_id_beyond_the_integer_range_is_not_found(signed_in, household):
    for number in HUGE:
        for url in URLS:
            assert signed_in.get(url.format(n=number)).status_code == 404, url.format(n=number)
        assert signed_in.post(f"/entries/{number}/delete").status_code == 404
        assert signed_in.post(f"/household/members/{number}/remove").status_code == 404


def test_a_form_id_beyond_the_integer_range_is_refused_beside_its_field(signed_in, household):
    checking = checking_account(household)
    response = signed_in.post(
        "/entries/new",
        data={
            "kind": "expense",
            "description": "Rent",
            "amount": "10",
            "date": "2026-03-10",
            "account_id": str(checking.id),
            "category_id": str(2**31),
            "payment_method": "pix",
        },
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "category_id")


def test_dashboard_filters_out_of_range_are_ignored(signed_in, household):
    for query in [f"page={2**63}", f"account={2**31}", f"category={10**30}", "q=a%00b"]:
        assert signed_in.get(f"/dashboard/2026/3?{query}").status_code == 200, query


def test_a_huge_page_number_or_a_nul_search_shows_a_page(signed_in, household):
    for path in ["/profile/activity", "/household/activity", "/admin/users"]:
        assert signed_in.get(f"{path}?page={2**63}").status_code == 200, path
    assert signed_in.get("/admin/users?q=a%00b").status_code == 200


def test_month_and_year_in_the_query_do_not_collide_with_the_dashboard_route(signed_in, household):
    response = signed_in.get("/dashboard/2026/3?month=5&year=1999&sort=amount_desc")
    assert response.status_code == 200
    # The table's links keep the route's month, not the query's.
    assert "/dashboard/2026/3?" in response.get_data(as_text=True)


def test_a_huge_year_in_a_month_picker_falls_back(signed_in, household):
    for query in [f"year={10**20}&month=3", f"month={10**20}-03"]:
        assert signed_in.get(f"/budgets?{query}").status_code == 200
        assert signed_in.get(f"/dashboard/go?{query}").status_code == 302
        assert signed_in.get(f"/entries/new?{query}").status_code == 200


def test_a_nul_character_is_refused_beside_the_field_and_the_text_kept(signed_in, household):
    response = signed_in.post(
        "/accounts/new",
        data={"name": "Bank\x00X", "kind": "checking", "opening_balance": "0",
              "opening_date": "2026-03-01"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Remove the invisible control character (NUL) from this text." in field_error(page, "name")
    assert "Bank" in (input_value(page, "name") or "")
    assert db.session.scalar(select(func.count(Account.id)).where(Account.name.like("Bank%"))) == 0


def test_a_line_break_in_a_one_line_field_is_refused(signed_in, household):
    before = db.session.scalar(select(func.count(Category.id)))
    for name in ["Food\r\nBcc: x@example.com", "Food\nX", "Food\u2028X"]:
        response = signed_in.post("/categories/new", data={"name": name, "kind": "expense"})
        assert response.status_code == 422
        assert "Write this on one line, without line breaks." in field_error(
            response.get_data(as_text=True), "name"
        )
    assert db.session.scalar(select(func.count(Category.id))) == before


def test_a_line_break_in_a_long_text_is_kept(signed_in, household):
    """Notes are several lines on purpose; only NUL is refused there."""
    checking = checking_account(household)
    response = signed_in.post(
        "/entries/new",
        data={"kind": "expense", "description": "Rent", "amount": "10", "date": "2026-03-10",
              "account_id": str(checking.id), "payment_method": "pix",
              "notes": "line one\r\nline two\x00"},
    )
    assert "Write this on one line" not in response.get_data(as_text=True)


BODIES = [b'{"name": ', b"[]", b'"text"', b"12345678901234567890", b'{"name": ["x"]}',
          b'{"name": "a\\u0000b", "password": "x"}', b'{"credential": "x"}', b"\xff"]


@pytest.mark.parametrize(
    "url", ["/passkeys/register/options", "/passkeys/register/verify", "/passkeys/sign-in/verify"]
)
def test_a_malformed_json_body_is_a_400_with_a_message(signed_in, household, url):
    for body in BODIES:
        response = signed_in.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.get_json()["error"], body


def test_a_form_posted_as_malformed_json_is_a_400(signed_in, household):
    for body in [b'{"csrf_token": ', b"[]", b'"text"', b"123", b'{"x": {"y": 1}}']:
        response = signed_in.post(
            "/profile/passkeys/1/delete", data=body, content_type="application/json"
        )
        assert response.status_code in (400, 404), body

"""“Set balance” through the web: the form on the account page, the snapshot among the
month's rows with its reconciliation gap, delete, other households' ids, and the balances
on the accounts list and the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.services.ledger.snapshots import set_balance
from tests.factories import create_user
from tests.ledger_factories import (
    field_error,
    household_of,
    input_value,
    make_account,
    make_entry,
    row_containing,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def wallet(household):
    """Opened on 1 Jan with 100.00; 30.00 paid on 5 Mar, 20.00 paid on 12 Mar."""
    account = make_account(household, name="Wallet", kind="cash", opening_balance="100")
    make_entry(household, account=account, description="Lunch", amount="30", date=date(2026, 3, 5), paid_on=date(2026, 3, 5))
    make_entry(household, account=account, description="Taxi", amount="20", date=date(2026, 3, 12), paid_on=date(2026, 3, 12))
    return account


def snapshots_of(account) -> list[BalanceSnapshot]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(BalanceSnapshot).where(BalanceSnapshot.account_id == account.id).order_by(BalanceSnapshot.date)
        )
    )


def snapshot_row(page: str) -> str:
    match = re.search(r'<tr class="snapshot-row[^"]*"[^>]*>.*?</tr>', page, re.S)
    assert match is not None, "no snapshot row on the page"
    return match.group(0)


def consolidated(page: str) -> str:
    return re.search(r'id="consolidated-balance"><span class="money[^"]*">([^<]*)<', page).group(1)


def test_the_account_page_offers_the_form(signed_in, wallet):
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    assert "Set balance" in page
    assert f'action="/accounts/{wallet.id}/snapshots"' in page
    assert input_value(page, "date") == "2026-03-15"
    assert input_value(page, "amount") in (None, "")


def test_set_a_balance_and_see_it_with_its_gap(signed_in, wallet):
    response = signed_in.post(
        f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "1,234.56"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/{wallet.id}?year=2026&month=3"
    [snapshot] = snapshots_of(wallet)
    assert (snapshot.date, snapshot.amount, snapshot.source) == (date(2026, 3, 10), Decimal("1234.56"), "manual")

    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Balance on March 10, 2026 set." in page
    row = snapshot_row(page)
    assert "Balance set" in row and "R$1,234.56" in row
    # The ledger said 100 - 30 on the 10th: the gap is 1,164.56.
    assert re.search(r"Ledger said <span[^>]*>R\$70\.00</span>; gap <span[^>]*>R\$1,164\.56</span>", row), row
    assert f'action="/accounts/{wallet.id}/snapshots/{snapshot.id}/delete"' in row
    # The balance today starts from the snapshot: 1,234.56 - 20 (paid on the 12th).
    assert "R$1,214.56</span></strong>" in page


def test_a_balance_that_matches_the_ledger(signed_in, wallet):
    signed_in.post(f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "70"})
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    row = snapshot_row(page)
    assert "matches the ledger" in row and "gap" not in row


def test_a_negative_gap_and_a_negative_balance(signed_in, wallet):
    signed_in.post(f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "-5.50"})
    assert snapshots_of(wallet)[0].amount == Decimal("-5.50")
    row = snapshot_row(signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True))
    assert "-R$5.50" in row and "-R$75.50" in row


def test_portuguese_users_type_portuguese_amounts(signed_in, user, wallet):
    user.locale = "pt"
    db.session.commit()
    response = signed_in.post(
        f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "1.234,56"}
    )
    assert response.status_code == 302
    assert snapshots_of(wallet)[0].amount == Decimal("1234.56")
    page = signed_in.get(f"/accounts/{wallet.id}").get_data(as_text=True)
    assert "R$\xa01.234,56" in snapshot_row(page)


def test_setting_the_same_day_again_replaces_it(signed_in, wallet):
    signed_in.post(f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "50"})
    signed_in.post(f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "60"})
    assert [s.amount for s in snapshots_of(wallet)] == [Decimal("60.00")]


@pytest.mark.parametrize(
    ("data", "field", "kept"),
    [
        ({"date": "2026-03-10", "amount": "12,34,5x"}, "amount", "12,34,5x"),
        ({"date": "2026-03-10", "amount": ""}, "amount", ""),
        ({"date": "2026-02-30", "amount": "10.00"}, "date", "2026-02-30"),
        ({"date": "", "amount": "10.00"}, "date", ""),
        ({"date": "2026-03-16", "amount": "10.00"}, "date", "2026-03-16"),  # tomorrow
    ],
)
def test_bad_input_is_refused_and_kept(signed_in, wallet, data, field, kept):
    response = signed_in.post(f"/accounts/{wallet.id}/snapshots", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field)
    assert (input_value(page, field) or "") == kept
    assert snapshots_of(wallet) == []


def test_delete_a_snapshot(signed_in, wallet):
    snapshot = set_balance(db.session, wallet, date(2026, 3, 10), Decimal("500"))
    db.session.commit()
    response = signed_in.post(f"/accounts/{wallet.id}/snapshots/{snapshot.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/accounts/{wallet.id}?year=2026&month=3"
    assert snapshots_of(wallet) == []
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "snapshot-row" not in page
    assert "R$50.00</span></strong>" in page  # back to 100 - 30 - 20


def test_delete_is_post_only(signed_in, wallet):
    snapshot = set_balance(db.session, wallet, date(2026, 3, 10), Decimal("500"))
    db.session.commit()
    assert signed_in.get(f"/accounts/{wallet.id}/snapshots/{snapshot.id}/delete").status_code == 405
    assert signed_in.get(f"/accounts/{wallet.id}/snapshots").status_code == 405


def test_other_households_ids_are_404_on_every_route(signed_in, household, wallet):
    stranger = household_of(create_user())
    theirs = make_account(stranger, name="Theirs")
    their_snapshot = set_balance(db.session, theirs, date(2026, 3, 1), Decimal("9"))
    mine = set_balance(db.session, wallet, date(2026, 3, 1), Decimal("8"))
    other_mine = make_account(household, name="Mine too")
    db.session.commit()

    assert signed_in.get(f"/accounts/{theirs.id}").status_code == 404
    data = {"date": "2026-03-10", "amount": "1.00"}
    assert signed_in.post(f"/accounts/{theirs.id}/snapshots", data=data).status_code == 404
    assert signed_in.post(f"/accounts/{theirs.id}/snapshots/{their_snapshot.id}/delete").status_code == 404
    # My account with their snapshot, and my snapshot under another of my accounts.
    assert signed_in.post(f"/accounts/{wallet.id}/snapshots/{their_snapshot.id}/delete").status_code == 404
    assert signed_in.post(f"/accounts/{other_mine.id}/snapshots/{mine.id}/delete").status_code == 404
    assert signed_in.post(f"/accounts/{wallet.id}/snapshots/999999/delete").status_code == 404
    assert signed_in.post("/accounts/999999/snapshots", data=data).status_code == 404

    assert len(snapshots_of(theirs)) == 1 and len(snapshots_of(wallet)) == 1
    assert db.session.scalar(select(func.count()).select_from(BalanceSnapshot)) == 2


def test_the_accounts_list_and_the_dashboard_follow_the_snapshot(signed_in, wallet):
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "R$50.00" in row_containing(page, f'href="/accounts/{wallet.id}"')
    assert consolidated(page) == "R$50.00"

    signed_in.post(f"/accounts/{wallet.id}/snapshots", data={"date": "2026-03-10", "amount": "1,000.00"})
    page = signed_in.get("/accounts").get_data(as_text=True)
    assert "R$980.00" in row_containing(page, f'href="/accounts/{wallet.id}"')  # 1000 - 20
    assert consolidated(page) == "R$980.00"
    dashboard = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert 'data-metric="accounts"><span class="money money-positive">R$980.00' in dashboard
    # February's dashboard is before the snapshot: the opening balance rule.
    february = signed_in.get("/dashboard/2026/2").get_data(as_text=True)
    assert 'data-metric="accounts"><span class="money money-positive">R$100.00' in february


def test_visitors_are_sent_to_sign_in(client):
    assert client.post("/accounts/1/snapshots").status_code == 302
    assert client.post("/accounts/1/snapshots/1/delete").status_code == 302

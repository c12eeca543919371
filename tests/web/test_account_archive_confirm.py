"""Archiving an account that still holds money asks first, on a page that says where the
balance goes; confirming (POST confirm=1) archives it; a zero balance archives at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.models import Account
from finora.services.ledger.account_archive import ArchiveNeedsConfirmationError, archive_account
from finora.services.planning.household_forecast import household_forecast
from tests.ledger_factories import make_account, make_entry, reload
from tests.planning_factories import make_rule

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def consolidated(page: str) -> str:
    return re.search(r'id="consolidated-balance"><span class="money[^"]*">([^<]*)<', page).group(1)


def test_an_account_with_money_asks_and_says_where_the_balance_goes(signed_in, household):
    bank = make_account(household, name="Old bank", opening_balance="1234.56")
    response = signed_in.post(f"/accounts/{bank.id}/archive")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert not reload(Account, bank.id).archived
    words = text(page)
    assert "Archive “Old bank”?" in words
    assert "This account still holds R$1,234.56 today." in words
    assert "The balance stays in this account’s history" in words
    assert "It leaves the household’s total of all accounts and the forecast" in words
    assert "move it to another account with a transfer first" in words
    assert 'href="/transfers/new?next=/accounts"' in page
    form = re.search(rf'<form method="post" action="/accounts/{bank.id}/archive".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="confirm" value="1">' in form

    response = signed_in.post(f"/accounts/{bank.id}/archive", data={"confirm": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/accounts"
    assert reload(Account, bank.id).archived
    listing = signed_in.get("/accounts").get_data(as_text=True)
    assert "Account “Old bank” archived. Its history is kept." in listing
    assert consolidated(listing) == "R$0.00"  # what the page said: the total leaves it


def test_what_the_page_says_is_what_happens_to_the_forecast(household):
    bank = make_account(household, name="Old bank", opening_balance="500")
    before = household_forecast(db.session, household).current_balance
    archive_account(db.session, bank, date(2026, 3, 15), confirmed=True)
    db.session.commit()
    assert household_forecast(db.session, household).current_balance == before - Decimal("500.00")


def test_an_account_left_out_of_the_forecast_says_so(signed_in, household):
    box = make_account(household, name="Box", kind="savings", opening_balance="10", include_in_forecast=False)
    words = text(signed_in.post(f"/accounts/{box.id}/archive").get_data(as_text=True))
    assert "It leaves the household’s total of all accounts (the forecast does not count this account already)." in words
    assert "and the forecast" not in words


def test_a_debt_asks_too_and_rules_that_keep_posting_are_named(signed_in, household):
    card = make_account(household, name="Card", kind="credit_card")
    make_entry(household, account=card, amount="80", date=date(2026, 3, 2), paid_on=date(2026, 3, 2))
    make_rule(household, account_id=card.id)  # posts automatically, no end
    make_rule(household, account_id=card.id, name="Old", end_date=date(2026, 2, 1))  # ended
    words = text(signed_in.post(f"/accounts/{card.id}/archive").get_data(as_text=True))
    assert "This account still holds -R$80.00 today." in words
    assert "1 recurring rule posts to this account automatically and keeps doing so after it is archived." in words
    assert not reload(Account, card.id).archived


def test_a_zero_balance_archives_at_once(signed_in, household):
    empty = make_account(household, name="Empty")
    response = signed_in.post(f"/accounts/{empty.id}/archive")
    assert response.status_code == 302 and reload(Account, empty.id).archived


def test_the_service_refuses_without_confirmation(household):
    bank = make_account(household, name="Old bank", opening_balance="5")
    with pytest.raises(ArchiveNeedsConfirmationError) as raised:
        archive_account(db.session, bank, date(2026, 3, 15))
    assert raised.value.impact.balance == Decimal("5.00") and raised.value.impact.in_forecast
    assert not reload(Account, bank.id).archived

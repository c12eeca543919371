"""The ledger's objects for the API's role matrix (tests/api/test_api_roles.py): one
account, entry and transfer per household."""

from __future__ import annotations

from datetime import timedelta

from finora.dates import today
from finora.models import Account, Entry, Transfer
from tests.ledger_factories import make_account, make_entry, make_transfer

COUNTED = (Account, Entry, Transfer)


def objects(household) -> dict[str, int]:
    day = today(household)
    account = make_account(household, name="Ledger matrix", opening_date=day - timedelta(days=30))
    other = make_account(household, name="Ledger matrix savings", kind="savings",
                         opening_date=day - timedelta(days=30))
    entry = make_entry(household, account=account, date=day)
    transfer = make_transfer(household, account, other, date=day)
    return {"account_id": account.id, "entry_id": entry.id, "transfer_id": transfer.id}

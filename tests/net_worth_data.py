"""A household whose net worth is known by hand, for the service, page, export and API tests.

Today is 2026-03-15 (the household's date). Accounts:
  Bank   checking     opened 2026-01-01 with 1,000.00
  Card   credit_card  opened 2026-01-01 with 0
  Old    cash         opened 2026-01-01 with 50.00, archived after it was emptied
  Box    savings      opened 2026-02-01 with 200.00
  (and the household's own Checking account, opened today with 0)
January:  salary 2,000.00 paid into Bank 01-05; a 300.00 purchase on Card paid 01-20.
February: Bank pays the card (transfer 300.00, 02-10); Old moves its 50.00 to Bank (02-10).
March:    a snapshot says Bank holds 5,000.00 on 03-01; a 100.00 purchase on Card 03-05;
          an unpaid 999.00 expense on Bank (never counted).
=> month   assets     liabilities  net worth  change
   2026-01 3,050.00   300.00       2,750.00   —  (no account before January)
   2026-02 2,950.00   0.00         2,950.00   +200.00 (Box's opening balance)
   2026-03 5,200.00   100.00       5,100.00   +2,150.00 (the snapshot, less the card)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from finora.extensions import db
from finora.services.ledger.accounts import set_account_archived
from finora.services.ledger.snapshots import set_balance
from tests.ledger_factories import make_account, make_entry, make_transfer

NOW = datetime(2026, 3, 15, 15, tzinfo=UTC)
EXPECTED = [
    ("2026-01", Decimal("3050.00"), Decimal("300.00"), Decimal("2750.00"), None),
    ("2026-02", Decimal("2950.00"), Decimal("0.00"), Decimal("2950.00"), Decimal("200.00")),
    ("2026-03", Decimal("5200.00"), Decimal("100.00"), Decimal("5100.00"), Decimal("2150.00")),
]


def fill_net_worth(household) -> dict:
    bank = make_account(household, name="Bank", kind="checking", opening_balance="1000", opening_date=date(2026, 1, 1))
    card = make_account(household, name="Card", kind="credit_card", opening_date=date(2026, 1, 1))
    old = make_account(household, name="Old", kind="cash", opening_balance="50", opening_date=date(2026, 1, 1))
    box = make_account(household, name="Box", kind="savings", opening_balance="200", opening_date=date(2026, 2, 1))
    make_entry(household, kind="income", amount="2000", date=date(2026, 1, 5), paid_on=date(2026, 1, 5), account=bank)
    make_entry(household, amount="300", date=date(2026, 1, 20), paid_on=date(2026, 1, 20), account=card)
    make_transfer(household, bank, card, amount="300", date=date(2026, 2, 10))
    make_transfer(household, old, bank, amount="50", date=date(2026, 2, 10))
    set_account_archived(db.session, old, True)
    set_balance(db.session, bank, date(2026, 3, 1), Decimal("5000"))
    make_entry(household, amount="100", date=date(2026, 3, 5), paid_on=date(2026, 3, 5), account=card)
    make_entry(household, amount="999", date=date(2026, 3, 8), account=bank)
    db.session.commit()
    return {"bank": bank, "card": card, "old": old, "box": box}

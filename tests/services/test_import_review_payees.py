"""The review's payee choices at commit: a payee the user gave one row is offered to the
file's other rows of that description (rows with no choice of their own) and learned for
later files; a row's own choice, and the file's own payee, are kept."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finora.dates import now_utc
from finora.extensions import db
from finora.models import Entry, PayeePattern
from finora.services.imports.commit import commit_import
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile
from finora.services.imports.staging import Staged
from tests.ledger_factories import checking_account


def test_a_payee_given_one_row_goes_to_the_rows_of_its_description(household, user):
    account = checking_account(household)
    rows = [
        ImportedRow(line=n, date=date(2026, 3, n), amount=Decimal("-10.00"), description=text, payee=payee)
        for n, text, payee in [
            (1, "PAG*PADARIA REAL 0301", None), (2, "PADARIA REAL 0302", None),
            (3, "PADARIA REAL 0303", None), (4, "PADARIA REAL 0304", "Padaria do Zé"),
        ]
    ]
    parsed = ParsedFile(format="csv", rows=rows)
    decisions = {"1": {"payee": "Padaria Real", "tags": ["pão"]}, "3": {"payee": "", "tags": []}}
    staged = Staged(token="t" * 32, household_id=household.id, user_id=user.id, file_name="f.csv",
                    format="csv", size=1, created_at=now_utc(), account_id=account.id, decisions=decisions)
    review = build_review(db.session, household, account, parsed)
    commit_import(db.session, household, user, account, staged, parsed, review)
    db.session.commit()
    got = {e.date.day: (e.payee.name if e.payee else None, [t.name for t in e.tags])
           for e in db.session.scalars(select(Entry))}
    assert got == {1: ("Padaria Real", ["pão"]), 2: ("Padaria Real", []), 3: (None, []),
                   4: ("Padaria do Zé", [])}
    assert [(p.pattern, p.payee.name) for p in db.session.scalars(select(PayeePattern))] == [
        ("padaria real", "Padaria Real")
    ]

"""Balance snapshots and the balance rule of DESIGN §4: the latest snapshot on or before
the day, plus the money that moved after it (else the opening balance plus everything)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import event, func, insert, select

from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.services.ledger.account_activity import account_activity
from finora.services.ledger.accounts import account_balances
from finora.services.ledger.snapshots import (
    delete_snapshot,
    list_snapshots,
    reconcile,
    reconciliation_gap,
    set_balance,
)
from tests.factories import create_user
from tests.ledger_factories import (
    household_of,
    make_account,
    make_entry,
    make_transfer,
)

D = Decimal


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def home(app):
    return household_of(create_user())


@pytest.fixture
def ledger(home):
    """Bank opened on 1 Jan with 1,000.00; Other account to send transfers to and from."""
    bank = make_account(home, name="Bank", opening_balance="1000", opening_date=date(2026, 1, 1))
    other = make_account(home, name="Other", opening_date=date(2026, 1, 1))

    def paid(kind, amount, day):
        make_entry(home, account=bank, kind=kind, amount=amount, date=day, paid_on=day)

    paid("income", "500", date(2026, 2, 5))
    paid("expense", "100", date(2026, 2, 10))  # on the snapshot day: already in it
    paid("expense", "40", date(2026, 2, 11))  # the day after: counted
    make_entry(home, account=bank, amount="999", date=date(2026, 2, 12))  # unpaid: never
    make_transfer(home, other, bank, amount="300", date=date(2026, 2, 10))  # in the snapshot
    make_transfer(home, bank, other, amount="25", date=date(2026, 2, 20))  # after: counted
    make_transfer(home, other, bank, amount="7", date=date(2026, 2, 3))  # before: in the snapshot
    return bank, other


def balance(household, account, day) -> Decimal:
    return account_balances(db.session, household, day)[account.id]


def snap(account, day, amount, **kwargs) -> BalanceSnapshot:
    snapshot = set_balance(db.session, account, day, D(amount), **kwargs)
    db.session.commit()
    return snapshot


def test_without_a_snapshot_the_opening_balance_rule_is_unchanged(home, ledger):
    bank, other = ledger
    # 1000 + 7 + 500 - 100 + 300 - 40 - 25
    assert balance(home, bank, date(2026, 3, 31)) == D("1642.00")
    assert balance(home, bank, date(2026, 2, 10)) == D("1707.00")
    assert balance(home, bank, date(2025, 12, 31)) == D("1000.00")
    assert balance(home, other, date(2026, 3, 31)) == D("-282.00")


def test_a_snapshot_in_the_middle_restarts_the_balance(home, ledger):
    bank, other = ledger
    snap(bank, date(2026, 2, 10), "2000")
    # Entries paid and transfers dated on or before the 10th are in the snapshot.
    assert balance(home, bank, date(2026, 2, 10)) == D("2000.00")
    assert balance(home, bank, date(2026, 2, 11)) == D("1960.00")  # - 40
    assert balance(home, bank, date(2026, 3, 31)) == D("1935.00")  # - 40 - 25
    # Before the snapshot day: the opening balance rule still applies.
    assert balance(home, bank, date(2026, 2, 9)) == D("1507.00")
    assert balance(home, bank, date(2025, 12, 31)) == D("1000.00")
    # The other account has no snapshot: unchanged.
    assert balance(home, other, date(2026, 3, 31)) == D("-282.00")


def test_transfers_after_the_snapshot_count_both_ways(home, ledger):
    bank, other = ledger
    snap(other, date(2026, 2, 10), "50")
    make_transfer(home, bank, other, amount="10", date=date(2026, 2, 10))  # in the snapshot
    make_transfer(home, bank, other, amount="20", date=date(2026, 2, 11))
    assert balance(home, other, date(2026, 3, 31)) == D("95.00")  # 50 + 25 + 20
    assert balance(home, bank, date(2026, 3, 31)) == D("1612.00")  # 1642 - 10 - 20


def test_the_latest_snapshot_on_or_before_the_day_wins(home, ledger):
    bank, _other = ledger
    snap(bank, date(2026, 2, 1), "100")
    snap(bank, date(2026, 2, 15), "3000")
    assert balance(home, bank, date(2026, 2, 1)) == D("100.00")
    assert balance(home, bank, date(2026, 2, 14)) == D("767.00")  # 100 + 7 + 500 - 100 + 300 - 40
    assert balance(home, bank, date(2026, 2, 15)) == D("3000.00")
    assert balance(home, bank, date(2026, 3, 31)) == D("2975.00")
    assert balance(home, bank, date(2026, 1, 31)) == D("1000.00")  # before the first one


def test_a_later_snapshot_does_not_count_before_its_day(home, ledger):
    bank, _other = ledger
    snap(bank, date(2026, 4, 30), "1")
    assert balance(home, bank, date(2026, 3, 31)) == D("1642.00")
    assert balance(home, bank, date(2026, 4, 30)) == D("1.00")


def test_setting_the_same_day_again_replaces_the_amount(home, ledger):
    bank, _other = ledger
    first = snap(bank, date(2026, 2, 10), "2000")
    second = snap(bank, date(2026, 2, 10), "-12.34")
    assert second.id == first.id
    assert [(s.date, s.amount) for s in list_snapshots(db.session, bank)] == [
        (date(2026, 2, 10), D("-12.34"))
    ]
    assert balance(home, bank, date(2026, 2, 10)) == D("-12.34")


def test_an_external_ref_is_recorded_once(home, ledger):
    bank, other = ledger
    first = snap(bank, date(2026, 2, 10), "2000", source="email", external_ref="<abc@bank>")
    again = snap(bank, date(2026, 2, 11), "1", source="email", external_ref="<abc@bank>")
    assert again.id == first.id and again.amount == D("2000.00") and again.date == date(2026, 2, 10)
    # A manual one on the same day is a separate row; the one recorded last wins.
    manual = snap(bank, date(2026, 2, 10), "1500")
    assert manual.id != first.id
    assert balance(home, bank, date(2026, 2, 10)) == D("1500.00")
    # The same reference on another account is another statement.
    elsewhere = snap(other, date(2026, 2, 10), "9", source="import", external_ref="<abc@bank>")
    assert elsewhere.id != first.id
    assert db.session.scalar(select(func.count()).select_from(BalanceSnapshot)) == 3


def test_delete_brings_back_the_previous_starting_point(home, ledger):
    bank, _other = ledger
    snapshot = snap(bank, date(2026, 2, 10), "2000")
    delete_snapshot(db.session, snapshot)
    db.session.commit()
    assert list_snapshots(db.session, bank) == []
    assert balance(home, bank, date(2026, 3, 31)) == D("1642.00")


def test_snapshots_of_another_household_are_ignored(home, ledger):
    bank, _other = ledger
    stranger = household_of(create_user())
    theirs = make_account(stranger, name="Theirs", opening_date=date(2026, 1, 1))
    snap(theirs, date(2026, 2, 10), "5")
    assert balance(home, bank, date(2026, 3, 31)) == D("1642.00")
    assert account_balances(db.session, stranger, date(2026, 3, 31))[theirs.id] == D("5.00")


@pytest.mark.parametrize(
    ("amount", "gap"),
    [("1800", "93.00"), ("1700", "-7.00"), ("1707", "0.00")],
)
def test_the_reconciliation_gap(home, ledger, amount, gap):
    bank, _other = ledger
    snapshot = snap(bank, date(2026, 2, 10), amount)
    # Without it, the ledger says 1000 + 7 + 500 - 100 + 300 on the 10th.
    assert reconciliation_gap(db.session, bank, snapshot) == D(gap)


def test_the_gap_starts_from_the_previous_snapshot(home, ledger):
    bank, _other = ledger
    older = snap(bank, date(2026, 2, 1), "100")
    newer = snap(bank, date(2026, 2, 15), "900")
    later = snap(bank, date(2026, 3, 1), "875")
    assert reconciliation_gap(db.session, bank, older) == D("-900.00")  # 1000 on the 1st
    # 100 + 7 + 500 - 100 + 300 - 40 = 767 on the 15th
    assert reconciliation_gap(db.session, bank, newer) == D("133.00")
    assert reconciliation_gap(db.session, bank, later) == D("0.00")  # 900 - 25
    together = reconcile(db.session, bank, [later, older, newer])
    assert {k: v.gap for k, v in together.items()} == {
        older.id: D("-900.00"),
        newer.id: D("133.00"),
        later.id: D("0.00"),
    }
    assert together[newer.id].ledger_balance == D("767.00")


def test_activity_lists_snapshots_among_entries_and_transfers(home, ledger):
    bank, _other = ledger
    snap(bank, date(2026, 2, 10), "1800")
    rows = account_activity(db.session, bank, date(2026, 2, 1), date(2026, 2, 28))
    days = [(m.day, "snapshot" if m.snapshot else "transfer" if m.transfer else "entry") for m in rows]
    assert days[0] == (date(2026, 2, 20), "transfer")
    # The snapshot is the balance at the END of its day: listed above that day's rows.
    tenth = [kind for day, kind in days if day == date(2026, 2, 10)]
    assert tenth[0] == "snapshot" and sorted(tenth[1:]) == ["entry", "transfer"]
    [snapshot_row] = [m for m in rows if m.snapshot]
    assert snapshot_row.signed_amount == D("1800.00")
    assert snapshot_row.reconciliation.gap == D("93.00")
    assert snapshot_row.reconciliation.ledger_balance == D("1707.00")


def _count_queries(fn) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_balance_queries_do_not_grow_with_snapshots(home, ledger):
    bank, other = ledger
    stranger = household_of(create_user())
    mine = make_account(stranger, name="Mine", opening_date=date(2026, 1, 1))
    make_entry(stranger, account=mine, amount="3", date=date(2026, 3, 1), paid_on=date(2026, 3, 1))
    snap(mine, date(2026, 2, 1), "10")
    snap(bank, date(2026, 1, 1), "1")
    now = datetime.now(UTC)
    rows = [
        {
            "household_id": home.id, "account_id": account.id, "date": date(2026, 1, 2) + timedelta(days=n),
            "amount": D(n), "source": "manual", "created_at": now,
        }
        for n in range(25)
        for account in (bank, other)
    ]
    db.session.execute(insert(BalanceSnapshot), rows)
    db.session.commit()
    for loaded in (home, stranger, bank, other, mine):
        assert loaded.id  # loaded again after the commit, outside the counts

    day = date(2026, 3, 31)
    one = _count_queries(lambda: account_balances(db.session, stranger, day))
    fifty = _count_queries(lambda: account_balances(db.session, home, day))
    assert one == fifty <= 4, (one, fifty)
    # 50 snapshots (latest on Jan 26: 24 for both) and the money moved after them.
    balances = account_balances(db.session, home, day)
    assert balances[bank.id] == D("666.00")  # 24 + 500 - 100 - 40 + 300 - 25 + 7
    assert balances[other.id] == D("-258.00")  # 24 - 300 + 25 - 7
    assert account_balances(db.session, stranger, day)[mine.id] == D("7.00")

    # The month history's reconciliation does not grow with the snapshots shown either.
    few = _count_queries(lambda: account_activity(db.session, mine, date(2026, 2, 1), date(2026, 2, 28)))
    many = _count_queries(lambda: account_activity(db.session, bank, date(2026, 1, 1), date(2026, 1, 31)))
    assert few == many, (few, many)

"""The balance cache (finora/services/ledger/balance_cache.py): a read again is served from
the cache, and every write a balance depends on shows at once, whatever makes it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import downgrade, upgrade

from finora.extensions import db
from finora.models import Account, BalanceSnapshot, Entry, Household, Transfer
from finora.services.backups import household_restore
from finora.services.backups.container import open_archive
from finora.services.backups.household_archive import write_household_archive
from finora.services.backups.household_restore import check_household_archive, restore_replacing
from finora.services.ledger import accounts as accounts_service
from finora.services.ledger import balance_cache
from finora.services.ledger.accounts import AccountData, account_balances, update_account
from finora.services.ledger.snapshots import set_balance
from finora.services.people.demo import delete_demo_household
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account, make_entry, make_transfer

DAY = date(2026, 3, 31)
TRIGGERS = {f"trg_{table}_ledger_{event}" for table in ("entries", "transfers", "balance_snapshots", "accounts")
            for event in ("insert", "update", "delete")}


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 31, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def computed(monkeypatch):
    """The days the balances were computed for (not taken from the cache), call by call."""
    calls: list[list[date]] = []
    real = accounts_service._compute_balances_on

    def spy(session, household, days):
        calls.append(list(days))
        return real(session, household, days)

    monkeypatch.setattr(accounts_service, "_compute_balances_on", spy)
    return calls


@pytest.fixture
def ledger(app):
    home = household_of(create_user())
    bank = make_account(home, name="Bank", opening_balance="1000", opening_date=date(2026, 1, 1))
    wallet = make_account(home, name="Wallet", opening_balance="50", opening_date=date(2026, 1, 1))
    entry = make_entry(home, account=bank, amount="100.00", date=date(2026, 2, 1), paid_on=date(2026, 2, 1))
    db.session.commit()
    return home, bank, wallet, entry


def balance(home: Household, account: Account) -> Decimal:
    figure = account_balances(db.session, home, DAY)[account.id]
    db.session.commit()  # each read its own transaction, as each request
    return figure


def test_a_second_read_comes_from_the_cache_and_equals_the_computation(ledger, computed):
    home, bank, wallet, _entry = ledger
    first = account_balances(db.session, home, DAY)
    db.session.commit()
    again = account_balances(db.session, home, DAY)
    assert computed == [[DAY]]
    assert again == first == accounts_service._compute_balances_on(db.session, home, [DAY])[DAY]
    assert again[bank.id] == Decimal("900.00") and again[wallet.id] == Decimal("50.00")


def test_the_callers_copy_is_its_own(ledger):
    home, bank, _wallet, _entry = ledger
    account_balances(db.session, home, DAY)[bank.id] = Decimal("1")
    db.session.commit()
    account_balances(db.session, home, DAY)[bank.id] = Decimal("2")
    assert balance(home, bank) == Decimal("900.00")


def test_an_orm_edit_shows_at_once(ledger):
    home, bank, _wallet, entry = ledger
    assert balance(home, bank) == Decimal("900.00")
    entry.amount = Decimal("150.00")
    db.session.commit()
    assert balance(home, bank) == Decimal("850.00")


def test_a_core_bulk_update_and_delete_show_at_once(ledger):
    home, bank, _wallet, _entry = ledger
    make_entry(home, account=bank, amount="20.00", date=date(2026, 3, 1), paid_on=date(2026, 3, 1))
    assert balance(home, bank) == Decimal("880.00")
    db.session.execute(sa.update(Entry).where(Entry.household_id == home.id).values(amount=Decimal("1.00")))
    db.session.commit()
    assert balance(home, bank) == Decimal("998.00")
    db.session.execute(sa.delete(Entry).where(Entry.household_id == home.id))
    db.session.commit()
    assert balance(home, bank) == Decimal("1000.00")


def test_a_new_snapshot_and_an_opening_balance_show_at_once(ledger):
    home, bank, _wallet, _entry = ledger
    assert balance(home, bank) == Decimal("900.00")
    set_balance(db.session, bank, date(2026, 3, 1), Decimal("123.45"))
    db.session.commit()
    assert balance(home, bank) == Decimal("123.45")
    db.session.execute(sa.delete(BalanceSnapshot).where(BalanceSnapshot.account_id == bank.id))
    db.session.commit()
    assert balance(home, bank) == Decimal("900.00")
    update_account(db.session, bank, AccountData(name="Bank", kind="checking", opening_balance=Decimal("10"),
                                                 opening_date=date(2026, 1, 1)))
    db.session.commit()
    assert balance(home, bank) == Decimal("-90.00")


def test_a_transfer_shows_at_once(ledger):
    home, bank, wallet, _entry = ledger
    assert balance(home, wallet) == Decimal("50.00")
    transfer = make_transfer(home, bank, wallet, amount="25", date=date(2026, 3, 2))
    assert balance(home, wallet) == Decimal("75.00")
    assert balance(home, bank) == Decimal("875.00")
    db.session.execute(sa.update(Transfer).where(Transfer.id == transfer.id).values(date=date(2026, 4, 2)))
    db.session.commit()
    assert balance(home, wallet) == Decimal("50.00")


def test_a_change_committed_by_another_connection_shows_at_once(ledger, database_url):
    home, bank, _wallet, entry = ledger
    entry_id = entry.id  # read now: on MariaDB a read would start the session's snapshot
    assert balance(home, bank) == Decimal("900.00")
    other = sa.create_engine(database_url)
    try:
        with other.begin() as connection:
            connection.execute(sa.text("UPDATE entries SET amount = 30000 WHERE id = :id"), {"id": entry_id})
        assert balance(home, bank) == Decimal("700.00")
        with other.begin() as connection:
            connection.execute(sa.text("DELETE FROM entries WHERE id = :id"), {"id": entry_id})
        assert balance(home, bank) == Decimal("1000.00")
    finally:
        other.dispose()


def test_a_transaction_that_wrote_neither_reads_nor_fills_the_cache(ledger, computed):
    """Its revision counts its own writes: after a rollback, the next committed write gets
    the same number for another ledger."""
    home, bank, _wallet, entry = ledger
    assert balance(home, bank) == Decimal("900.00")
    entry.amount = Decimal("400.00")
    db.session.flush()
    assert account_balances(db.session, home, DAY)[bank.id] == Decimal("600.00")
    db.session.rollback()
    db.session.execute(sa.update(Entry).where(Entry.id == entry.id).values(amount=Decimal("5.00")))
    db.session.commit()
    assert balance(home, bank) == Decimal("995.00")
    assert len(computed) == 3


def test_a_pending_change_is_flushed_before_the_revision_is_read(ledger):
    home, bank, _wallet, entry = ledger
    assert balance(home, bank) == Decimal("900.00")
    entry.amount = Decimal("1.00")  # not flushed: the read's autoflush writes it
    assert account_balances(db.session, home, DAY)[bank.id] == Decimal("999.00")
    db.session.rollback()
    assert balance(home, bank) == Decimal("900.00")


def test_a_household_with_a_ledger_can_be_deleted(ledger):
    home, bank, wallet, _entry = ledger
    make_transfer(home, bank, wallet, amount="25", date=date(2026, 3, 2))
    set_balance(db.session, bank, date(2026, 3, 1), Decimal("5"))
    db.session.commit()
    home_id = home.id
    delete_demo_household(db.session, home_id)
    db.session.commit()
    assert db.session.get(Household, home_id) is None


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("SELECT * FROM entries", False),
        ("INSERT INTO entries (id) VALUES (1)", True),
        ('UPDATE "transfers" SET amount = 1', True),
        ("DELETE FROM `balance_snapshots`", True),
        ("INSERT INTO audit_events (id) VALUES (1)", False),
        ("UPDATE user_sessions SET last_seen_at = 1", False),
        ("DELETE FROM households WHERE id = 1", True),  # cascades to the ledger
        ("DELETE FROM recurring_rules WHERE id = 1", True),  # entries.rule_id SET NULL
        ("DELETE FROM audit_events", False),
        ("WITH gone AS (SELECT 1) DELETE FROM entries", True),
        ("TRUNCATE entries", True),
    ],
)
def test_statements_that_may_change_a_balance_are_noticed(statement, writes):
    assert balance_cache.writes_ledger(statement) is writes


def _triggers(connection) -> set[str]:
    name = connection.dialect.name
    if name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    elif name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
    return {row[0] for row in connection.execute(sa.text(sql))}


def test_the_migration_creates_and_drops_the_triggers(tmp_path):
    url = create_test_database(SERVER)
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                assert _triggers(connection) == TRIGGERS
            downgrade(revision="0016")
            with db.engine.connect() as connection:
                assert _triggers(connection) == set()
                columns = {c["name"] for c in sa.inspect(connection).get_columns("households")}
                assert "ledger_revision" not in columns
            upgrade()
            with db.engine.connect() as connection:
                assert _triggers(connection) == TRIGGERS
            db.engine.dispose()
    finally:
        drop_test_database(url)


def test_a_household_deleted_in_one_statement_takes_its_ledger_along(ledger):
    """ON DELETE CASCADE from the household: its accounts, snapshots and entries go with it
    (MariaDB fires no trigger for a cascade; the others' triggers update a row that is
    going away)."""
    home, bank, _wallet, _entry = ledger
    set_balance(db.session, bank, date(2026, 3, 1), Decimal("5"))
    db.session.commit()
    home_id = home.id
    db.session.execute(sa.delete(Entry).where(Entry.household_id == home_id))
    db.session.execute(sa.delete(Household).where(Household.id == home_id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Account).where(Account.household_id == home_id)) == 0


def test_restoring_a_household_archive_in_place_shows_at_once(ledger, tmp_path):
    """The archive's revision is not restored: the household's keeps counting up."""
    home, bank, _wallet, _entry = ledger
    path = tmp_path / "home.zip"
    write_household_archive(db.session, home, path)
    db.session.commit()
    assert balance(home, bank) == Decimal("900.00")
    make_entry(home, account=bank, amount="20.00", date=date(2026, 3, 1), paid_on=date(2026, 3, 1))
    assert balance(home, bank) == Decimal("880.00")
    revision = db.session.get(Household, home.id).ledger_revision
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        restore_replacing(db.session, reader, plan, household=home)
    db.session.commit()
    assert db.session.get(Household, home.id).ledger_revision > revision
    restored = db.session.scalar(sa.select(Account).where(Account.household_id == home.id, Account.name == "Bank"))
    assert balance(home, restored) == Decimal("900.00")
    assert _triggers(db.session.connection()) == TRIGGERS  # SQLite pauses them for a restore


def test_a_failed_restore_leaves_the_triggers_in_place(ledger, tmp_path, monkeypatch):
    home, _bank, _wallet, _entry = ledger
    path = tmp_path / "home.zip"
    write_household_archive(db.session, home, path)
    db.session.commit()

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(household_restore, "_insert_spooled", broken)
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        with pytest.raises(RuntimeError):
            restore_replacing(db.session, reader, plan, household=home)
    assert _triggers(db.session.connection()) == TRIGGERS
    db.session.rollback()
    assert _triggers(db.session.connection()) == TRIGGERS


def test_unflushed_ledger_changes_bypass_the_cache(ledger, computed):
    home, bank, _wallet, entry = ledger
    assert balance(home, bank) == Decimal("900.00")
    with db.session.no_autoflush:
        entry.amount = Decimal("1.00")
        assert account_balances(db.session, home, DAY)[bank.id] == Decimal("900.00")
    db.session.rollback()
    assert len(computed) == 2

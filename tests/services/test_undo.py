"""Undo: a deleted entry, transfer or rule (with what went with it) and a bulk edit come
back exactly — same ids, same cents — or not at all: too late, twice, something gone,
something in the way, someone else's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.errors import FieldError, NotFoundError
from finora.extensions import db
from finora.models import (
    Account,
    AuditEvent,
    Category,
    Entry,
    ImportBatch,
    ImportMatch,
    RecurringRule,
    Skip,
    Transfer,
    UndoRecord,
)
from finora.services.backups.container import open_archive
from finora.services.backups.household_archive import write_household_archive
from finora.services.backups.household_restore import check_household_archive, restore_replacing
from finora.services.undo.actions import categorise_with_undo, delete_with_undo, mark_paid_with_undo
from finora.services.undo.errors import (
    UndoBlockedError,
    UndoConflictError,
    UndoExpiredError,
    UndoUsedError,
)
from finora.services.undo.records import KEEP_EXPIRED, UNDO_WINDOW, get_record, undo
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
    snapshot,
)
from tests.members_factories import add_member
from tests.planning_factories import make_rule

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(app):
    return create_user()


@pytest.fixture
def home(owner):
    return household_of(owner)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _undo(record_id: int, user) -> int:
    record = db.session.get(UndoRecord, record_id)
    try:
        restored = undo(db.session, record, user)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return restored


def test_a_deleted_entry_comes_back_to_the_cent_with_its_id_and_import_match(home, owner):
    entry = make_entry(home, amount="1234.57", description="Mercado", notes="feira",
                       date=date(2026, 3, 2), payment_method="debit_card")
    batch = ImportBatch(household_id=home.id, account_id=entry.account_id, file_name="x.ofx", format="ofx")
    db.session.add(batch)
    db.session.flush()
    entry.paid_on, entry.import_batch_id, entry.import_key = date(2026, 3, 3), batch.id, "k" * 64
    db.session.add(ImportMatch(batch_id=batch.id, entry_id=entry.id, previous_paid_on=None))
    db.session.commit()
    before = snapshot(Entry, entry.id)

    record = delete_with_undo(db.session, home, owner, label="Mercado", entries=[entry])
    db.session.commit()
    assert snapshot(Entry, before["id"]) is None and _count(ImportMatch) == 0
    stored = db.session.get(UndoRecord, record.id).payload["tables"][0]["rows"][0]
    assert stored["amount"] == 123457  # integer cents, never a float

    assert _undo(record.id, owner) == 2
    assert snapshot(Entry, before["id"]) == before
    assert db.session.scalar(select(ImportMatch.entry_id)) == before["id"]
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "undo.restored"


def test_a_deleted_transfer_comes_back_with_both_accounts(home, owner):
    savings = make_account(home, name="Savings")
    transfer = make_transfer(home, checking_account(home), savings, amount="0.01", description="Cofrinho")
    before = snapshot(Transfer, transfer.id)
    record = delete_with_undo(db.session, home, owner, label="Cofrinho", transfers=[transfer])
    db.session.commit()
    assert _count(Transfer) == 0
    _undo(record.id, owner)
    assert snapshot(Transfer, before["id"]) == before


def test_a_deleted_rule_comes_back_with_its_skips_and_its_posted_entries_linked(home, owner):
    rule = make_rule(home, amount=Decimal("1500.10"), posted_through=date(2026, 2, 10))
    posted = make_entry(home, description="Rent", date=date(2026, 2, 10))
    posted.rule_id, posted.occurrence_date = rule.id, date(2026, 2, 10)
    db.session.add(Skip(household_id=home.id, rule_id=rule.id, occurrence_date=date(2026, 4, 10)))
    db.session.commit()
    before = snapshot(RecurringRule, rule.id)

    record = delete_with_undo(db.session, home, owner, label="Rent", rules=[rule])
    db.session.commit()
    assert snapshot(Entry, posted.id)["rule_id"] is None and _count(Skip) == 0

    _undo(record.id, owner)
    assert snapshot(RecurringRule, before["id"]) == before
    assert snapshot(Entry, posted.id)["rule_id"] == before["id"]
    assert db.session.scalar(select(Skip.occurrence_date)) == date(2026, 4, 10)


def test_an_undo_works_once(home, owner):
    record = delete_with_undo(db.session, home, owner, label="x", entries=[make_entry(home)])
    db.session.commit()
    _undo(record.id, owner)
    with pytest.raises(UndoUsedError):
        _undo(record.id, owner)
    assert _count(Entry) == 1


def test_an_undo_expires(home, owner, frozen_time):
    record = delete_with_undo(db.session, home, owner, label="x", entries=[make_entry(home)])
    db.session.commit()
    frozen_time.shift(UNDO_WINDOW)
    with pytest.raises(UndoExpiredError):
        _undo(record.id, owner)
    assert _count(Entry) == 0
    assert db.session.get(UndoRecord, record.id).used_at is None


def test_old_records_are_purged_when_the_next_undoable_change_is_saved(home, owner, frozen_time):
    delete_with_undo(db.session, home, owner, label="x", entries=[make_entry(home)])
    db.session.commit()
    frozen_time.shift(UNDO_WINDOW + KEEP_EXPIRED + timedelta(seconds=1))
    delete_with_undo(db.session, home, owner, label="y", entries=[make_entry(home)])
    db.session.commit()
    assert list(db.session.scalars(select(UndoRecord.label))) == ["y"]


def test_nothing_comes_back_when_the_account_is_gone(home, owner):
    """(Accounts are archived, not deleted, in the app today: the rule holds for any row.)"""
    other = make_account(home, name="Closed")
    keep = make_entry(home)
    gone = make_entry(home, account=other)
    record = delete_with_undo(db.session, home, owner, label="2", entries=[keep, gone])
    db.session.commit()
    db.session.delete(db.session.get(Account, other.id))
    db.session.commit()
    with pytest.raises(UndoBlockedError):
        _undo(record.id, owner)
    assert _count(Entry) == 0  # not half restored
    assert db.session.get(UndoRecord, record.id).used_at is None


def test_an_imported_row_saved_again_since_blocks_the_undo(home, owner):
    entry = make_entry(home)
    entry.import_key = "a" * 64
    db.session.commit()
    record = delete_with_undo(db.session, home, owner, label="x", entries=[entry])
    db.session.commit()
    again = make_entry(home)
    again.import_key = "a" * 64
    db.session.commit()
    with pytest.raises(UndoConflictError):
        _undo(record.id, owner)
    assert _count(Entry) == 1


def test_a_reused_id_gives_the_restored_row_a_new_one_and_its_children_follow(home, owner):
    entry = make_entry(home, amount="7.77")
    batch = ImportBatch(household_id=home.id, account_id=entry.account_id, file_name="x.ofx", format="ofx")
    db.session.add(batch)
    db.session.flush()
    db.session.add(ImportMatch(batch_id=batch.id, entry_id=entry.id))
    db.session.commit()
    old_id = entry.id
    record = delete_with_undo(db.session, home, owner, label="x", entries=[entry])
    db.session.commit()
    # What SQLite does after deleting the highest id; forced here on every engine.
    taker = make_entry(home, amount="1.00", commit=False)
    db.session.flush()
    if taker.id != old_id:
        db.session.execute(Entry.__table__.update().where(Entry.id == taker.id).values(id=old_id))
    db.session.commit()
    _undo(record.id, owner)
    restored = db.session.scalar(select(Entry).where(Entry.amount == Decimal("7.77")))
    assert restored.id != old_id
    assert db.session.scalar(select(ImportMatch.entry_id)) == restored.id


def test_bulk_delete_of_entries_and_a_transfer_comes_back_whole(home, owner):
    entries = [make_entry(home, amount=f"{n}.0{n}") for n in range(1, 4)]
    transfer = make_transfer(home, checking_account(home), make_account(home))
    before = [snapshot(Entry, e.id) for e in entries] + [snapshot(Transfer, transfer.id)]
    record = delete_with_undo(db.session, home, owner, label="3", entries=entries, transfers=[transfer])
    db.session.commit()
    assert record.count == 4 and _count(Entry) == 0
    assert _undo(record.id, owner) == 4
    after = [snapshot(Entry, e["id"]) for e in before[:3]] + [snapshot(Transfer, before[3]["id"])]
    assert after == before


def test_bulk_categorise_and_its_undo(home, owner):
    food = category(home, "expense.food")
    groceries = category(home, "expense.food.groceries")
    housing = category(home, "expense.housing")
    first = make_entry(home)  # food / groceries
    second = make_entry(home, category=housing, subcategory=None)
    record = categorise_with_undo(db.session, home, owner, [first, second], housing.id)
    db.session.commit()
    assert record.count == 1  # the second had it already
    assert snapshot(Entry, first.id)["category_id"] == housing.id
    assert snapshot(Entry, first.id)["subcategory_id"] is None
    _undo(record.id, owner)
    assert (snapshot(Entry, first.id)["category_id"], snapshot(Entry, first.id)["subcategory_id"]) == (
        food.id, groceries.id)
    assert snapshot(Entry, second.id)["category_id"] == housing.id


def test_bulk_categorise_refuses_a_category_of_the_other_kind(home, owner):
    salary = make_entry(home, kind="income")
    with pytest.raises(FieldError):
        categorise_with_undo(db.session, home, owner, [salary], category(home, "expense.housing").id)
    db.session.rollback()
    other = household_of(create_user())
    with pytest.raises(FieldError):
        categorise_with_undo(db.session, home, owner, [salary], category(other, "income.work").id)


def test_an_entry_edited_since_a_bulk_change_blocks_its_undo(home, owner):
    entry = make_entry(home)
    record = categorise_with_undo(db.session, home, owner, [entry], category(home, "expense.housing").id)
    db.session.commit()
    entry = db.session.get(Entry, entry.id)
    entry.category_id, entry.subcategory_id = category(home, "expense.transport").id, None
    db.session.commit()
    with pytest.raises(UndoConflictError):
        _undo(record.id, owner)
    assert snapshot(Entry, entry.id)["category_id"] == category(home, "expense.transport").id


def test_a_category_deleted_since_blocks_the_undo(home, owner):
    mine = Category(household_id=home.id, kind="expense", name="Mine")
    db.session.add(mine)
    db.session.commit()
    entry = make_entry(home, category=mine, subcategory=None)
    record = categorise_with_undo(db.session, home, owner, [entry], category(home, "expense.housing").id)
    db.session.commit()
    db.session.delete(db.session.get(Category, mine.id))
    db.session.commit()
    with pytest.raises(UndoBlockedError):
        _undo(record.id, owner)


def test_bulk_mark_paid_and_its_undo(home, owner):
    unpaid = make_entry(home)
    paid = make_entry(home, paid_on=date(2026, 3, 1))
    record = mark_paid_with_undo(db.session, home, owner, [unpaid, paid], date(2026, 3, 15))
    db.session.commit()
    assert record.count == 1
    assert snapshot(Entry, unpaid.id)["paid_on"] == date(2026, 3, 15)
    _undo(record.id, owner)
    assert snapshot(Entry, unpaid.id)["paid_on"] is None
    assert snapshot(Entry, paid.id)["paid_on"] == date(2026, 3, 1)


def test_a_bulk_change_of_a_deleted_entry_cannot_be_undone(home, owner):
    entries = [make_entry(home), make_entry(home)]
    record = mark_paid_with_undo(db.session, home, owner, entries, date(2026, 3, 15))
    db.session.commit()
    db.session.delete(db.session.get(Entry, entries[0].id))
    db.session.commit()
    with pytest.raises(UndoBlockedError):
        _undo(record.id, owner)
    assert snapshot(Entry, entries[1].id)["paid_on"] == date(2026, 3, 15)


def test_only_the_person_who_made_the_change_finds_its_record(home, owner):
    record = delete_with_undo(db.session, home, owner, label="x", entries=[make_entry(home)])
    db.session.commit()
    assert get_record(db.session, home, owner, record.id).id == record.id
    editor = add_member(home, "editor")
    with pytest.raises(NotFoundError):
        get_record(db.session, home, editor, record.id)
    stranger = create_user()
    with pytest.raises(NotFoundError):
        get_record(db.session, household_of(stranger), stranger, record.id)
    with pytest.raises(NotFoundError):
        get_record(db.session, household_of(stranger), owner, record.id)


def test_a_large_bulk_delete_fits_its_record(home, owner):
    """200 entries make a snapshot past 64 KiB (MariaDB's TEXT): the column holds it."""
    entries = [make_entry(home, amount=f"{n}.{n % 100:02d}", notes="n" * 200, commit=False) for n in range(1, 201)]
    db.session.commit()
    total = db.session.scalar(select(func.sum(Entry.amount)))
    record = delete_with_undo(db.session, home, owner, label="200", entries=entries)
    db.session.commit()
    db.session.expire_all()
    assert len(db.session.get(UndoRecord, record.id).payload["tables"][0]["rows"]) == 200
    assert _undo(record.id, owner) == 200
    assert db.session.scalar(select(func.sum(Entry.amount))) == total


def test_a_restore_replacing_the_household_ends_its_undo_offers(home, owner, tmp_path):
    """An Undo from before the restore would bring back a row of the household as it was."""
    entry = make_entry(home)
    path = tmp_path / "home.zip"
    write_household_archive(db.session, home, path)
    delete_with_undo(db.session, home, owner, label="x", entries=[entry])
    theirs = household_of(create_user())
    delete_with_undo(db.session, theirs, owner, label="y", entries=[make_entry(theirs)])
    db.session.commit()
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        restore_replacing(db.session, reader, plan, household=home)
    db.session.commit()
    assert list(db.session.scalars(select(UndoRecord.label))) == ["y"]

"""Committing a review: one batch with its counts, the new rows as entries, the accepted
matches paid on the bank's date, the file's new categories made; a conflict leaves nothing.
Undo removes exactly the batch's entries and restores what it matched, once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from finora.dates import now_utc
from finora.errors import FieldError
from finora.extensions import db
from finora.models import AuditEvent, Category, Entry, ImportBatch, ImportMatch
from finora.services.imports.batches import AlreadyUndoneError, list_batches, undo_batch
from finora.services.imports.categories import CategoryGoneError
from finora.services.imports.commit import ImportConflictError, commit_import
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile, RowError
from finora.services.imports.staging import Staged
from finora.services.ledger.catalogue import create_category, delete_category, set_category_archived
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    reload,
)

DAY = date(2026, 3, 10)


def row(line, amount="-10.00", description="Padaria", day=DAY, **extra) -> ImportedRow:
    return ImportedRow(line=line, date=day, amount=Decimal(amount), description=description, **extra)


def staged_for(household, user, account, decisions=None, account_number=None) -> Staged:
    return Staged(
        token="t" * 32, household_id=household.id, user_id=user.id, file_name="march.csv",
        format="csv", size=100, created_at=now_utc(), account_id=account.id,
        decisions=decisions or {}, account_number=account_number,
    )


def run(household, user, rows, *, account=None, decisions=None, errors=(), number=None):
    account = account or checking_account(household)
    parsed = ParsedFile(format="csv", rows=list(rows), errors=list(errors), account_number=number)
    review = build_review(db.session, household, account, parsed)
    batch = commit_import(db.session, household, user, account, staged_for(household, user, account, decisions),
                          parsed, review)
    db.session.commit()
    return batch


def counts(batch):
    return (batch.rows_in_file, batch.added, batch.matched, batch.duplicates, batch.skipped, batch.errors)


def entries_of(household):
    return list(db.session.scalars(select(Entry).where(Entry.household_id == household.id).order_by(Entry.id)))


def test_a_commit_adds_the_rows_as_one_batch(household, user):
    batch = run(household, user, [
        row(1, description="Padaria", paid=True, payment_method="debit_card", notes="bread"),
        row(2, "2500.00", "Salary", day=DAY + timedelta(days=1)),
        row(3, "-70.00", "Gas bill", paid=False),
    ], errors=[RowError(4, "No date.")])
    assert counts(batch) == (4, 3, 0, 0, 0, 1)
    bread, salary, gas = entries_of(household)
    assert (bread.kind, bread.amount, bread.date, bread.paid_on, bread.payment_method, bread.notes) == (
        "expense", Decimal("10.00"), DAY, DAY, "debit_card", "bread")
    assert (salary.kind, salary.amount) == ("income", Decimal("2500.00"))
    assert gas.paid_on is None
    assert {e.import_batch_id for e in (bread, salary, gas)} == {batch.id}
    assert all(len(e.import_key) == 64 and e.created_by_id == user.id for e in (bread, salary, gas))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.committed"))
    assert event.details["added"] == 3 and event.object_id == batch.id and event.household_id == household.id
    from finora.services.system.activity_rows import event_rows

    assert event_rows(db.session, [event])[0].subject == "march.csv"  # the activity page's subject


def test_importing_the_same_file_again_adds_nothing(household, user):
    rows = [row(1), row(2), row(3, "-4.50", "Coffee")]
    run(household, user, rows)
    again = run(household, user, rows)
    assert counts(again) == (3, 0, 0, 3, 0, 0)
    assert len(entries_of(household)) == 3


def test_an_accepted_match_marks_the_entry_paid_on_the_banks_date(household, user):
    pending = make_entry(household, amount="89.90", date=DAY - timedelta(days=3), description="Internet")
    batch = run(household, user, [row(1, "-89.90", "NET SERVICOS")])
    assert counts(batch) == (1, 0, 1, 0, 0, 0)
    fresh = reload(Entry, pending.id)
    assert fresh.paid_on == DAY and fresh.import_key is not None and fresh.import_batch_id is None
    assert fresh.description == "Internet"
    # The statement imported again finds the matched entry: nothing twice.
    assert counts(run(household, user, [row(1, "-89.90", "NET SERVICOS")]))[3] == 1


def test_a_match_the_file_calls_unpaid_links_the_entry_without_paying_it(household, user):
    pending = make_entry(household, amount="89.90", date=DAY)
    batch = run(household, user, [row(1, "-89.90", "NET", paid=False)])
    assert (batch.matched, batch.added) == (1, 0)
    fresh = reload(Entry, pending.id)
    assert fresh.paid_on is None and fresh.import_key is not None


def test_a_declined_match_is_added_as_a_new_entry(household, user):
    pending = make_entry(household, amount="89.90", date=DAY)
    batch = run(household, user, [row(1, "-89.90", "NET")], decisions={"1": {"match": False}})
    assert counts(batch) == (1, 1, 0, 0, 0, 0)
    assert reload(Entry, pending.id).paid_on is None
    assert len(entries_of(household)) == 2


def test_skipped_rows_and_chosen_categories(household, user):
    bakery = category(household, "expense.food.bakery")
    transport = category(household, "expense.transport")
    batch = run(household, user, [row(1), row(2, "-3.00", "Bus"), row(3, "-5.00", "Cake")], decisions={
        "1": {"skip": True}, "2": {"category_id": transport.id}, "3": {"category_id": bakery.id},
    })
    assert counts(batch) == (3, 2, 0, 0, 1, 0)
    bus, cake = entries_of(household)
    assert (bus.category_id, bus.subcategory_id) == (transport.id, None)
    assert (cake.category_id, cake.subcategory_id) == (bakery.parent_id, bakery.id)


def test_a_chosen_category_of_another_household_or_kind_is_refused(household, user):
    stranger = category(household_of(create_user()), "expense.food")
    salary = category(household, "income.work")
    for chosen in (stranger.id, salary.id, "abc", 2**70, -1):
        with pytest.raises(FieldError):
            run(household, user, [row(1)], decisions={"1": {"category_id": chosen}})
        db.session.rollback()
    assert entries_of(household) == [] and db.session.scalar(select(func.count(ImportBatch.id))) == 0


def nothing_written(household) -> bool:
    return entries_of(household) == [] and db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_a_chosen_category_deleted_before_the_commit_is_named_and_nothing_is_written(household, user):
    """Another member deletes a category chosen in the review before the commit: the commit
    refuses, naming the category and its rows (not a bare "Choose a category.")."""
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    decisions = {line: {"category_id": pets.id, "category_label": "Pets"} for line in ("1", "3")}
    delete_category(db.session, pets)
    db.session.commit()
    with force_locale("en"), pytest.raises(CategoryGoneError) as caught:
        run(household, user, [row(1), row(2, "-3.00", "Bus"), row(3, "-5.00", "Vet")], decisions=decisions)
    assert caught.value.status == 409
    assert str(caught.value.message) == (
        "Nothing was imported: a category chosen for some rows was deleted or archived meanwhile: "
        "“Pets” (rows 1, 3). Choose another category for those rows and import again."
    )
    db.session.rollback()
    assert nothing_written(household)


def test_chosen_categories_archived_before_the_commit_are_named_with_their_rows(household, user):
    bakery = category(household, "expense.food.bakery")
    transport = category(household, "expense.transport")
    gone = create_category(db.session, household, kind="expense", name="Gone")
    set_category_archived(db.session, category(household, "expense.food"), True)  # bakery follows
    set_category_archived(db.session, transport, True)
    delete_category(db.session, gone)
    db.session.commit()
    # Saved without a label (staged before labels were kept): the name comes from the row.
    decisions = {"1": {"category_id": bakery.id}, "2": {"category_id": transport.id},
                 "3": {"category_id": gone.id}, "4": {"category_id": transport.id}}
    rows = [row(1), row(2, "-3.00", "Bus"), row(3, "-4.00", "Gone"), row(4, "-5.00", "Taxi")]
    with force_locale("en"), pytest.raises(CategoryGoneError) as caught:
        run(household, user, rows, decisions=decisions)
    assert str(caught.value.message) == (
        "Nothing was imported: categories chosen for some rows were deleted or archived meanwhile: "
        "“Food › Bakery and snacks” (row 1); “Transport” (rows 2, 4); “deleted category” (row 3). "
        "Choose other categories for those rows and import again."
    )
    db.session.rollback()
    assert nothing_written(household)
    # A row skipped or matched takes no category: its choice does not stop the import.
    batch = run(household, user, rows[1:2], decisions={"2": {"category_id": transport.id, "skip": True}})
    assert counts(batch) == (1, 0, 0, 0, 1, 0)


def test_a_category_the_file_names_deleted_before_the_commit_is_named(household, user):
    """The review found the file's "Pets" and planned its new subcategory "Vet" under it;
    Pets is deleted before the commit: refused by name, no stray top-level "Vet" made."""
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    account = checking_account(household)
    parsed = ParsedFile(format="csv", rows=[row(1, category="Pets", subcategory="Vet")])
    review = build_review(db.session, household, account, parsed)
    assert (review.rows[0].category_id, review.rows[0].resolved.new_child) == (pets.id, "Vet")
    delete_category(db.session, pets)
    db.session.commit()
    with force_locale("en"), pytest.raises(CategoryGoneError) as caught:
        commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    assert "“Pets” (row 1)" in str(caught.value.message)
    db.session.rollback()
    assert nothing_written(household)
    assert db.session.scalar(select(Category).where(Category.name == "Vet")) is None


def test_a_category_the_file_names_deleted_by_another_member_during_the_commit(household, user):
    """As above, the deletion committed by another connection while this session still
    holds the category it reviewed: refused (409, by name where the engine already sees
    the deletion, else as a conflict to review again), nothing written, never a crash."""
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    account = checking_account(household)
    parsed = ParsedFile(format="csv", rows=[row(1, category="Pets", subcategory="Vet")])
    review = build_review(db.session, household, account, parsed)
    with db.engine.begin() as other:
        other.execute(delete(Category).where(Category.id == pets.id))
    with pytest.raises((CategoryGoneError, ImportConflictError)) as caught:
        commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    assert caught.value.status == 409
    db.session.rollback()
    assert nothing_written(household)
    assert db.session.scalar(select(Category).where(Category.name == "Vet")) is None


def test_the_files_new_categories_are_made_once(household, user):
    run(household, user, [
        row(1, category="Pets", subcategory="Vet"), row(2, category="pets", subcategory="VET"),
        row(3, category="Food", subcategory="Organic"),
    ])
    pets = db.session.scalar(select(Category).where(Category.household_id == household.id, Category.name == "Pets"))
    vet = db.session.scalar(select(Category).where(Category.parent_id == pets.id))
    organic = db.session.scalar(select(Category).where(Category.name == "Organic"))
    assert (pets.kind, vet.name) == ("expense", "Vet")
    assert organic.parent_id == category(household, "expense.food").id
    first, second, third = entries_of(household)
    assert (first.category_id, first.subcategory_id) == (second.category_id, second.subcategory_id) == (pets.id, vet.id)
    assert third.subcategory_id == organic.id


def test_a_conflict_mid_way_leaves_nothing(household, user):
    """Someone imports a row of the file between this review and its commit: the bulk
    insert fails on the unique key and nothing of this import stays (batch, categories,
    entries, matches, audit)."""
    account = checking_account(household)
    pending = make_entry(household, amount="89.90", date=DAY)
    rows = [row(1, "-89.90", "NET"), row(2, category="Brand new"), row(3, "-7.00", "Later")]
    parsed = ParsedFile(format="csv", rows=rows)
    review = build_review(db.session, household, account, parsed)
    sneaky = make_entry(household, amount="7.00", date=DAY, description="Later", commit=False)
    sneaky.import_key = review.rows[2].key
    db.session.commit()
    before = entries_of(household)
    with force_locale("en"), pytest.raises(ImportConflictError) as caught:
        commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    assert "review again" in str(caught.value)
    db.session.rollback()
    assert [e.id for e in entries_of(household)] == [e.id for e in before]
    assert reload(Entry, pending.id).paid_on is None
    assert db.session.scalar(select(func.count(ImportBatch.id))) == 0
    assert db.session.scalar(select(func.count(ImportMatch.id))) == 0
    assert db.session.scalar(select(Category).where(Category.name == "Brand new")) is None
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("import.%"))) == 0


def test_a_match_paid_meanwhile_is_a_conflict(household, user):
    account = checking_account(household)
    pending = make_entry(household, amount="89.90", date=DAY)
    parsed = ParsedFile(format="csv", rows=[row(1, "-89.90", "NET")])
    review = build_review(db.session, household, account, parsed)
    reload(Entry, pending.id).paid_on = DAY - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ImportConflictError):
        commit_import(db.session, household, user, account, staged_for(household, user, account), parsed, review)
    db.session.rollback()
    assert reload(Entry, pending.id).paid_on == DAY - timedelta(days=1)


def test_the_account_remembers_the_statements_number(household, user):
    account = checking_account(household)
    other = make_account(household, name="Savings")
    other.number = "PT50 0002 0123 1234 5678 9015 4"
    db.session.commit()
    run(household, user, [row(1)], account=account, number="pt50000201231234567890154")
    assert reload(type(account), account.id).number is None  # another account carries it
    run(household, user, [row(2, "-1.00")], account=account, number="BR 1234-5")
    assert reload(type(account), account.id).number == "BR 1234-5"


def test_undo_removes_exactly_the_batchs_entries_and_restores_matches(household, user):
    pending = make_entry(household, amount="89.90", date=DAY, description="Internet")
    batch = run(household, user, [row(1, "-89.90", "NET"), row(2), row(3, "-4.00", "Coffee")])
    by_hand = make_entry(household, amount="10.00", date=DAY, description="Padaria", paid_on=DAY)  # typed by hand
    earlier = run(household, user, [row(1, "-1.00", "Other file")], account=make_account(household))
    removed = undo_batch(db.session, batch, user)
    db.session.commit()
    assert removed == 2
    left = {e.id for e in entries_of(household)}
    assert {pending.id, by_hand.id} <= left and len(left) == 3  # + the other batch's entry
    restored = reload(Entry, pending.id)
    assert (restored.paid_on, restored.import_key) == (None, None)
    fresh = reload(ImportBatch, batch.id)
    assert fresh.undone_at is not None and fresh.undone_by_id == user.id
    assert reload(ImportBatch, earlier.id).undone_at is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.undone"))
    assert event.details["removed"] == 2 and event.details["restored"] == 1
    # The same file again after undo: everything is offered again (the match too).
    review = build_review(db.session, household, checking_account(household),
                          ParsedFile(format="csv", rows=[row(1, "-89.90", "NET"), row(2)]))
    assert [item.status for item in review.rows] == ["match", "new"]


def test_undoing_twice_is_refused(household, user):
    batch = run(household, user, [row(1)])
    undo_batch(db.session, batch, user)
    db.session.commit()
    with force_locale("en"), pytest.raises(AlreadyUndoneError) as caught:
        undo_batch(db.session, reload(ImportBatch, batch.id), user)
    assert "already undone" in str(caught.value)


def test_batches_newest_first_with_their_account(household, user):
    first = run(household, user, [row(1)])
    savings = make_account(household, name="Savings")
    second = run(household, user, [row(1)], account=savings)
    stranger = household_of(create_user())
    run(stranger, user, [row(1)], account=checking_account(stranger))
    batches = list_batches(db.session, household)
    assert [b.id for b in batches] == [second.id, first.id]
    assert [b.account_name for b in batches] == ["Savings", checking_account(household).name]
    assert batches[0].created_by_name == user.name


def test_two_commits_of_one_file_at_once_land_it_once(app, household, user):
    """Two people commit the same statement at the same moment: its rows land once; the
    later commit is refused (review again) or finds them all already there."""
    from tests.concurrency import at_once

    rows = [row(n, f"-{n}.00", f"Shop {n}") for n in range(1, 201)]
    account_id, household_id, user_id = checking_account(household).id, household.id, user.id
    db.session.commit()

    def commit_once():
        from finora.models import Account, Household, User

        with app.app_context():
            try:
                home, person = db.session.get(Household, household_id), db.session.get(User, user_id)
                account = db.session.get(Account, account_id)
                parsed = ParsedFile(format="csv", rows=rows)
                review = build_review(db.session, home, account, parsed)
                batch = commit_import(db.session, home, person, account, staged_for(home, person, account),
                                      parsed, review)
                db.session.commit()
                return (batch.added, batch.duplicates)
            finally:
                db.session.remove()

    results = at_once([commit_once, commit_once])
    assert all(isinstance(r, (tuple, ImportConflictError)) for r in results), results
    assert (200, 0) in results
    assert db.session.scalar(select(func.count(Entry.id))) == 200

"""The review: duplicates (keys already on the account, or repeated in the file), matches
with pending entries (same kind and amount, ±5 days, closest first, each entry once) and
each row's category (the file's, a new one, the household's history, the default)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import force_locale

from finora.extensions import db
from finora.models import Category
from finora.services.imports.keys import import_keys
from finora.services.imports.review import build_review
from finora.services.imports.rows import ImportedRow, ParsedFile, RowError
from finora.services.ledger.catalogue import create_category, set_category_archived
from tests.ledger_factories import category, checking_account, make_account, make_entry

DAY = date(2026, 3, 10)


def row(line, amount="-10.00", description="Padaria", day=DAY, **extra) -> ImportedRow:
    return ImportedRow(line=line, date=day, amount=Decimal(amount), description=description, **extra)


def parsed(*rows, errors=()) -> ParsedFile:
    return ParsedFile(format="csv", rows=list(rows), errors=list(errors), header=("a", "b"))


def review_of(household, *rows, account=None, errors=()):
    return build_review(db.session, household, account or checking_account(household), parsed(*rows, errors=errors))


def keep(household, rows, account=None):
    """The rows as if imported earlier onto the account (their keys stored)."""
    account = account or checking_account(household)
    for item, key in zip(rows, import_keys(rows), strict=True):
        entry = make_entry(household, amount=item.magnitude, date=item.date, description=item.description,
                           account=account, paid_on=item.date, commit=False)
        entry.import_key = key
    db.session.commit()


def statuses(review):
    return [item.status for item in review.rows]


def test_twins_in_one_file_are_both_new(household):
    review = review_of(household, row(1), row(2))
    assert statuses(review) == ["new", "new"]
    assert review.counts == {"new": 2, "duplicate": 0, "match": 0, "error": 0}


def test_the_same_file_again_is_all_duplicates(household):
    rows = [row(1), row(2), row(3, "2500.00", "Salary")]
    keep(household, rows)
    review = review_of(household, *rows)
    assert statuses(review) == ["duplicate"] * 3
    assert review.counts["new"] == 0


def test_an_overlapping_statement_adds_only_its_new_days(household):
    march = [row(n, day=DAY + timedelta(days=n)) for n in range(1, 6)]
    keep(household, march)
    later = [row(n, day=DAY + timedelta(days=n + 3)) for n in range(1, 6)]  # days 4..8
    assert statuses(review_of(household, *later)) == ["duplicate", "duplicate", "new", "new", "new"]


def test_one_more_twin_than_last_time_is_one_new_row(household):
    keep(household, [row(1)])
    assert statuses(review_of(household, row(1), row(2))) == ["duplicate", "new"]


def test_keys_are_per_account(household):
    keep(household, [row(1)])
    savings = make_account(household, name="Savings")
    assert statuses(review_of(household, row(1), account=savings)) == ["new"]


def test_a_bank_id_twice_in_one_file_is_a_duplicate_the_second_time(household):
    review = review_of(household, row(1, bank_id="X1"), row(2, "-99.00", bank_id="X1"))
    assert statuses(review) == ["new", "duplicate"]


def test_a_pending_entry_within_five_days_is_matched(household):
    pending = make_entry(household, amount="89.90", date=DAY - timedelta(days=5), description="Internet")
    review = review_of(household, row(1, "-89.90", "NET SERVICOS"))
    assert statuses(review) == ["match"]
    assert review.rows[0].match.id == pending.id


def test_no_match_beyond_five_days_nor_for_another_amount_or_kind(household):
    make_entry(household, amount="89.90", date=DAY - timedelta(days=6))
    make_entry(household, amount="89.91", date=DAY)
    make_entry(household, kind="income", amount="89.90", date=DAY)
    make_entry(household, amount="89.90", date=DAY, paid_on=DAY)  # already paid
    make_entry(household, amount="89.90", date=DAY, account=make_account(household))
    assert statuses(review_of(household, row(1, "-89.90"))) == ["new"]


def test_the_closest_date_wins_and_each_entry_is_matched_once(household):
    far = make_entry(household, amount="50.00", date=DAY + timedelta(days=4))
    near = make_entry(household, amount="50.00", date=DAY - timedelta(days=1))
    review = review_of(household, row(1, "-50.00"), row(2, "-50.00"), row(3, "-50.00"))
    assert [item.match.id if item.match else None for item in review.rows] == [near.id, far.id, None]
    assert statuses(review) == ["match", "match", "new"]


def test_a_duplicate_is_never_a_match(household):
    keep(household, [row(1, "-50.00")])
    make_entry(household, amount="50.00", date=DAY)
    assert statuses(review_of(household, row(1, "-50.00"))) == ["duplicate"]


def test_errors_of_the_file_and_rows_the_ledger_cannot_hold(household):
    with force_locale("en"):
        review = review_of(
            household, row(2), row(3, "0.00"), row(4, day=date(1850, 1, 1)), row(5, "-1.005"),
            errors=[RowError(1, "No date.", ("", "x"))],
        )
    assert [error.line for error in review.errors] == [1, 3, 4, 5]
    assert review.errors[1].reason == "The amount is zero."
    assert "1900" in review.errors[2].reason
    assert review.counts == {"new": 1, "duplicate": 0, "match": 0, "error": 4}


def test_long_descriptions_are_cut_and_blank_ones_get_a_name(household):
    with force_locale("en"):
        review = review_of(household, row(1, description="x" * 300), row(2, description="   "))
    assert len(review.rows[0].row.description) == 200
    assert review.rows[1].row.description == "Imported entry"


def test_the_files_category_names_are_found_in_any_case_accents_and_language(household):
    food, groceries = category(household, "expense.food"), category(household, "expense.food.groceries")
    review = review_of(
        household,
        row(1, category="FOOD", subcategory="groceries"),
        row(2, category="Alimentação", subcategory="Supermercado"),  # the pt names of the same
        row(3, category="  food "),
    )
    with force_locale("pt"):
        assert food.label == "Alimentação"
    pairs = [(item.category_id, item.subcategory_id, item.category_source) for item in review.rows]
    assert pairs[0] == (food.id, groceries.id, "file")
    assert pairs[1][2] == "file" and pairs[1][0] == food.id
    assert pairs[2] == (food.id, None, "file")


def test_a_subcategory_alone_is_found_when_one_category_has_it(household):
    for parent in ("expense.food", "expense.leisure"):  # "Snacks" under two categories
        create_category(db.session, household, kind="expense", name="Snacks", parent=category(household, parent))
    db.session.commit()
    with force_locale("en"):
        groceries, snacks, nowhere = review_of(
            household, row(1, subcategory="groceries"), row(2, subcategory="Snacks"), row(3, subcategory="Nowhere"),
        ).rows
    assert (groceries.category_id, groceries.subcategory_id, groceries.category_source) == (
        category(household, "expense.food").id, category(household, "expense.food.groceries").id, "file")
    assert snacks.category_source == "default"  # ambiguous: not guessed
    assert nowhere.category_source == "default"


def test_a_name_the_household_lacks_is_new(household):
    food = category(household, "expense.food")
    with force_locale("en"):
        review = review_of(
            household,
            row(1, category="Pets"),
            row(2, category="Food", subcategory="Organic"),
            row(3, category="Hobbies Club", subcategory="Chess"),
        )
    first, second, third = review.rows
    assert (first.category_source, first.new_category, first.category_id) == ("new", "Pets", None)
    assert (second.category_source, second.category_id, second.new_category) == ("new", food.id, "Food › Organic")
    assert third.new_category == "Hobbies Club › Chess"


def test_a_category_of_the_other_kind_is_not_the_files(household):
    review = review_of(household, row(1, "100.00", "Refund", category="Food"))
    assert review.rows[0].category_source == "new"  # income has no "Food": made at commit


def test_history_suggests_the_category_used_most_for_the_same_description(household):
    restaurants = category(household, "expense.food.restaurants")
    for n in range(3):
        make_entry(household, description=f"PAG*Padaria Sol {n:02d}/03", category="expense.food",
                   subcategory=restaurants)
    make_entry(household, description="Padaria Sol", category="expense.food", subcategory="expense.food.bakery")
    make_entry(household, kind="income", description="Padaria Sol", category="income.sales")
    review = review_of(household, row(1, description="padaria sol 1234"), row(2, "30.00", "Padaria Sol"))
    expense, income = review.rows
    assert (expense.category_id, expense.subcategory_id, expense.category_source) == (
        category(household, "expense.food").id, restaurants.id, "history")
    assert (income.category_id, income.category_source) == (category(household, "income.sales").id, "history")


def test_history_skips_archived_categories(household):
    bakery = category(household, "expense.food.bakery")
    make_entry(household, description="Padaria Sol", category="expense.food", subcategory=bakery)
    set_category_archived(db.session, bakery, True)
    db.session.commit()
    assert review_of(household, row(1, description="Padaria Sol")).rows[0].category_source == "default"


def test_without_file_or_history_the_default_is_miscellaneous(household):
    review = review_of(household, row(1, description="Something new"), row(2, "5.00", "Gift"))
    expense, income = review.rows
    assert (expense.category_id, expense.subcategory_id, expense.category_source) == (
        category(household, "expense.other").id, category(household, "expense.other.misc").id, "default")
    assert (income.category_id, income.subcategory_id) == (
        category(household, "income.other").id, category(household, "income.other.misc").id)


def test_a_deleted_default_falls_back_to_the_first_category_of_the_kind(household):
    other = category(household, "expense.other")
    set_category_archived(db.session, other, True)
    db.session.commit()
    first = db.session.scalars(
        Category.__table__.select()
        .where(Category.household_id == household.id, Category.kind == "expense",
               Category.parent_id.is_(None), Category.archived.is_(False))
        .order_by(Category.id)
    ).first()
    item = review_of(household, row(1, description="Something new")).rows[0]
    assert (item.category_id, item.subcategory_id, item.category_source) == (first, None, "default")


def test_a_household_without_categories_of_the_kind_gets_the_default_made_again(household):
    for top in db.session.query(Category).filter_by(household_id=household.id, kind="income", parent_id=None):
        db.session.delete(top)
    db.session.commit()
    with force_locale("en"):
        item = review_of(household, row(1, "5.00", "Gift")).rows[0]
    assert (item.category_source, item.new_category) == ("default", "Other income")


def test_an_own_category_named_by_the_file(household):
    own = create_category(db.session, household, kind="expense", name="Café & Co")
    db.session.commit()
    item = review_of(household, row(1, category="cafe & co")).rows[0]
    assert (item.category_id, item.category_source) == (own.id, "file")


def test_a_row_without_description_is_the_same_row_in_every_language(household):
    with force_locale("pt"):
        first = review_of(household, row(1, description="")).rows[0]
    entry = make_entry(household, amount="10.00", date=DAY, description=first.row.description,
                       paid_on=DAY, commit=False)
    entry.import_key = first.key
    db.session.commit()
    with force_locale("en"):
        again = review_of(household, row(1, description="")).rows[0]
    assert (again.row.description, again.status) == ("Imported entry", "duplicate")
    assert again.key == first.key
    # The key reads the file's own (blank) text, not the stand-in of the reader's language.
    with force_locale("en"):
        assert review_of(household, row(1, description="Imported entry")).rows[0].key != first.key

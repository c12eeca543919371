"""A household archive with a bad row is refused as a whole before anything is written:
the message names the table and the line, and every table holds what it held before."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models.base import Base
from finora.services.backups.errors import ArchiveRowError, BackupArchiveError, WrongScopeError
from tests.services.test_backup_household_roundtrip import (
    archive_of,
    full_household,
    read_archive,
    restore_new,
    rewrite_archive,
)


def _table_counts() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()}


@pytest.fixture
def archive(app, tmp_path):
    household, owner = full_household()
    return archive_of(household, tmp_path), owner


def _refused(archive, tmp_path, change, error=ArchiveRowError) -> BackupArchiveError:
    path, owner = archive
    bad = rewrite_archive(path, tmp_path / "bad.zip", change)
    before = _table_counts()
    with force_locale("en"), pytest.raises(error) as caught:
        try:
            restore_new(bad, tmp_path, owner)
        except BaseException:
            db.session.rollback()
            raise
    assert _table_counts() == before, "something was written"
    return caught.value


def _edit(table: str, index: int, **values):
    def change(tables):
        tables[table][index].update(values)
        return tables
    return change


def _where(refused: ArchiveRowError, table: str, line: int, words: str) -> None:
    assert (refused.table, refused.line) == (table, line)
    assert words in refused.detail
    assert f"table {table}, line {line}" in str(refused)


def test_a_wrong_type_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("entries", 1, amount=12.5))
    _where(refused, "entries", 2, "amount")


def test_an_unknown_table_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, lambda t: t | {"secrets": [{"id": 1}]})
    _where(refused, "secrets", 1, "not part of a household backup")


def test_an_unknown_field_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("accounts", 0, password_hash="x"))
    _where(refused, "accounts", 1, "unknown field")


def test_a_reference_to_another_tables_ids_is_refused(archive, tmp_path):
    path, _owner = archive
    _manifest, tables = read_archive(path)
    accounts = {obj["id"] for obj in tables["accounts"]}
    category_id = next(obj["id"] for obj in tables["categories"] if obj["id"] not in accounts)
    refused = _refused(archive, tmp_path, _edit("entries", 0, account_id=category_id))
    _where(refused, "entries", 1, "account_id points to no row of accounts")


def test_a_reference_to_another_households_row_is_refused(archive, tmp_path):
    other, _owner = full_household("Souza")
    from tests.ledger_factories import checking_account

    theirs = checking_account(other).id
    refused = _refused(archive, tmp_path, _edit("transfers", 0, to_account_id=theirs))
    _where(refused, "transfers", 1, "to_account_id points to no row of accounts")


def test_a_row_of_another_household_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("goals", 0, household_id=999_999))
    _where(refused, "goals", 1, "another household")


def test_a_duplicate_id_is_refused(archive, tmp_path):
    def twice(tables):
        tables["entries"].append(dict(tables["entries"][0], description="twin"))
        return tables

    path, _owner = archive
    lines = len(read_archive(path)[1]["entries"]) + 1
    refused = _refused(archive, tmp_path, twice)
    _where(refused, "entries", lines, "used twice")


def test_a_negative_amount_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("entries", 0, amount="-5.00"))
    _where(refused, "entries", 1, "amount > 0")


def test_a_transfer_to_its_own_account_is_refused(archive, tmp_path):
    path, _owner = archive
    source = read_archive(path)[1]["transfers"][0]["from_account_id"]
    refused = _refused(archive, tmp_path, _edit("transfers", 0, to_account_id=source))
    _where(refused, "transfers", 1, "from_account_id <> to_account_id")


def test_an_unknown_kind_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("accounts", 0, kind="crypto"))
    _where(refused, "accounts", 1, "kind IN")


def test_two_rows_with_one_unique_key_are_refused(archive, tmp_path):
    path, _owner = archive
    accounts = read_archive(path)[1]["accounts"]
    refused = _refused(archive, tmp_path, _edit("accounts", 1, name=accounts[0]["name"]))
    _where(refused, "accounts", 2, "same name")


def test_a_category_below_a_subcategory_is_refused(archive, tmp_path):
    path, _owner = archive
    categories = read_archive(path)[1]["categories"]
    children = [n for n, obj in enumerate(categories) if obj["parent_id"] is not None]
    first, second = children[0], next(n for n in children[1:]
                                      if categories[n]["kind"] == categories[children[0]]["kind"])
    refused = _refused(archive, tmp_path, _edit("categories", second, parent_id=categories[first]["id"]))
    _where(refused, "categories", second + 1, "top-level category")


def test_a_category_that_is_its_own_parent_is_refused(archive, tmp_path):
    path, _owner = archive
    first = read_archive(path)[1]["categories"][0]
    refused = _refused(archive, tmp_path, _edit("categories", 0, parent_id=first["id"]))
    _where(refused, "categories", 1, "top-level category")


def test_a_user_column_naming_no_member_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("transfers", 0, created_by_id=77))
    _where(refused, "transfers", 1, "names no member")


def test_a_member_twice_is_refused(archive, tmp_path):
    def twice(tables):
        tables["members"].append(dict(tables["members"][0], id=99))
        return tables

    refused = _refused(archive, tmp_path, twice)
    assert refused.table == "members" and "used twice" in refused.detail


def test_an_unknown_time_zone_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("household", 0, timezone="Mars/Olympus"))
    _where(refused, "household", 1, "time zone")


def test_an_archive_without_its_household_is_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, lambda t: t | {"household": []})
    _where(refused, "household", 1, "missing")


def test_an_instance_archive_is_not_restored_into_a_household(archive, tmp_path):
    path, owner = archive
    from finora.services.backups.container import ArchiveWriter

    instance = tmp_path / "instance.zip"
    with ArchiveWriter(instance, scope="instance") as writer, writer.table("households") as out:
        out.write({"id": 1})
    before = _table_counts()
    with pytest.raises(WrongScopeError):
        restore_new(instance, tmp_path, owner)
    assert _table_counts() == before


def test_names_that_differ_only_in_case_are_refused_where_the_database_ignores_case(archive, tmp_path):
    """MariaDB compares text without case or accents (utf8mb4_unicode_ci): two accounts
    "Casa" and "casa" are one there, two elsewhere."""
    path, owner = archive

    def twins(tables):
        tables["accounts"][0]["name"], tables["accounts"][1]["name"] = "Conta Casa", "conta casa"
        return tables

    if db.engine.dialect.name in ("mysql", "mariadb"):
        _where(_refused(archive, tmp_path, twins), "accounts", 2, "same name")
    else:
        restored = restore_new(rewrite_archive(path, tmp_path / "twins.zip", twins), tmp_path, owner)
        assert restored.id is not None


def test_a_row_the_database_refuses_at_insert_time_is_still_named(archive, tmp_path, monkeypatch):
    """The last line of defence: a conflict the checks let through (here the unique-key
    check switched off) becomes a row error, and the rollback leaves nothing."""
    from finora.services.backups import household_check

    monkeypatch.setattr(household_check, "_digest", lambda row, key, fold: None)
    path, _owner = archive
    accounts = read_archive(path)[1]["accounts"]
    refused = _refused(archive, tmp_path, _edit("accounts", 1, name=accounts[0]["name"]))
    assert refused.table == "accounts" and "refused the row" in refused.detail


def test_a_plan_restores_once_and_leaves_no_spool(archive, tmp_path):
    from finora.services.backups.container import open_archive
    from finora.services.backups.household_restore import (
        check_household_archive,
        restore_new_household,
    )

    path, owner = archive
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        spool = plan.spool.file
        restore_new_household(db.session, reader, plan, owner=owner)
        assert spool.closed and plan.spool is None
        with pytest.raises(ValueError):
            restore_new_household(db.session, reader, plan, owner=owner)
    db.session.rollback()


def test_split_lines_that_do_not_add_up_are_refused(archive, tmp_path):
    refused = _refused(archive, tmp_path, _edit("entry_splits", 1, amount="2.35"))
    _where(refused, "entry_splits", 1, "do not add up to its amount")


def test_a_split_of_one_line_is_refused(archive, tmp_path):
    def change(tables):
        first, second = tables["entry_splits"]
        first["amount"] = "12.34"
        tables["entry_splits"] = [first]
        return tables

    refused = _refused(archive, tmp_path, change)
    _where(refused, "entry_splits", 1, "do not add up to its amount")


def test_a_split_line_in_a_category_of_the_other_type_is_refused(archive, tmp_path):
    path, _owner = archive
    _manifest, tables = read_archive(path)
    income = next(c["id"] for c in tables["categories"] if c["kind"] == "income" and c["parent_id"] is None)
    refused = _refused(archive, tmp_path, _edit("entry_splits", 1, category_id=income, subcategory_id=None))
    _where(refused, "entry_splits", 2, "has a category of the other type (income or expense)")


def test_a_paying_account_that_is_a_card_is_refused(archive, tmp_path):
    path, _owner = archive
    _manifest, tables = read_archive(path)
    index, card = next((i, a) for i, a in enumerate(tables["accounts"]) if a["kind"] == "credit_card")
    other = next(a["id"] for a in tables["accounts"] if a["kind"] != "credit_card" and a["id"] != card["id"])
    refused = _refused(archive, tmp_path, _edit("accounts", index, payment_account_id=card["id"]))
    _where(refused, "accounts", index + 1, "only a credit card names a paying account")
    plain = next(i for i, a in enumerate(tables["accounts"]) if a["kind"] != "credit_card" and a["id"] != other)
    refused = _refused(archive, tmp_path, _edit("accounts", plain, payment_account_id=other))
    _where(refused, "accounts", plain + 1, "only a credit card names a paying account")

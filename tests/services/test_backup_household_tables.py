"""The household archive's table list keeps up with the models: a new table that belongs to
a household, a new foreign key, check or column type fails here until the backup knows
what to do with it."""

from __future__ import annotations

import pytest
from sqlalchemy import CheckConstraint, Column, Integer, MetaData, String, Table

from finora.models.base import Base
from finora.services.backups.codec import check_table
from finora.services.backups.household_tables import (
    BACKED_UP,
    HOUSEHOLD_COLUMN,
    NOT_BACKED_UP,
    OWNED_THROUGH,
    USERS,
    _row_check,
    household_table,
    members_table,
    table_specs,
)


def _points_to(table: Table, targets) -> bool:
    return any(key.column.table.name in targets for key in table.foreign_keys)


def test_every_household_table_is_backed_up_or_excluded_with_a_reason():
    belongs = {
        name
        for name, table in Base.metadata.tables.items()
        if HOUSEHOLD_COLUMN in table.c or _points_to(table, BACKED_UP)
    }
    listed = set(BACKED_UP) | set(NOT_BACKED_UP)
    assert belongs - listed == set(), "a household's table the backup does not know"
    assert listed - set(Base.metadata.tables) == set(), "a listed table that does not exist"
    assert not set(BACKED_UP) & set(NOT_BACKED_UP)
    assert all(reason.strip() for reason in NOT_BACKED_UP.values())


def test_tables_come_after_the_tables_they_point_to():
    order = {name: n for n, name in enumerate(BACKED_UP)}
    for spec in table_specs():
        for column, target in spec.refs.items():
            assert target == spec.name or order[target] < order[spec.name], f"{spec.name}.{column}"


def test_only_backed_up_rows_point_to_backed_up_rows():
    """A restore over a household deletes its backed-up rows: a row of another table
    pointing to one would stop it (or lose data silently)."""
    for name, table in Base.metadata.tables.items():
        if name not in BACKED_UP:
            assert not _points_to(table, BACKED_UP), name


def test_each_table_is_owned_through_its_household_or_a_parent_row():
    for spec in table_specs():
        if HOUSEHOLD_COLUMN in spec.table.c:
            assert spec.owner_column == HOUSEHOLD_COLUMN
        else:
            assert spec.name in OWNED_THROUGH and spec.refs[spec.owner_column] in BACKED_UP


def test_user_columns_are_found_from_the_foreign_keys():
    specs = {spec.name: spec for spec in table_specs()}
    assert specs["entries"].user_refs == ("created_by_id",)
    assert specs["import_batches"].user_refs == ("created_by_id", "undone_by_id")
    for spec in table_specs():
        for key in spec.table.foreign_keys:
            if key.column.table.name == USERS:
                assert key.parent.name in spec.user_refs


def test_every_check_constraint_is_evaluated_before_the_insert():
    for spec in table_specs():
        names = {str(c.name) for c in spec.table.constraints if isinstance(c, CheckConstraint)}
        assert {check.name for check in spec.checks} == names


def test_a_check_without_a_predicate_stops_the_build():
    table = Table("gadgets", MetaData(), Column("id", Integer, primary_key=True), Column("size", Integer),
                  Column("colour", String(8)))
    unknown = CheckConstraint("size > 3", name="ck_gadgets_size", table=table)
    with pytest.raises(LookupError):
        _row_check(unknown)
    colours = _row_check(CheckConstraint("colour IN ('red', 'it''s')", name="ck_gadgets_colour", table=table))
    assert colours.passes({"colour": "it's"}) and colours.passes({"colour": None})
    assert not colours.passes({"colour": "blue"})


def test_unique_keys_leave_out_the_household():
    specs = {spec.name: spec for spec in table_specs()}
    assert specs["accounts"].unique_keys == (("name",),)
    assert set(specs["entries"].unique_keys) == {("account_id", "import_key"), ("rule_id", "occurrence_date")}


def test_the_codec_carries_every_column_of_the_archive():
    for table in (household_table(), members_table(), *(spec.table for spec in table_specs())):
        check_table(table)

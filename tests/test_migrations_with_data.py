"""Migrations on a database that holds data: the ones that change a table other rows point
to (SQLite copies such a table and drops the old one) keep every row, on every engine.

0020 recreates `entries` on SQLite (a new foreign key) while split lines, import matches
and tag links point to it; 0021 recreates `accounts` (new checks) while entries point to
it. With SQLite's foreign keys enforced, dropping the old table failed, or — for child
rows declared ON DELETE CASCADE — would have deleted them (migrations/env.py)."""

from __future__ import annotations

from decimal import Decimal

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from finora.extensions import db
from finora.models import Account, Entry, EntrySplit, ImportMatch, Transfer
from finora.services.ledger.splits import SplitLine, split_entry
from tests.conftest import SERVER, make_app
from tests.dbutil import create_test_database, drop_test_database
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry
from tests.members_factories import one_of_everything

KEPT = (Account, Entry, EntrySplit, ImportMatch, Transfer)


def _counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in KEPT}


def test_down_to_0019_and_back_to_head_keeps_every_row_that_points_to_a_changed_table(tmp_path):
    url = create_test_database(SERVER)
    try:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            household = household_of(create_user())
            ids = one_of_everything(household)
            db.session.add(ImportMatch(batch_id=ids["batch_id"], entry_id=ids["entry_id"],
                                       previous_import_key="k1"))
            entry = make_entry(household, amount=Decimal("12.34"), description="Feira")
            split_entry(db.session, entry, [
                SplitLine(category_id=entry.category_id, amount=Decimal("10.00"), note="Frutas"),
                SplitLine(category_id=entry.category_id, amount=Decimal("2.34")),
            ])
            db.session.commit()
            entry_id = entry.id
            before = _counts()
            assert before["entry_splits"] == 2 and before["import_matches"] >= 1
            db.session.remove()

            downgrade(revision="0019")
            upgrade()

            assert _counts() == before
            lines = db.session.scalars(
                select(EntrySplit).where(EntrySplit.entry_id == entry_id).order_by(EntrySplit.position)
            ).all()
            assert [(line.amount, line.note) for line in lines] == [
                (Decimal("10.00"), "Frutas"), (Decimal("2.34"), None)
            ]
            if db.engine.dialect.name == "sqlite":
                with db.engine.connect() as connection:
                    assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                    assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_test_database(url)

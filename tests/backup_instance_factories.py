"""An instance with a row in every table an instance backup carries (and in the ones it
leaves out), extra empty databases to restore into, and every row of a database read back
for comparison — for the instance backup, CLI and cross-engine tests."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import delete, select

from finora.dates import now_utc
from finora.extensions import db
from finora.models import (
    AiInsight,
    AiSettings,
    ApiToken,
    AuditEvent,
    BackupCode,
    BackupSchedule,
    Category,
    EmailVerification,
    ImportBatch,
    Passkey,
    PasswordResetToken,
    RecurringRule,
    Setting,
    Skip,
    UserSession,
)
from finora.models.import_batch import ImportMatch
from finora.models.job import JobRun
from finora.services.backups.instance_tables import instance_tables
from finora.services.ledger.splits import SplitLine, split_entry
from tests.conftest import make_app
from tests.dbutil import copy_test_database, create_test_database, drop_test_database
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account, make_entry
from tests.members_factories import one_of_everything


def fill_instance() -> dict[str, int]:
    """Two households (one with one of everything), and a row in every carried table:
    odd values too (accents and emoji, negative cents, bytes, JSON), a category whose
    parent has a larger id, and rows in tables the backup leaves out. Committed."""
    owner = create_user(name="Zoë Ünicode 🐷")
    home = household_of(owner)
    ids = one_of_everything(home)
    other = household_of(create_user())
    account = make_account(other, name="Cartão ✈", opening_balance="-250.10")  # negative cents
    for day in range(1, 6):
        last = make_entry(other, account=account, kind="expense" if day % 2 else "income",
                          amount=Decimal("12.34") if day % 2 else Decimal("1500.00"),
                          date=date(2026, 2, day), description=f"Pão de queijo nº{day} ☕")
    # The last (an expense of 12.34) split in two lines with a note.
    split_entry(db.session, last, [
        SplitLine(category_id=last.category_id, amount=Decimal("10.00"), note="Café ☕"),
        SplitLine(category_id=last.category_id, amount=Decimal("2.34")),
    ])
    # A parent created after its child: the file holds the child first.
    late_parent = Category(household_id=home.id, kind="expense", name="Later parent")
    db.session.add(late_parent)
    db.session.flush()
    child = db.session.scalar(
        select(Category).where(Category.household_id == home.id, Category.parent_id.is_not(None))
        .order_by(Category.id)
    )
    child.parent_id = late_parent.id
    rule = db.session.get(RecurringRule, ids["rule_id"])
    batch = db.session.get(ImportBatch, ids["batch_id"])
    moment = now_utc()
    db.session.add_all([
        Setting(key="registration_mode", value="closed"),
        ApiToken(user_id=owner.id, household_id=home.id, name="cron", token_hash="a" * 64),
        BackupCode(user_id=owner.id, code_hash="b" * 64),
        BackupSchedule(household_id=home.id, frequency="weekly", weekday=2, at_time="02:30",
                       retention_count=7, next_run_at=moment + timedelta(days=1)),
        EmailVerification(user_id=owner.id, token_hash="c" * 64, expires_at=moment),
        Passkey(user_id=owner.id, name="Phone", credential_id=b"\x00\x01cred\xff",
                public_key=bytes(range(256)), sign_count=3),
        PasswordResetToken(user_id=owner.id, token_hash="d" * 64, expires_at=moment),
        Skip(household_id=home.id, rule_id=rule.id, occurrence_date=date(2026, 4, 10)),
        ImportMatch(batch_id=batch.id, entry_id=ids["entry_id"], previous_import_key="k1"),
        AiSettings(household_id=home.id, api_key_encrypted="gAAAA-not-a-real-token",
                   model="gpt-4o-mini", base_url="http://127.0.0.1:9/v1"),
        AiInsight(household_id=home.id, model="gpt-4o-mini", locale="pt", requested_by_id=owner.id,
                  payload='{"insights": [{"type": "observation", "title": "Ç", "body": "🐷"}]}'),
        AuditEvent(household_id=home.id, user_id=owner.id, action="entry.created",
                   details={"amount": "-0.01", "nested": [1, "ç", None]}),
        # Left out of an instance backup:
        UserSession(user_id=owner.id, token_hash="e" * 64),
        JobRun(job="post_recurring", holder="test", status="success"),
    ])
    db.session.commit()
    return ids


def rows_of_every_table(*, whole_seconds: bool = False) -> dict[str, list[dict]]:
    """Every carried table's rows in id order, as Python values. `whole_seconds` drops
    microseconds (MariaDB's DATETIME columns keep whole seconds)."""
    out = {}
    for table in instance_tables():
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        out[table.name] = [
            {key: _seconds(value) if whole_seconds else value for key, value in row.items()}
            for row in rows
        ]
    return out


def _seconds(value):
    return value.replace(microsecond=0) if hasattr(value, "microsecond") else value


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


# One database per server migrated to head by Alembic, made the first time a test asks for a
# migrated database and dropped when the run ends; each test gets a copy of it.
_MIGRATED: dict[str, str] = {}


def _migrated_template(server: str) -> str:
    url = _MIGRATED.get(server)
    if url is None:
        url = create_test_database(server)
        atexit.register(drop_test_database, url)
        folder = Path(tempfile.mkdtemp(prefix="finora-migrate-"))
        atexit.register(shutil.rmtree, folder, True)
        app = make_app(url, folder)
        with app.app_context():
            upgrade()
            db.session.remove()
            db.engine.dispose()  # PostgreSQL copies a database nobody is connected to
        _MIGRATED[server] = url
    return url


@contextmanager
def migrated_database(server: str, tmp_path, **config):
    """A new database on `server`, migrated to head, and an app for it; dropped after.

    The migrations run once per server and run: each call gets its own copy of that
    database (tests/dbutil.py copy_test_database: the same tables, constraints and rows,
    alembic_version included): ~0.25 s of CPU less a call on SQLite, ~0.4 s less waiting on
    PostgreSQL and MariaDB (there the migrations mostly waited for the server)."""
    url = copy_test_database(_migrated_template(server))
    try:
        app = make_app(url, tmp_path, **config)
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_test_database(url)

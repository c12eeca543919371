"""ledger revision: a per-household number that changes with every row a balance reads

`households.ledger_revision` (BIGINT, 0 for the households that exist) is bumped by
database triggers on every insert, update and delete of `entries`, `transfers`,
`balance_snapshots` and `accounts`, whatever writes them (the ORM, Core bulk statements,
the restore, another process). The balance service keys its cache on it
(finora/services/ledger/balance_cache.py).

SQLite: one row-level AFTER trigger per table and event. PostgreSQL: one plpgsql function
and statement-level triggers with transition tables (one bump per household and
statement, not per row: a restore of 100,000 entries updates the household once).
MariaDB/MySQL: row-level BEFORE triggers, one per table and event; BEFORE, so that the
household row is write-locked before the insert's foreign-key check takes its shared lock
(two inserts taking the shared lock first would then deadlock on the upgrade).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

TABLES = ('entries', 'transfers', 'balance_snapshots', 'accounts')
EVENTS = ('insert', 'update', 'delete')
FUNCTION = 'finora_bump_ledger_revision'


def trigger_names() -> list[tuple[str, str, str]]:
    """(trigger name, table, event) of every trigger this migration creates."""
    return [(f'trg_{table}_ledger_{event}', table, event) for table in TABLES for event in EVENTS]


def _bump(where: str) -> str:
    return f'UPDATE households SET ledger_revision = ledger_revision + 1 WHERE {where}'  # noqa: S608 - constants


_ROW_WHERE = {
    'insert': 'id = NEW.household_id',
    'update': 'id IN (OLD.household_id, NEW.household_id)',
    'delete': 'id = OLD.household_id',
}


def _sqlite() -> None:
    for name, table, event in trigger_names():
        op.execute(
            f'CREATE TRIGGER {name} AFTER {event.upper()} ON {table} FOR EACH ROW '
            f'BEGIN {_bump(_ROW_WHERE[event])}; END'
        )


def _mysql() -> None:
    for name, table, event in trigger_names():
        op.execute(
            f'CREATE TRIGGER {name} BEFORE {event.upper()} ON {table} FOR EACH ROW '
            f'{_bump(_ROW_WHERE[event])}'
        )


def _postgresql() -> None:
    # OR REPLACE: dropping every table (an update's rollback, database_rollback.py) leaves
    # the function behind, and the migrations then run again on the same database.
    op.execute("""
        CREATE OR REPLACE FUNCTION finora_bump_ledger_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE households SET ledger_revision = ledger_revision + 1
                WHERE id IN (SELECT household_id FROM new_rows);
            ELSIF TG_OP = 'DELETE' THEN
                UPDATE households SET ledger_revision = ledger_revision + 1
                WHERE id IN (SELECT household_id FROM old_rows);
            ELSE
                UPDATE households SET ledger_revision = ledger_revision + 1
                WHERE id IN (SELECT household_id FROM old_rows
                             UNION SELECT household_id FROM new_rows);
            END IF;
            RETURN NULL;
        END
        $$
    """)
    referencing = {
        'insert': 'NEW TABLE AS new_rows',
        'update': 'OLD TABLE AS old_rows NEW TABLE AS new_rows',
        'delete': 'OLD TABLE AS old_rows',
    }
    for name, table, event in trigger_names():
        op.execute(
            f'CREATE TRIGGER {name} AFTER {event.upper()} ON {table} '
            f'REFERENCING {referencing[event]} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()'
        )


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ledger_revision', sa.BigInteger(), server_default='0', nullable=False))

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        _sqlite()
    elif dialect == 'postgresql':
        _postgresql()
    elif dialect in ('mysql', 'mariadb'):
        _mysql()
    else:
        raise NotImplementedError(f'no ledger revision triggers for {dialect}')


def downgrade():
    dialect = op.get_bind().dialect.name
    for name, table, _event in trigger_names():
        if dialect == 'postgresql':
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON {table}')
        else:
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    if dialect == 'postgresql':
        op.execute(f'DROP FUNCTION IF EXISTS {FUNCTION}()')

    if dialect == 'sqlite':
        # SQLite 3.35+ drops a column in place; a batch copy would drop and recreate the
        # households table, and with foreign keys on that deletes every child row.
        op.execute('ALTER TABLE households DROP COLUMN ledger_revision')
    else:
        op.drop_column('households', 'ledger_revision')

"""transaction list: indexes for the Transactions page's keyset pages by amount and description

The page orders a household's entries by (column, id) and reads the next page after a
cursor; with (household_id, column, id) every page, however deep, is an index range. The
date order uses ix_entries_household_date (SQLite and InnoDB end every index with the
row id; PostgreSQL sorts the few rows of one day).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:15:00
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.create_index('ix_entries_household_amount', ['household_id', 'amount', 'id'], unique=False)
        batch_op.create_index('ix_entries_household_description', ['household_id', 'description', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index('ix_entries_household_description')
        batch_op.drop_index('ix_entries_household_amount')

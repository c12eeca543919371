"""budget rollover: a budget may carry what a period left (or overspent) into the next

`budgets.rollover` switches it on (off for every existing budget), `rollover_since` is the
first day of the first period that receives a carry and `rollover_opening` (cents) what
that period receives; see services/planning/budget_rollover.py.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rollover', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rollover_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rollover_opening', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_column('rollover_opening')
        batch_op.drop_column('rollover_since')
        batch_op.drop_column('rollover')

"""credit-card statements and installment purchases

`accounts.closing_day` / `due_day` (1-31, clamped to the month's length) give a credit-card
account its statements, `credit_limit` (cents) its optional limit; `entries.installment_*`
link the installments of one purchase ("12x"). See docs/cards.md.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 15:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closing_day', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('due_day', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('credit_limit', sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_accounts_closing_day'), 'closing_day BETWEEN 1 AND 31')
        batch_op.create_check_constraint(op.f('ck_accounts_due_day'), 'due_day BETWEEN 1 AND 31')
        batch_op.create_check_constraint(op.f('ck_accounts_credit_limit'), 'credit_limit >= 0')
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('installment_group', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('installment_number', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('installment_count', sa.SmallInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_entries_installment_group'), ['installment_group'], unique=False)


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entries_installment_group'))
        batch_op.drop_column('installment_count')
        batch_op.drop_column('installment_number')
        batch_op.drop_column('installment_group')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_accounts_credit_limit'), type_='check')
        batch_op.drop_constraint(op.f('ck_accounts_due_day'), type_='check')
        batch_op.drop_constraint(op.f('ck_accounts_closing_day'), type_='check')
        batch_op.drop_column('credit_limit')
        batch_op.drop_column('due_day')
        batch_op.drop_column('closing_day')

"""the account a credit card's statements are paid from

`accounts.payment_account_id` (SET NULL): the checking (or other, not a card) account of the
same household a card's statements are paid from; null = the household's primary account.
The forecast counts each card's statements against it and "Pay statement" preselects it
(docs/ledger.md, "Credit cards").

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_account_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_accounts_payment_account_id'), ['payment_account_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_accounts_payment_account_id_accounts'), 'accounts', ['payment_account_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    # MySQL refuses to drop an index a foreign key uses: drop the key first.
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_accounts_payment_account_id_accounts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_accounts_payment_account_id'))
        batch_op.drop_column('payment_account_id')

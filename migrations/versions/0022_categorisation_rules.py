"""categorisation rules: "when the description contains …, set the category, payee, payment method"

`categorisation_rules` belong to a household and run in `position` order
(services/ledger/categorisation.py). Amount bounds in cents; `account_id` (CASCADE) and
`category_id` (SET NULL: the rule then sets no category) are optional.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categorisation_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('match_field', sa.String(length=16), nullable=False),
    sa.Column('match_kind', sa.String(length=16), nullable=False),
    sa.Column('pattern', sa.String(length=200), nullable=False),
    sa.Column('min_amount', sa.BigInteger(), nullable=True),
    sa.Column('max_amount', sa.BigInteger(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('entry_kind', sa.String(length=8), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('payee_name', sa.String(length=100), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=True),
    sa.Column('tags', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_categorisation_rules_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_categorisation_rules_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_categorisation_rules_category_id_categories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categorisation_rules'))
    )
    with op.batch_alter_table('categorisation_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categorisation_rules_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_categorisation_rules_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_categorisation_rules_category_id'), ['category_id'], unique=False)


def downgrade():
    op.drop_table('categorisation_rules')

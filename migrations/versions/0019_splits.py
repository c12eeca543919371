"""splits: the category lines of a split entry

`entry_splits`: one row per line (household, entry, position, category, optional
subcategory, amount in cents > 0, note). The lines of an entry add up to its amount; the
service in finora/services/ledger/splits.py keeps that true. Deleting the entry deletes
its lines.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 15:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('entry_splits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('subcategory_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_entry_splits_amount_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_entry_splits_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_splits_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_entry_splits_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subcategory_id'], ['categories.id'], name=op.f('fk_entry_splits_subcategory_id_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_splits')),
    sa.UniqueConstraint('entry_id', 'position', name=op.f('uq_entry_splits_entry_id_position'))
    )
    with op.batch_alter_table('entry_splits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_splits_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_splits_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_splits_subcategory_id'), ['subcategory_id'], unique=False)



def downgrade():
    with op.batch_alter_table('entry_splits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_splits_subcategory_id'))
        batch_op.drop_index(batch_op.f('ix_entry_splits_household_id'))
        batch_op.drop_index(batch_op.f('ix_entry_splits_category_id'))

    op.drop_table('entry_splits')

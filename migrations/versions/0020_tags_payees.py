"""tags and payees: free tags on entries, a payee per entry, learned description patterns

`tags` and `payees` belong to a household, unique per household by `name_key` (the
case-folded name, so the rule is the same on every engine); `entry_tags` links entries and
tags (its own id, as every backed-up row); `entries.payee_id` (SET NULL); `payee_patterns`
holds the normalised descriptions an import maps to a payee (services/ledger/payees.py).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 15:32:14
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_payees_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payees')),
    sa.UniqueConstraint('household_id', 'name_key', name=op.f('uq_payees_household_id_name_key'))
    )
    with op.batch_alter_table('payees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payees_household_id'), ['household_id'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_key', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_tags_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('household_id', 'name_key', name=op.f('uq_tags_household_id_name_key'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_household_id'), ['household_id'], unique=False)

    op.create_table('payee_patterns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('pattern', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_payee_patterns_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payee_id'], ['payees.id'], name=op.f('fk_payee_patterns_payee_id_payees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payee_patterns')),
    sa.UniqueConstraint('household_id', 'pattern', name=op.f('uq_payee_patterns_household_id_pattern'))
    )
    with op.batch_alter_table('payee_patterns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payee_patterns_payee_id'), ['payee_id'], unique=False)

    op.create_table('entry_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_tags_entry_id_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_entry_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_tags')),
    sa.UniqueConstraint('entry_id', 'tag_id', name=op.f('uq_entry_tags_entry_id_tag_id'))
    )
    with op.batch_alter_table('entry_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_tags_tag_id'), ['tag_id'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_entries_payee_id'), ['payee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_entries_payee_id_payees'), 'payees', ['payee_id'], ['id'], ondelete='SET NULL')


def downgrade():
    # MySQL refuses to drop an index a foreign key uses: drop the key first, tables whole.
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entries_payee_id_payees'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_entries_payee_id'))
        batch_op.drop_column('payee_id')

    op.drop_table('entry_tags')
    op.drop_table('payee_patterns')
    op.drop_table('tags')
    op.drop_table('payees')

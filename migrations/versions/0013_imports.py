"""imports: import batches, matches and mapping profiles; entries remember their batch and key

`import_batches` records each committed import (file, format, account, who, counts, undo);
`import_matches` the pending entries an import marked paid, so undo can restore them;
`import_profiles` a household's named column mappings. Entries gain `import_batch_id` and
`import_key` (the bank's id or a fingerprint; unique per account, so a row lands once
however often a file is imported); accounts gain `number`, the account number a bank
statement names.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 03:16:30
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('header_key', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_import_profiles_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_profiles')),
    sa.UniqueConstraint('household_id', 'name', name=op.f('uq_import_profiles_household_id_name'))
    )
    with op.batch_alter_table('import_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_import_profiles_household_header', ['household_id', 'header_key'], unique=False)

    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('rows_in_file', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_import_batches_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_import_batches_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_import_batches_undone_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_import_batches_household_created', ['household_id', 'created_at'], unique=False)

    op.create_table('import_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('previous_paid_on', sa.Date(), nullable=True),
    sa.Column('previous_import_key', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_import_matches_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_import_matches_entry_id_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_matches'))
    )
    with op.batch_alter_table('import_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_matches_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_matches_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_accounts_number'), ['number'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('import_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_entries_import_batch_id'), ['import_batch_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_entries_account_id_import_key'), ['account_id', 'import_key'])
        batch_op.create_foreign_key(batch_op.f('fk_entries_import_batch_id_import_batches'), 'import_batches', ['import_batch_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entries_import_batch_id_import_batches'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_entries_account_id_import_key'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_entries_import_batch_id'))
        batch_op.drop_column('import_key')
        batch_op.drop_column('import_batch_id')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_number'))
        batch_op.drop_column('number')

    with op.batch_alter_table('import_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_matches_entry_id'))
        batch_op.drop_index(batch_op.f('ix_import_matches_batch_id'))

    op.drop_table('import_matches')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batches_household_created')
        batch_op.drop_index(batch_op.f('ix_import_batches_account_id'))

    op.drop_table('import_batches')
    with op.batch_alter_table('import_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_import_profiles_household_header')

    op.drop_table('import_profiles')

"""undo: what a deletion or a bulk edit of the ledger changed, kept a few minutes so the
person who did it can restore it

`undo_records`: one row per undoable action (household, user, kind, a label, how many rows,
a JSON snapshot of the rows — amounts as integer cents — created, expires, used).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:05:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('undo_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text().with_variant(mysql.LONGTEXT(), 'mysql').with_variant(mysql.LONGTEXT(), 'mariadb'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_undo_records_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_undo_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undo_records'))
    )
    with op.batch_alter_table('undo_records', schema=None) as batch_op:
        batch_op.create_index('ix_undo_records_household_expires', ['household_id', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_undo_records_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('undo_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undo_records_user_id'))
        batch_op.drop_index('ix_undo_records_household_expires')

    op.drop_table('undo_records')

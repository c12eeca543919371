"""forms: idempotency tokens consumed once

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('used_form_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_used_form_tokens_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_used_form_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_used_form_tokens')),
    sa.UniqueConstraint('nonce', name=op.f('uq_used_form_tokens_nonce'))
    )
    with op.batch_alter_table('used_form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_tokens_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_used_form_tokens_used_at'), ['used_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_used_form_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    # Dropping the table drops its indexes; dropping an index first fails on MariaDB while
    # a foreign key still needs it.
    op.drop_table('used_form_tokens')

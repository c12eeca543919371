"""forecast: the household's minimum safe balance

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 08:20:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minimum_safe_balance', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('minimum_safe_balance')

"""scheduler: per-household job runs (hardening issue)

A household whose posting fails gets its own job_runs row (household_id), and a run left
"running" by a killed process becomes "abandoned" (status widened to 16 characters).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_job_runs_status'), type_='check')
        batch_op.alter_column(
            'status', existing_type=sa.String(length=8), type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_runs_household_id'), ['household_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_job_runs_household_id_households'), 'households', ['household_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_job_runs_status'), "status IN ('running', 'success', 'error', 'abandoned')"
        )


def downgrade():
    op.execute("UPDATE job_runs SET status = 'error' WHERE status = 'abandoned'")
    op.execute("DELETE FROM job_runs WHERE household_id IS NOT NULL")
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_job_runs_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_job_runs_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_job_runs_household_id'))
        batch_op.drop_column('household_id')
        batch_op.alter_column(
            'status', existing_type=sa.String(length=16), type_=sa.String(length=8),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(batch_op.f('ck_job_runs_status'), "status IN ('running', 'success', 'error')")

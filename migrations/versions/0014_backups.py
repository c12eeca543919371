"""backups: the index of backup archives on disk, and each household's backup schedule

`backups` has one row per archive file (household or instance scope; manual, scheduled,
pre-restore or pre-update), with its size, sha256 and last verification; the file itself
lives under the backup storage folder. `backup_schedules` holds a household's daily,
weekly or monthly backup time (local, in the household's time zone), its retention and
the next run in UTC with the last run's outcome.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 22:05:37.319663
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('backup_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('day_of_month', sa.Integer(), nullable=True),
    sa.Column('at_time', sa.String(length=5), nullable=False),
    sa.Column('retention_count', sa.Integer(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("frequency IN ('daily', 'weekly', 'monthly')", name=op.f('ck_backup_schedules_frequency')),
    sa.CheckConstraint('day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)', name=op.f('ck_backup_schedules_day_of_month')),
    sa.CheckConstraint('retention_count >= 1 AND retention_count <= 100', name=op.f('ck_backup_schedules_retention_count')),
    sa.CheckConstraint('weekday IS NULL OR (weekday >= 0 AND weekday <= 6)', name=op.f('ck_backup_schedules_weekday')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_backup_schedules_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backup_schedules')),
    sa.UniqueConstraint('household_id', name=op.f('uq_backup_schedules_household_id'))
    )
    with op.batch_alter_table('backup_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_backup_schedules_due', ['enabled', 'next_run_at'], unique=False)

    op.create_table('backups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('storage', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=100), nullable=False),
    sa.Column('encrypted', sa.Boolean(), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('counts', sa.Text(), nullable=True),
    sa.Column('app_version', sa.String(length=32), nullable=False),
    sa.Column('migration_head', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('verified_ok', sa.Boolean(), nullable=True),
    sa.Column('verify_error', sa.Text(), nullable=True),
    sa.CheckConstraint("(scope = 'household') = (household_id IS NOT NULL)", name=op.f('ck_backups_scope_household')),
    sa.CheckConstraint("kind IN ('manual', 'scheduled', 'pre_restore', 'pre_update')", name=op.f('ck_backups_kind')),
    sa.CheckConstraint("scope IN ('household', 'instance')", name=op.f('ck_backups_scope')),
    sa.CheckConstraint("storage IN ('portable', 'sqlite')", name=op.f('ck_backups_storage')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_backups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_backups_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backups')),
    sa.UniqueConstraint('file_name', name=op.f('uq_backups_file_name'))
    )
    with op.batch_alter_table('backups', schema=None) as batch_op:
        batch_op.create_index('ix_backups_household_created', ['household_id', 'created_at'], unique=False)



def downgrade():
    # Dropping a table drops its indexes (MariaDB refuses to drop an index a foreign key uses).
    op.drop_table('backups')
    op.drop_table('backup_schedules')

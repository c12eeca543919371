"""planning

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:43:03.136143
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'success', 'error')", name=op.f('ck_job_runs_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job', 'started_at'], unique=False)

    op.create_table('scheduler_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_leases'))
    )
    op.create_table('balance_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('external_ref', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('manual', 'email', 'import')", name=op.f('ck_balance_snapshots_source')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_balance_snapshots_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_balance_snapshots_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_balance_snapshots')),
    sa.UniqueConstraint('account_id', 'external_ref', name=op.f('uq_balance_snapshots_account_id_external_ref'))
    )
    with op.batch_alter_table('balance_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_balance_snapshots_account_date', ['account_id', 'date'], unique=False)
        batch_op.create_index(batch_op.f('ix_balance_snapshots_household_id'), ['household_id'], unique=False)

    op.create_table('budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("period IN ('monthly', 'yearly')", name=op.f('ck_budgets_period')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budgets_amount_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_budgets_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_budgets_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('household_id', 'category_id', 'period', name=op.f('uq_budgets_household_id_category_id_period'))
    )
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budgets_household_id'), ['household_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('target_amount', sa.BigInteger(), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('target_amount > 0', name=op.f('ck_goals_target_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_goals_account_id_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_goals_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_household_id'), ['household_id'], unique=False)

    op.create_table('recurring_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('subcategory_id', sa.Integer(), nullable=True),
    sa.Column('payment_method', sa.String(length=16), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('anchor_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('business_day_policy', sa.String(length=8), nullable=False),
    sa.Column('hold_until', sa.Date(), nullable=True),
    sa.Column('auto_post', sa.Boolean(), nullable=False),
    sa.Column('mark_paid', sa.Boolean(), nullable=False),
    sa.Column('is_scenario', sa.Boolean(), nullable=False),
    sa.Column('posted_through', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("business_day_policy IN ('none', 'previous', 'next')", name=op.f('ck_recurring_rules_policy')),
    sa.CheckConstraint("frequency IN ('once', 'daily', 'weekly', 'biweekly', 'monthly', 'quarterly', 'yearly')", name=op.f('ck_recurring_rules_frequency')),
    sa.CheckConstraint("kind IN ('income', 'expense')", name=op.f('ck_recurring_rules_kind')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_recurring_rules_amount_positive')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= anchor_date', name=op.f('ck_recurring_rules_end_after_anchor')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_recurring_rules_account_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_recurring_rules_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_recurring_rules_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subcategory_id'], ['categories.id'], name=op.f('fk_recurring_rules_subcategory_id_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurring_rules'))
    )
    with op.batch_alter_table('recurring_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurring_rules_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_recurring_rules_household_id', ['household_id'], unique=False)

    op.create_table('goal_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_goal_contributions_amount_nonzero')),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_contributions_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_goal_contributions_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_contributions'))
    )
    with op.batch_alter_table('goal_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_contributions_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_contributions_household_id'), ['household_id'], unique=False)

    op.create_table('skips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('occurrence_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_skips_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rule_id'], ['recurring_rules.id'], name=op.f('fk_skips_rule_id_recurring_rules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skips')),
    sa.UniqueConstraint('rule_id', 'occurrence_date', name=op.f('uq_skips_rule_id_occurrence_date'))
    )
    with op.batch_alter_table('skips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skips_household_id'), ['household_id'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occurrence_date', sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_entries_rule_id_occurrence_date'), ['rule_id', 'occurrence_date'])
        batch_op.create_foreign_key(batch_op.f('fk_entries_rule_id_recurring_rules'), 'recurring_rules', ['rule_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entries_rule_id_recurring_rules'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_entries_rule_id_occurrence_date'), type_='unique')
        batch_op.drop_column('occurrence_date')
        batch_op.drop_column('rule_id')

    with op.batch_alter_table('skips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skips_household_id'))

    op.drop_table('skips')
    with op.batch_alter_table('goal_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_contributions_household_id'))
        batch_op.drop_index(batch_op.f('ix_goal_contributions_goal_id'))

    op.drop_table('goal_contributions')
    with op.batch_alter_table('recurring_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_recurring_rules_household_id')
        batch_op.drop_index(batch_op.f('ix_recurring_rules_account_id'))

    op.drop_table('recurring_rules')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_household_id'))

    op.drop_table('goals')
    with op.batch_alter_table('budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budgets_household_id'))

    op.drop_table('budgets')
    with op.batch_alter_table('balance_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_balance_snapshots_household_id'))
        batch_op.drop_index('ix_balance_snapshots_account_date')

    op.drop_table('balance_snapshots')
    op.drop_table('scheduler_leases')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started')

    op.drop_table('job_runs')

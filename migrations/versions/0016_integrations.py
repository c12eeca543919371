"""integrations: e-mail balance import configurations, a household's AI settings and the
insights its model gave

`email_import_configs`: one mailbox search per row (IMAP host, port, security, user, the
password as a Fernet token, folder, subject, the allowed sender, the delimiters around the
amount) setting one account's balance, with its last run, success, error and amount.
`ai_settings`: one row per household (the API key as a Fernet token, the model, an optional
base URL, when a refresh was last asked for). `ai_insights`: the validated insights of each
refresh.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ai_insights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_ai_insights_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_ai_insights_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_insights'))
    )
    with op.batch_alter_table('ai_insights', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ai_insights_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ai_insights_household_id'), ['household_id'], unique=False)

    op.create_table('ai_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('api_key_encrypted', sa.Text(), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=True),
    sa.Column('last_refresh_at', sa.DateTime(), nullable=True),
    sa.Column('last_error_code', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_ai_settings_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ai_settings')),
    sa.UniqueConstraint('household_id', name=op.f('uq_ai_settings_household_id'))
    )
    op.create_table('email_import_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('security', sa.String(length=8), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password_encrypted', sa.Text(), nullable=False),
    sa.Column('folder', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('allowed_sender', sa.String(length=254), nullable=False),
    sa.Column('start_delimiter', sa.String(length=100), nullable=False),
    sa.Column('end_delimiter', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('last_success_at', sa.DateTime(), nullable=True),
    sa.Column('last_error_code', sa.String(length=40), nullable=True),
    sa.Column('last_error_detail', sa.String(length=255), nullable=True),
    sa.Column('last_amount', sa.BigInteger(), nullable=True),
    sa.Column('last_message_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("security IN ('ssl', 'starttls')", name=op.f('ck_email_import_configs_security')),
    sa.CheckConstraint('port > 0 AND port < 65536', name=op.f('ck_email_import_configs_port')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_email_import_configs_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_email_import_configs_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_import_configs')),
    sa.UniqueConstraint('household_id', 'name', name=op.f('uq_email_import_configs_household_id_name'))
    )
    with op.batch_alter_table('email_import_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_import_configs_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_email_import_configs_household_id'), ['household_id'], unique=False)



def downgrade():
    with op.batch_alter_table('email_import_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_import_configs_household_id'))
        batch_op.drop_index(batch_op.f('ix_email_import_configs_account_id'))

    op.drop_table('email_import_configs')
    op.drop_table('ai_settings')
    with op.batch_alter_table('ai_insights', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ai_insights_household_id'))
        batch_op.drop_index(batch_op.f('ix_ai_insights_created_at'))

    op.drop_table('ai_insights')

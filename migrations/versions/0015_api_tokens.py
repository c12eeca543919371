"""api_tokens: expiry, scope and kind for the REST API's bearer tokens; the household's
primary account; demo households and users

A token now expires (30 days after it is made or rotated), has a scope (read: GET only;
write: everything its role allows) and a kind (login: a device signed in through the API;
personal: made in the profile for a script). Rows made before this revision expire 30 days
after their creation and keep full access, as they had.

`accounts.is_primary` marks the account a balance set without naming one goes to (the
API's POST /balance; none marked: the first checking account). `households.demo_expires_at`
and `users.demo_expires_at` mark a one-click demo (DEMO_MODE_ENABLED), deleted once passed.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 03:00:00
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('scope', sa.String(length=5), server_default='write', nullable=False))
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='login', nullable=False))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()),
                      sa.column('created_at', sa.DateTime()), sa.column('expires_at', sa.DateTime()))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        connection.execute(tokens.update().where(tokens.c.id == token_id).values(
            expires_at=created_at + timedelta(days=30)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_check_constraint('scope', "scope IN ('read', 'write')")
        batch_op.create_check_constraint('kind', "kind IN ('login', 'personal')")
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_primary', sa.Boolean(), server_default='0', nullable=False))
    for table in ('households', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('demo_expires_at', sa.DateTime(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_demo_expires_at'), ['demo_expires_at'], unique=False)


def downgrade():
    for table in ('users', 'households'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_demo_expires_at'))
            batch_op.drop_column('demo_expires_at')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('is_primary')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope'), type_='check')
        batch_op.drop_column('kind')
        batch_op.drop_column('scope')
        batch_op.drop_column('expires_at')

"""forecast accounts: savings, investment and credit-card accounts leave the forecast

Until now every new account was counted in the cash-flow forecast (`include_in_forecast`
defaulted to true for every kind), so a family's savings, investments and the (usually
negative) balance of a credit card were added to the money the forecast says it can pay
its bills with. From this revision the default follows the kind (DESIGN §4,
docs/forecast.md): checking and cash accounts count, savings, investment, credit-card and
"other" accounts only when the owner includes them.

Existing savings, investment and credit-card accounts are set to "not included", as if
they had been created with the new default: nobody could choose otherwise before, since
the box was ticked for them by default. An owner who wants one counted switches it back
on the forecast page in one click. "Other" accounts are left as they are: that kind is
often a wallet or a prepaid card the family spends from, and nothing says it is not.
Checking and cash accounts are untouched (a deliberate "leave out" stays).

No schema change: the column exists since 0002.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:16:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

LEFT_OUT_KINDS = ('savings', 'investment', 'credit_card')

accounts = sa.table(
    'accounts',
    sa.column('kind', sa.String(16)),
    sa.column('include_in_forecast', sa.Boolean()),
)


def upgrade():
    op.execute(
        accounts.update()
        .where(accounts.c.kind.in_(LEFT_OUT_KINDS))
        .values(include_in_forecast=sa.false())
    )


def downgrade():
    """Nothing to undo in the schema, and the data is left as it is on purpose: after the
    upgrade an owner may have left some of these accounts out (or counted them) by choice,
    and a downgrade cannot tell those choices from the upgrade's own, so switching every
    savings, investment and credit-card account back on would override the owner. The old
    code reads the column the same way, so the downgraded app works with it unchanged."""

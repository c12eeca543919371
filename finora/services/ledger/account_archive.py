"""Archiving an account that still holds money: what happens to its balance, said before
it happens (issue 12: no slip may silently change the household's totals).

Archiving keeps the account's history and balance (the account page and the archived list
still show them), but the balance leaves "All accounts together" and the dashboard's
accounts total, and, for an account counted in the forecast, the forecast's starting
balance with its unpaid entries and recurring rules (household_forecast reads active
accounts only). Rules that post automatically keep posting to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.models import Account, Household, RecurringRule
from finora.money import ZERO
from finora.services.ledger.accounts import account_balances, set_account_archived
from finora.translation import lazy_gettext as _l


@dataclass(frozen=True)
class ArchiveImpact:
    balance: Decimal  # the account's balance at the end of the day asked about
    in_forecast: bool  # the balance also leaves the forecast
    auto_rules: int  # rules that keep posting entries to the archived account

    @property
    def holds_money(self) -> bool:
        return self.balance != ZERO


class ArchiveNeedsConfirmationError(FinoraError):
    """Archiving an account whose balance is not zero waits for a confirmation."""

    message = _l("This account still holds money: confirm to archive it.")
    status = 409

    def __init__(self, impact: ArchiveImpact) -> None:
        super().__init__()
        self.impact = impact


def archive_impact(session: Session, account: Account, day: date) -> ArchiveImpact:
    household = session.get_one(Household, account.household_id)
    balance = account_balances(session, household, day).get(account.id, ZERO)
    auto_rules = session.scalar(
        select(func.count())
        .select_from(RecurringRule)
        .where(
            RecurringRule.account_id == account.id,
            RecurringRule.auto_post.is_(True),
            RecurringRule.is_scenario.is_(False),
            # Rules with nothing left to post do not count.
            or_(RecurringRule.end_date.is_(None), RecurringRule.end_date >= day),
            not_(and_(RecurringRule.frequency == "once", RecurringRule.anchor_date < day)),
        )
    )
    return ArchiveImpact(balance, account.include_in_forecast, auto_rules or 0)


def archive_account(session: Session, account: Account, day: date, *, confirmed: bool = False) -> None:
    """Archive the account; one whose balance at the end of `day` is not zero needs
    `confirmed` (else ArchiveNeedsConfirmationError, carrying what would happen)."""
    if not confirmed:
        impact = archive_impact(session, account, day)
        if impact.holds_money:
            raise ArchiveNeedsConfirmationError(impact)
    set_account_archived(session, account, True)

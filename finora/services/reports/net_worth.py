"""Net worth month by month: every account's balance at each month's end, by the ledger's
balance rule (`finora.services.ledger.accounts.account_balances_on`, DESIGN §4).

Assets are the accounts that are not credit cards (an overdrawn checking account is a
negative asset); liabilities are the credit-card accounts, as the amount owed (a card's
negative balance is a positive liability); net worth = assets − liabilities = the sum of
every balance. Archived accounts count like the others: their balance is still the
household's money (zero once emptied). An account counts from its opening date on.

The current month ends today (the household's date); no month after it is shown, and none
before the earliest account's opening month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from finora.dates import in_window, window_message
from finora.errors import FieldError
from finora.models import Account, Household
from finora.money import ZERO
from finora.services.ledger.accounts import account_balances_on, list_accounts
from finora.services.planning.periods import month_bounds, shift_month
from finora.translation import lazy_gettext as _l

DEFAULT_MONTHS = 12
MAX_MONTHS = 120
LIABILITY_KINDS = ("credit_card",)

Month = tuple[int, int]


@dataclass(frozen=True)
class NetWorthMonth:
    year: int
    month: int
    day: date  # the balances' day: the month's last day, today for the current month
    assets: Decimal
    liabilities: Decimal  # owed on credit cards, positive
    change: Decimal | None  # net worth minus the month before's; None before the first account
    balances: dict[int, Decimal] = field(default_factory=dict, compare=False)  # per account id

    @property
    def net(self) -> Decimal:
        return self.assets - self.liabilities

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class NetWorthReport:
    first: Month  # the months asked for (after the defaults)
    last: Month
    accounts: list[Account]
    months: list[NetWorthMonth]  # oldest first; empty without accounts in the range

    @property
    def empty(self) -> bool:
        return not self.months

    @property
    def all_zero(self) -> bool:
        """Every account at zero at every month's end shown (a new household): nothing to
        chart yet."""
        return all(not m.assets and not m.liabilities for m in self.months)

    @property
    def latest(self) -> NetWorthMonth | None:
        return self.months[-1] if self.months else None


def parse_month(raw: str | None, name: str) -> Month | None:
    """"YYYY-MM" as (year, month); None for nothing. FieldError(name) otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return None
    year, sep, month = raw.partition("-")
    if not (sep and raw.isascii() and len(year) == 4 and len(month) == 2
            and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise FieldError(name, _l("“%(value)s” is not a month (YYYY-MM).", value=raw[:20]))
    if not in_window(date(int(year), int(month), 1)):
        raise FieldError(name, window_message())
    return int(year), int(month)


def months_between(first: Month, last: Month) -> list[Month]:
    count = (last[0] * 12 + last[1]) - (first[0] * 12 + first[1]) + 1
    return [shift_month(first[0], first[1], n) for n in range(max(count, 0))]


def resolve_months(today: date, first: Month | None, last: Month | None) -> tuple[Month, Month]:
    """The range asked for: `last` defaults to the current month and `first` to
    DEFAULT_MONTHS before it; a month after the current one is the current one. FieldError
    when the range is backwards or longer than MAX_MONTHS."""
    current = (today.year, today.month)
    last = min(last or current, current)
    if first is None:
        first = shift_month(last[0], last[1], 1 - DEFAULT_MONTHS)
    if first > last:
        raise FieldError("from", _l("The first month is after the last one."))
    if len(months_between(first, last)) > MAX_MONTHS:
        raise FieldError("from", _l("Net worth can span at most %(num)d months.", num=MAX_MONTHS))
    return first, last


def net_worth_report(
    session: Session, household: Household, today: date,
    first: Month | None = None, last: Month | None = None,
) -> NetWorthReport:
    """Each month from `first` to `last` (resolve_months' defaults), from the earliest
    account's opening month on. One `account_balances_on` call over every month's end (and
    the end of the month before the first shown, for its change)."""
    first, last = resolve_months(today, first, last)
    accounts = list_accounts(session, household)
    if not accounts:
        return NetWorthReport(first, last, accounts, [])
    opened = min(a.opening_date for a in accounts)
    shown = [m for m in months_between(first, last) if m >= (opened.year, opened.month)]
    if not shown:
        return NetWorthReport(first, last, accounts, [])

    def end_of(month: Month) -> date:
        return min(month_bounds(*month)[1], today)

    before = shift_month(shown[0][0], shown[0][1], -1)
    days = [end_of(m) for m in shown]
    counted_before = end_of(before) >= opened
    balances = account_balances_on(session, household, ([end_of(before)] if counted_before else []) + days)

    def totals(day: date) -> tuple[Decimal, Decimal, dict[int, Decimal]]:
        assets = liabilities = ZERO
        held = {}
        for account in accounts:
            if account.opening_date > day:
                continue
            amount = balances[day].get(account.id, ZERO)
            held[account.id] = amount
            if account.kind in LIABILITY_KINDS:
                liabilities -= amount
            else:
                assets += amount
        return assets, liabilities, held

    previous = None
    if counted_before:
        a, li, _held = totals(end_of(before))
        previous = a - li
    months = []
    for month, day in zip(shown, days, strict=True):
        assets, liabilities, held = totals(day)
        net = assets - liabilities
        months.append(NetWorthMonth(month[0], month[1], day, assets, liabilities,
                                    None if previous is None else net - previous, held))
        previous = net
    return NetWorthReport(first, last, accounts, months)

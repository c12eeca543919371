"""Accounts and their balances (DESIGN §4 balance rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, case, func, or_, select, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.dates import check_date
from finora.errors import FieldError, FinoraError
from finora.models import Account, BalanceSnapshot, Entry, Household, Transfer
from finora.models.account import ACCOUNT_KINDS, counts_in_forecast_by_default
from finora.money import ZERO, Cents
from finora.services.system import audit
from finora.translation import lazy_gettext as _l


class DuplicateAccountError(FinoraError):
    message = _l("You already have an account with this name.")
    status = 409
    field = "name"


class InvalidAccountError(FinoraError):
    message = _l("Choose a valid account type.")
    field = "kind"


@dataclass(frozen=True)
class AccountData:
    name: str
    kind: str
    opening_balance: Decimal
    opening_date: date
    include_in_forecast: bool | None = None  # None: by kind (counts_in_forecast_by_default)
    # Credit cards only (docs/cards.md): statement closing and due days, optional limit.
    closing_day: int | None = None
    due_day: int | None = None
    credit_limit: Decimal | None = None
    # The account the card's statements are paid from (None: the primary account).
    payment_account_id: int | None = None

    @property
    def in_forecast(self) -> bool:
        if self.include_in_forecast is None:
            return counts_in_forecast_by_default(self.kind)
        return self.include_in_forecast


def _check(
    session: Session, household: Household, data: AccountData, exclude_id=None, current_payer=None
) -> None:
    if data.kind not in ACCOUNT_KINDS:
        raise InvalidAccountError()
    check_date(data.opening_date, "opening_date")
    _check_card(data)
    if data.payment_account_id != current_payer or data.kind != "credit_card":
        # A paying account kept as it was is not checked again: one archived since stays
        # named (the forecast and "Pay statement" use the primary account meanwhile).
        _check_payment_account(session, household, data, exclude_id)
    # Compared in Python: the same rule on every engine (MariaDB's collation would also
    # call "Poupanca" and "Poupança" equal; SQLite's lower() alone ignores accents' case).
    wanted = data.name.strip().casefold()
    names = session.execute(
        select(Account.id, Account.name).where(Account.household_id == household.id)
    )
    if any(name.strip().casefold() == wanted and id_ != exclude_id for id_, name in names):
        raise DuplicateAccountError()


def _check_card(data: AccountData) -> None:
    """Statement days and a limit only for a credit card; both days or neither."""
    card = data.kind == "credit_card"
    for field in ("closing_day", "due_day"):
        value = getattr(data, field)
        if value is not None and not (card and 1 <= value <= 31):
            raise FieldError(
                field,
                _l("Enter a day from 1 to 31.") if card else _l("Only a credit card has statement days."),
            )
    if (data.closing_day is None) != (data.due_day is None):
        missing = "due_day" if data.due_day is None else "closing_day"
        raise FieldError(missing, _l("Enter both the closing day and the due day, or neither."))
    if data.credit_limit is not None and (not card or data.credit_limit < 0):
        raise FieldError(
            "credit_limit",
            _l("Enter a limit of zero or more.") if card else _l("Only a credit card has a limit."),
        )


def _check_payment_account(session: Session, household: Household, data: AccountData, exclude_id) -> None:
    """A card's paying account: an active account of the household that is not a card."""
    if data.payment_account_id is None:
        return
    field = "payment_account_id"
    if data.kind != "credit_card":
        raise FieldError(field, _l("Only a credit card is paid from another account."))
    payer = session.get(Account, data.payment_account_id)
    if payer is None or payer.household_id != household.id or payer.id == exclude_id:
        raise FieldError(field, _l("Choose one of your accounts that is not a credit card."))
    if not is_card_payer(payer):
        raise FieldError(
            field,
            _l("A card is paid from an active account that is not a credit card: choose another one."),
        )


def is_card_payer(account: Account) -> bool:
    """Whether a card's statements can be paid from this account: active, not a card."""
    return account.kind != "credit_card" and not account.archived


def card_payers(accounts: list[Account], card: Account | None = None) -> list[Account]:
    """The accounts (of one household) a card may name as its paying account."""
    return [a for a in accounts if is_card_payer(a) and (card is None or a.id != card.id)]


def paying_account(card: Account, active: list[Account]) -> Account | None:
    """The account `card`'s statements are paid from, among the household's active
    accounts: its own paying account while that is still eligible, else the primary one
    (the first checking account when none is marked) among the accounts that are not cards
    with statements."""
    if card.payment_account_id is not None:
        for account in active:
            if account.id == card.payment_account_id and is_card_payer(account):
                return account
    return primary_of([a for a in active if not a.has_statements])


def _apply_card(account: Account, data: AccountData) -> None:
    account.closing_day = data.closing_day
    account.due_day = data.due_day
    account.credit_limit = data.credit_limit
    account.payment_account_id = data.payment_account_id


def create_account(session: Session, household: Household, data: AccountData) -> Account:
    _check(session, household, data)
    account = Account(
        household_id=household.id,
        name=data.name.strip(),
        kind=data.kind,
        opening_balance=data.opening_balance,
        opening_date=data.opening_date,
        include_in_forecast=data.in_forecast,
    )
    _apply_card(account, data)
    session.add(account)
    _flush_names(session)
    audit.record(session, "account.created", object=account)
    return account


def _flush_names(session: Session) -> None:
    """Flush; a clash on the unique name (a collation that ignores accents, as MariaDB's
    usually does, or a concurrent save) reads as the duplicate-name error, not a crash."""
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateAccountError() from error


def update_account(session: Session, account: Account, data: AccountData) -> None:
    """Save the account's fields. An opening date after the account's first balance
    snapshot is refused (FieldError on "opening_date"): the balance rule would then start
    from a snapshot older than the account, the mirror image of the snapshot set before
    the opening that finora.services.ledger.snapshots.set_balance refuses."""
    household = session.get_one(Household, account.household_id)
    _check(session, household, data, exclude_id=account.id, current_payer=account.payment_account_id)
    first_snapshot = session.scalar(
        select(func.min(BalanceSnapshot.date)).where(
            BalanceSnapshot.household_id == account.household_id,
            BalanceSnapshot.account_id == account.id,
        )
    )
    if first_snapshot is not None and data.opening_date > first_snapshot:
        raise FieldError(
            "opening_date",
            _l(
                "A balance is set for this account on %(date)s: choose that day or an earlier "
                "one, or delete that balance on the account's page first.",
                date=LazyString(format_date, first_snapshot, "long"),
            ),
        )
    account.name = data.name.strip()
    account.kind = data.kind
    account.opening_balance = data.opening_balance
    account.opening_date = data.opening_date
    account.include_in_forecast = data.in_forecast
    _apply_card(account, data)
    _flush_names(session)
    audit.record(session, "account.updated", object=account)


def set_account_archived(session: Session, account: Account, archived: bool) -> None:
    account.archived = archived
    session.flush()
    audit.record(session, "account.updated", object=account, details={"archived": archived})


def list_accounts(session: Session, household: Household, *, include_archived: bool = True) -> list[Account]:
    stmt = select(Account).where(Account.household_id == household.id)
    if not include_archived:
        stmt = stmt.where(Account.archived.is_(False))
    return list(session.scalars(stmt.order_by(Account.archived, Account.name)))


def primary_account(session: Session, household: Household) -> Account | None:
    """The account new entries, rules, scenarios and transfers start on: the active account
    marked primary (accounts.is_primary), else the first active checking account by name,
    else the first active account, else None."""
    return primary_of(list_accounts(session, household, include_archived=False))


def primary_of(accounts: list[Account]) -> Account | None:
    """`primary_account` among these active accounts (in name order)."""
    marked = [a for a in accounts if a.is_primary]
    checking = [a for a in accounts if a.kind == "checking"]
    first = marked or checking or accounts
    return first[0] if first else None


def account_balances(session: Session, household: Household, on: date) -> dict[int, Decimal]:
    """Each account's balance at the end of day `on` (DESIGN §4): its latest snapshot on or
    before `on` plus the money that moved after the snapshot's day, else its opening
    balance plus the money that moved from the opening date on. Money moves on the day an
    entry was paid and on a transfer's date.

    Four queries, whatever the number of entries, snapshots or accounts: the accounts with
    their latest snapshot (a grouped max(date) per account joined back), then one entries
    and two transfer aggregates. Accounts that start counting on the same day share one
    range condition, so the entries sum stays on the (account_id, paid_on, kind, amount)
    index."""
    return account_balances_on(session, household, [on])[on]


def account_balances_on(
    session: Session, household: Household, days: list[date]
) -> dict[date, dict[int, Decimal]]:
    """`account_balances` on several days: the same figures, each ledger row read once.

    Days are taken in order. An account that counts from the same starting point on a day
    as on the day before it (no snapshot in between) continues from that day's balance
    with only the money that moved after it; otherwise it starts afresh from its starting
    point. The sums are of whole cents, so the figures are those of one day at a time. A
    month dashboard of a past month (that month's closing balances and today's, for the
    forecast) reads each entry once instead of the older half of the ledger twice. Four
    queries per day, as `account_balances`."""
    balances: dict[date, dict[int, Decimal]] = {}
    previous: date | None = None
    previous_starts: dict[int, tuple[date, bool]] = {}
    for on in sorted(set(days)):
        opening, starts = _starting_points(session, household, on)
        counted_from: dict[int, tuple[date, bool]] = {}
        for account_id, start in starts.items():
            # Only from a start on or before the day before: an account opened between the
            # two days counts from its opening date, never from earlier rows.
            if previous is not None and previous_starts.get(account_id) == start and start[0] <= previous:
                opening[account_id] = balances[previous][account_id]
                counted_from[account_id] = (previous, False)
            else:
                counted_from[account_id] = start
        balances[on] = _add_movements(session, household, opening, counted_from, on)
        previous, previous_starts = on, starts
    return balances


def _add_movements(
    session: Session, household: Household, balances: dict[int, Decimal],
    starts: dict[int, tuple[date, bool]], on: date,
) -> dict[int, Decimal]:
    """`balances` plus each account's money that moved from its start to the end of `on`:
    one entries and two transfer aggregates. Accounts that start counting on the same day
    share one range condition, so the entries sum stays on the (account_id, paid_on, kind,
    amount) index."""
    if not balances:
        return balances
    by_start: dict[tuple[date, bool], list[int]] = {}
    for account_id, start in starts.items():
        by_start.setdefault(start, []).append(account_id)

    def since(column, day_column):
        return or_(
            *(
                and_(
                    column.in_(ids),
                    day_column >= day if inclusive else day_column > day,
                    day_column <= on,
                )
                for (day, inclusive), ids in by_start.items()
            )
        )

    signed = case((Entry.kind == "income", Entry.amount), else_=-Entry.amount)
    rows = session.execute(
        select(Entry.account_id, type_coerce(func.sum(signed), Cents()))
        # By account, not household: the (account_id, paid_on, kind, amount) index covers it.
        # The paid_on range alone leaves unpaid entries out (NULL is in no range); a separate
        # "paid_on IS NOT NULL" was one more test on each of the ledger's index rows.
        .where(since(Entry.account_id, Entry.paid_on))
        .group_by(Entry.account_id)
    )
    for account_id, total in rows:
        balances[account_id] += total or ZERO

    for column, sign in ((Transfer.to_account_id, 1), (Transfer.from_account_id, -1)):
        rows = session.execute(
            select(column, type_coerce(func.sum(Transfer.amount), Cents()))
            .where(Transfer.household_id == household.id, since(column, Transfer.date))
            .group_by(column)
        )
        for account_id, total in rows:
            balances[account_id] += sign * (total or ZERO)
    return balances


def _starting_points(
    session: Session, household: Household, on: date
) -> tuple[dict[int, Decimal], dict[int, tuple[date, bool]]]:
    """Each account's balance at its starting point for day `on` (its latest snapshot on or
    before `on`, else its opening balance) and the day money counts from after it."""
    latest = (
        select(BalanceSnapshot.account_id, func.max(BalanceSnapshot.date).label("day"))
        .where(BalanceSnapshot.household_id == household.id, BalanceSnapshot.date <= on)
        .group_by(BalanceSnapshot.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account, BalanceSnapshot.id, BalanceSnapshot.date, BalanceSnapshot.amount)
        .outerjoin(latest, latest.c.account_id == Account.id)
        .outerjoin(
            BalanceSnapshot,
            and_(BalanceSnapshot.account_id == latest.c.account_id, BalanceSnapshot.date == latest.c.day),
        )
        .where(Account.household_id == household.id)
    )
    balances: dict[int, Decimal] = {}
    starts: dict[int, tuple[date, bool]] = {}
    chosen: dict[int, int] = {}
    for account, snapshot_id, snapshot_day, amount in rows:
        if snapshot_id is None:
            balances[account.id] = account.opening_balance
            starts[account.id] = (account.opening_date, True)
        elif snapshot_id > chosen.get(account.id, 0):
            # Two snapshots on the same day (a manual one and an imported one): the one
            # recorded last wins.
            chosen[account.id] = snapshot_id
            balances[account.id] = amount
            starts[account.id] = (snapshot_day, False)
    return balances, starts


def consolidated_balance(balances: dict[int, Decimal], accounts: list[Account]) -> Decimal:
    """Sum of the balances of the accounts that are not archived."""
    return sum((balances[a.id] for a in accounts if not a.archived), ZERO)

"""`flask finora seed`: years of realistic demo data, deterministic for a seed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Account, Category, Entry, Household, Transfer, User
from tests.factories import create_user

END = date(2024, 6, 15)
START = date(2022, 6, 16)  # two years ending at END


def _seed(app, *args):
    result = app.test_cli_runner().invoke(args=["finora", "seed", *args])
    assert result.exit_code == 0, result.output
    return result


def _new_household(app, *args) -> tuple[User, Household, str]:
    result = _seed(app, "--years", "2", "--seed", "7", "--end", END.isoformat(), *args)
    email = re.search(r"^E-mail: (\S+)$", result.output, re.M).group(1)
    password = re.search(r"^Password: (\S+)$", result.output, re.M).group(1)
    user = db.session.scalar(select(User).where(User.email == email))
    return user, user.memberships[0].household, password


def _entries(household: Household) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry).where(Entry.household_id == household.id).order_by(Entry.date, Entry.id)
        )
    )


def _fingerprint(household: Household) -> list[tuple]:
    """Everything but ids: the same seed must give the same ledger."""
    codes = dict(db.session.execute(select(Category.id, Category.code)).all())
    kinds = dict(db.session.execute(select(Account.id, Account.kind)).all())
    entries = [
        (e.kind, e.amount, e.date, e.paid_on, e.description, e.payment_method, kinds[e.account_id],
         codes[e.category_id], codes[e.subcategory_id])
        for e in _entries(household)
    ]
    transfers = [
        (kinds[t.from_account_id], kinds[t.to_account_id], t.amount, t.date, t.description)
        for t in db.session.scalars(
            select(Transfer).where(Transfer.household_id == household.id).order_by(Transfer.id)
        )
    ]
    return entries + transfers


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, (year, month) = [], (start.year, start.month)
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def test_seed_creates_a_realistic_household(app, client):
    user, household, password = _new_household(app, "--locale", "en")
    assert user.status == "active" and user.locale == "en"
    assert household.currency == "USD"
    assert client.post("/login", data={"email": user.email, "password": password}).status_code == 302

    entries = _entries(household)
    assert len(entries) > 1000
    assert {(e.date.year, e.date.month) for e in entries} >= set(_months(START, END))
    assert {e.kind for e in entries} == {"income", "expense"}
    assert min(e.date for e in entries) >= START
    assert max(e.date for e in entries) <= date(2024, 6, 30)  # bills due later in END's month

    for e in entries:
        assert isinstance(e.amount, Decimal) and e.amount > 0
        assert e.amount.as_tuple().exponent == -2
        assert e.description.strip()
        assert e.category.parent_id is None and e.category.kind == e.kind
        assert e.subcategory is not None and e.subcategory.parent_id == e.category_id
        assert e.category.household_id == e.subcategory.household_id == household.id
        assert e.account.household_id == household.id
        if e.paid_on is not None:
            assert e.date <= e.paid_on <= min(e.date + timedelta(days=2), END)

    old = [e for e in entries if e.date < END - timedelta(days=10)]
    overdue = [e for e in old if e.paid_on is None]
    assert overdue and len(overdue) < len(old) * 0.02  # a few bills left unpaid
    recent = [e for e in entries if END - timedelta(days=10) < e.date <= END]
    assert any(e.paid_on is None for e in recent)
    future = [e for e in entries if e.date > END]
    assert future and all(e.paid_on is None for e in future)
    assert {e.status(END) for e in entries} == {"paid", "pending", "overdue"}
    assert {e.payment_method for e in entries} >= {"credit_card", "debit_card", "bank_transfer"}
    salaries = [e for e in entries if e.subcategory.code == "income.work.salary"]
    assert {(e.date.year, e.date.month) for e in salaries} >= set(_months(date(2022, 7, 1), END))
    assert len({e.description for e in entries}) > 50

    accounts = list(db.session.scalars(select(Account).where(Account.household_id == household.id)))
    assert 2 <= len(accounts) <= 4
    assert {"checking", "credit_card"} <= {a.kind for a in accounts}
    assert all(a.opening_date <= START for a in accounts)

    transfers = list(db.session.scalars(select(Transfer).where(Transfer.household_id == household.id)))
    assert transfers
    ids = {a.id for a in accounts}
    for t in transfers:
        assert t.from_account_id != t.to_account_id
        assert {t.from_account_id, t.to_account_id} <= ids
        assert t.amount > 0 and t.amount.as_tuple().exponent == -2
        assert START <= t.date <= END


def test_the_same_seed_gives_the_same_data(app):
    _, first, _ = _new_household(app)
    _, second, _ = _new_household(app)
    assert _fingerprint(first) == _fingerprint(second)

    def totals(household):
        return db.session.execute(
            select(Entry.kind, func.count(), func.sum(Entry.amount))
            .where(Entry.household_id == household.id)
            .group_by(Entry.kind)
            .order_by(Entry.kind)
        ).all()

    assert totals(first) == totals(second)
    _, other, _ = _new_household(app, "--seed", "8")
    assert totals(other) != totals(first)


def test_seed_an_existing_users_household(app):
    user = create_user()
    household = user.memberships[0].household
    result = _seed(app, "--email", user.email.upper(), "--years", "1", "--end", END.isoformat())
    assert "Password" not in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    entries = _entries(household)
    assert entries and min(e.date for e in entries) == date(2023, 6, 16)
    assert f"{len(entries)} entries" in result.output
    # The account sign-up created is reused, and opens with the seeded history.
    checking = db.session.scalars(
        select(Account).where(Account.household_id == household.id, Account.kind == "checking")
    ).all()
    assert len(checking) == 1 and checking[0].opening_date <= date(2023, 6, 16)


def test_seed_refuses_bad_options(app):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["finora", "seed", "--email", "nobody@example.com"])
    assert missing.exit_code != 0 and "No user" in missing.output
    user = create_user()
    mixed = runner.invoke(args=["finora", "seed", "--email", user.email, "--name", "X"])
    assert mixed.exit_code != 0 and "--name" in mixed.output
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_seed_ignores_closed_registration(app_factory):
    application = app_factory(REGISTRATION_MODE="closed")
    with application.app_context():
        create_user()  # not the first user: sign-up would be refused
        user, household, _ = _new_household(application, "--name", "Ana", "--household", "Casa")
        assert user.status == "active" and not user.is_admin
        assert user.name == "Ana" and household.name == "Casa" and household.currency == "BRL"


def test_entries_target_is_met(app):
    _, household, _ = _new_household(app, "--entries", "4000")
    count = db.session.scalar(select(func.count()).where(Entry.household_id == household.id))
    assert 3600 <= count <= 4400

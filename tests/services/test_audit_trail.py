"""Audit events for ledger and planning changes, the trail's scope, and the retention purge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.jobs import run_job
from finora.models import AuditEvent, JobRun
from finora.services.ledger.accounts import (
    AccountData,
    create_account,
    set_account_archived,
    update_account,
)
from finora.services.ledger.entries import (
    EntryData,
    create_entry,
    delete_entry,
    set_entry_paid,
    update_entry,
)
from finora.services.ledger.transfers import (
    TransferData,
    create_transfer,
    delete_transfer,
    update_transfer,
)
from finora.services.planning.budgets import BudgetData, create_budget, delete_budget, update_budget
from finora.services.planning.goals import GoalData, create_goal, delete_goal, update_goal
from finora.services.planning.rules import RuleData, create_rule, delete_rule, update_rule
from finora.services.system import audit
from finora.services.system.audit_trail import household_events, purge_audit_events, user_events
from finora.services.system.settings import AUDIT_RETENTION_KEY, set_setting
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, household_of, make_account


def _account(home, name="Savings"):
    return AccountData(name=name, kind="savings", opening_balance=Decimal("5.00"), opening_date=date(2026, 1, 1))


def _entry(home, amount="12.50", description="Bakery"):
    food = category(home, "expense.food")
    return EntryData(
        kind="expense", amount=Decimal(amount), date=date(2026, 3, 2), description=description,
        account_id=checking_account(home).id, category_id=food.id,
    )


def _transfer(home, amount="40.00"):
    savings = make_account(home, name="Piggy bank", kind="savings")
    return TransferData(
        from_account_id=checking_account(home).id, to_account_id=savings.id,
        amount=Decimal(amount), date=date(2026, 3, 3),
    )


def _rule(home, amount="1500.00", name="Rent"):
    return RuleData(
        name=name, kind="expense", amount=Decimal(amount), account_id=checking_account(home).id,
        category_id=category(home, "expense.housing").id, frequency="monthly",
        anchor_date=date(2026, 1, 10),
    )


def _budget(home, amount="800.00"):
    return BudgetData(category_id=category(home, "expense.food").id, period="monthly", amount=Decimal(amount))


def _goal(home, target="5000.00", name="Trip"):
    return GoalData(name=name, target_amount=Decimal(target))


def _replace(data, **changes):
    from dataclasses import replace

    return replace(data, **changes)


# kind -> (create, update, delete or None); each takes (home, object) as needed.
KINDS = {
    "account": (
        lambda home: create_account(db.session, home, _account(home)),
        lambda obj: update_account(db.session, obj, _replace(_account(None), name="Emergency fund")),
        lambda obj: set_account_archived(db.session, obj, True),  # accounts are archived, not deleted
    ),
    "entry": (
        lambda home: create_entry(db.session, home, _entry(home)),
        lambda obj: update_entry(db.session, obj, _replace(_entry_of(obj), amount=Decimal("13.00"))),
        lambda obj: delete_entry(db.session, obj),
    ),
    "transfer": (
        lambda home: create_transfer(db.session, home, _transfer(home)),
        lambda obj: update_transfer(db.session, obj, TransferData(
            obj.from_account_id, obj.to_account_id, Decimal("41.00"), obj.date)),
        lambda obj: delete_transfer(db.session, obj),
    ),
    "rule": (
        lambda home: create_rule(db.session, home, _rule(home)),
        lambda obj: update_rule(db.session, obj, _rule(household_of_obj(obj), amount="1600.00")),
        lambda obj: delete_rule(db.session, obj),
    ),
    "budget": (
        lambda home: create_budget(db.session, home, _budget(home)),
        lambda obj: update_budget(db.session, obj, _budget(household_of_obj(obj), amount="900.00")),
        lambda obj: delete_budget(db.session, obj),
    ),
    "goal": (
        lambda home: create_goal(db.session, home, _goal(home)),
        lambda obj: update_goal(db.session, obj, _goal(None, target="6000.00")),
        lambda obj: delete_goal(db.session, obj),
    ),
}


def household_of_obj(obj):
    from finora.models import Household

    return db.session.get(Household, obj.household_id)


def _entry_of(entry):
    from finora.services.ledger.entries import entry_data

    return entry_data(entry)


def _events(household_id):
    return list(db.session.scalars(household_events(household_id).order_by(None).order_by(AuditEvent.id)))


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_change_is_recorded_with_who_and_what(app, kind):
    owner = create_user()
    home = household_of(owner)
    create, update, remove = KINDS[kind]

    obj = create(home)
    db.session.commit()
    object_id = obj.id
    update(obj)
    db.session.commit()
    remove(obj)
    db.session.commit()

    events = [e for e in _events(home.id) if e.object_type == kind]
    last = "updated" if kind == "account" else "deleted"
    assert [e.action for e in events] == [f"{kind}.created", f"{kind}.updated", f"{kind}.{last}"]
    assert {(e.object_type, e.object_id, e.household_id) for e in events} == {(kind, object_id, home.id)}
    assert events[0].created_at is not None and events[0].details
    # Amounts are kept exactly, as text (never a float).
    amounts = [e.details.get("amount") or e.details.get("target_amount") for e in events]
    assert all(a is None or "." in a for a in amounts)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_rolled_back_change_leaves_no_event(app, kind):
    owner = create_user()
    home = household_of(owner)
    KINDS[kind][0](home)
    db.session.rollback()
    kept = select(func.count()).select_from(AuditEvent).where(AuditEvent.object_type == kind)
    assert db.session.scalar(kept) == 0


def test_a_refused_change_records_nothing(app):
    owner = create_user()
    home = household_of(owner)
    make_account(home, name="Wallet", kind="cash")
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    from finora.services.ledger.accounts import DuplicateAccountError

    with pytest.raises(DuplicateAccountError):
        create_account(db.session, home, _account(home, name="wallet"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_entry_details_name_the_entry_and_amount(app):
    owner = create_user()
    home = household_of(owner)
    entry = create_entry(db.session, home, _entry(home, amount="1234.56", description="Rent share"))
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == entry.id,
                                                       AuditEvent.object_type == "entry"))
    assert event.details == {"amount": "1234.56", "description": "Rent share", "kind": "expense"}


def test_extra_details_add_to_the_objects_summary(app):
    owner = create_user()
    home = household_of(owner)
    entry = create_entry(db.session, home, _entry(home, amount="50.00", description="Power bill"))
    set_entry_paid(db.session, entry, date(2026, 3, 5))
    db.session.commit()
    created, paid = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "entry", AuditEvent.object_id == entry.id)
        .order_by(AuditEvent.id)
    ).all()
    assert created.action == "entry.created" and paid.action == "entry.updated"
    assert paid.household_id == home.id
    assert paid.details == {"amount": "50.00", "description": "Power bill", "kind": "expense",
                            "paid_on": "2026-03-05"}


def test_trails_are_scoped(app):
    ana, bia = create_user(), create_user()
    ana_home, bia_home = household_of(ana), household_of(bia)
    audit.record(db.session, "entry.created", user=ana, household_id=ana_home.id, object_type="entry", object_id=1)
    audit.record(db.session, "entry.created", user=bia, household_id=bia_home.id, object_type="entry", object_id=2)
    audit.record(db.session, "auth.signed_in", user=ana)
    db.session.commit()
    assert {e.object_id for e in db.session.scalars(household_events(ana_home.id))} == {1}
    assert [e.action for e in db.session.scalars(household_events(ana_home.id, "auth"))] == []
    mine = list(db.session.scalars(user_events(ana.id)))
    assert {e.action for e in mine} == {"entry.created", "auth.signed_in"}
    assert all(e.user_id == ana.id for e in mine)
    assert [e.action for e in db.session.scalars(user_events(ana.id, "auth"))] == ["auth.signed_in"]


def _event_aged(user, days: int, now: datetime) -> int:
    event = audit.record(db.session, "auth.signed_in", user=user)
    event.created_at = now - timedelta(days=days)
    db.session.flush()
    return event.id


def test_purge_deletes_only_events_older_than_the_retention(app):
    now = datetime.now(UTC)
    user = create_user()
    old = _event_aged(user, 400, now)
    kept = _event_aged(user, 300, now)
    db.session.commit()

    assert purge_audit_events(db.session, now) == 1  # default: 365 days
    db.session.commit()
    remaining = set(db.session.scalars(select(AuditEvent.id)))
    assert old not in remaining and kept in remaining

    set_setting(db.session, AUDIT_RETENTION_KEY, "200")
    db.session.commit()
    assert purge_audit_events(db.session, now) == 1
    db.session.commit()
    assert kept not in set(db.session.scalars(select(AuditEvent.id)))


def test_retention_never_goes_below_30_days(app):
    now = datetime.now(UTC)
    user = create_user()
    recent = _event_aged(user, 20, now)
    set_setting(db.session, AUDIT_RETENTION_KEY, "5")  # stored by hand, below the minimum
    db.session.commit()
    purge_audit_events(db.session, now)
    db.session.commit()
    assert db.session.get(AuditEvent, recent) is not None


def test_purge_runs_as_a_scheduled_job_and_is_recorded(app):
    now = datetime.now(UTC)
    user = create_user()
    _event_aged(user, 1000, now)
    _event_aged(user, 1001, now)
    keep = _event_aged(user, 1, now)
    db.session.commit()
    run = run_job(db.session, "purge_audit_events", "test")
    assert (run.status, run.items) == ("success", 2)
    assert db.session.scalar(select(JobRun).where(JobRun.job == "purge_audit_events")).finished_at
    assert set(db.session.scalars(select(AuditEvent.id))) == {keep}


def test_the_cli_runs_the_purge(app):
    now = datetime.now(UTC)
    user = create_user()
    _event_aged(user, 500, now)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["finora", "jobs", "run", "--force"])
    assert result.exit_code == 0, result.output
    assert "purge_audit_events: success, 1 item(s)" in result.output

"""Rows for the members and roles tests: members of a household, one of every object."""

from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from finora.crypto import encrypt_secret, hash_token
from finora.dates import now_utc
from finora.extensions import db
from finora.models import (
    Backup,
    BalanceSnapshot,
    Budget,
    CategorisationRule,
    EmailImportConfig,
    Goal,
    GoalContribution,
    Household,
    ImportBatch,
    ImportProfile,
    Invitation,
    Membership,
    Payee,
    PayeePattern,
    Tag,
    UndoRecord,
    User,
)
from finora.services.people import registration
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)
from tests.planning_factories import make_rule

_counter = itertools.count(1)


def add_member(household: Household, role: str, *, name: str | None = None) -> User:
    """An active user who belongs only to this household, with this role; committed."""
    n = next(_counter)
    user = User(
        email=f"member{n}@example.com",
        name=name or f"Member {n}",
        # The suite's cached hasher (tests/conftest.py): scrypt once per password.
        password_hash=registration.hash_password(PASSWORD),
        locale="en",
        status="active",
        approved_at=now_utc(),
    )
    db.session.add(user)
    db.session.add(Membership(user=user, household_id=household.id, role=role))
    db.session.commit()
    return user


def membership_of(user: User, household: Household) -> Membership:
    db.session.expire_all()
    return next(m for m in user.memberships if m.household_id == household.id)


def one_of_everything(household: Household) -> dict[str, int]:
    """One row of each household-owned kind; the ids keyed as the routes name them."""
    checking = checking_account(household)
    entry = make_entry(household, description="Groceries")
    savings_category = category(household, "expense.food")
    savings = make_account(household, name="Savings", opening_balance="100")
    transfer = make_transfer(household, checking, savings, amount="10")
    rule = make_rule(household, is_scenario=False)
    # Shown on pages with their own buttons: a what-if scenario, an archived account.
    make_rule(household, name="New car", is_scenario=True, anchor_date=date(2026, 5, 1))
    make_account(household, name="Old bank", archived=True)
    budget = Budget(household_id=household.id, category_id=savings_category.id,
                    period="monthly", amount=Decimal("500"))
    goal = Goal(household_id=household.id, name="Trip", target_amount=Decimal("1000"))
    db.session.add_all([budget, goal])
    db.session.flush()
    contribution = GoalContribution(household_id=household.id, goal_id=goal.id,
                                    date=date(2026, 3, 1), amount=Decimal("50"))
    snapshot = BalanceSnapshot(household_id=household.id, account_id=checking.id,
                               date=date(2026, 3, 1), amount=Decimal("300"))
    member = add_member(household, "editor")
    invitation = Invitation(household_id=household.id, email=f"guest{next(_counter)}@example.com",
                            role="viewer", token_hash=hash_token(f"t{next(_counter)}"),
                            expires_at=now_utc())
    batch = ImportBatch(household_id=household.id, account_id=checking.id,
                        file_name="extrato.csv", format="csv", added=0)
    profile = ImportProfile(household_id=household.id, name=f"Bank {next(_counter)}",
                            header_key="0" * 64, settings="{}")
    # An index card only (no file on disk): enough for the role and tenancy checks, which
    # refuse or 404 before any file is read.
    backup = Backup(household_id=household.id, scope="household", kind="manual",
                    file_name=f"finora-20260301T030000Z-{next(_counter):010x}.zip",
                    size_bytes=1, sha256="0" * 64, app_version="0", migration_head="0014")
    mailbox = EmailImportConfig(
        household_id=household.id, account_id=checking.id, name=f"Bank mail {next(_counter)}",
        host="127.0.0.1", port=993, security="ssl", username="family",
        password_encrypted=encrypt_secret("mailbox password"), folder="INBOX",
        subject="Saldo", allowed_sender="alerts@bank.example", start_delimiter="Saldo: ",
        end_delimiter="\n")
    # An Undo button's record (the owner's: only the person who made a change may undo it).
    owner = next(m.user_id for m in household.memberships if m.role == "owner")
    undo = UndoRecord(household_id=household.id, user_id=owner, kind="delete", label="Groceries",
                      count=0, payload={"tables": [], "links": []}, expires_at=now_utc())
    payee = Payee(household_id=household.id, name="Market", name_key="market")
    tag = Tag(household_id=household.id, name="Trip", name_key="trip")
    entry.payee, entry.tags = payee, [tag]
    pattern = PayeePattern(household_id=household.id, payee=payee, pattern="market")
    catrule = CategorisationRule(household_id=household.id, position=1, name="Market", pattern="market",
                                 category_id=savings_category.id)
    db.session.add_all([contribution, snapshot, invitation, batch, profile, backup, mailbox, undo,
                        payee, tag, pattern, catrule])
    db.session.commit()
    return {
        "account_id": checking.id,
        "entry_id": entry.id,
        "transfer_id": transfer.id,
        "category_id": savings_category.id,
        "rule_id": rule.id,
        "budget_id": budget.id,
        "goal_id": goal.id,
        "contribution_id": contribution.id,
        "snapshot_id": snapshot.id,
        "membership_id": membership_of(member, household).id,
        "invitation_id": invitation.id,
        "batch_id": batch.id,
        "profile_id": profile.id,
        "backup_id": backup.id,
        "config_id": mailbox.id,
        "undo_id": undo.id,
        "payee_id": payee.id,
        "tag_id": tag.id,
        "catrule_id": catrule.id,
    }


_LINK = re.compile(r"https?://\S+/invitations/[A-Za-z0-9_-]+")


def link_in(text: str) -> str:
    match = _LINK.search(text)
    assert match, f"no invitation link in: {text!r}"
    return match.group(0)


def two_households_with_members() -> SimpleNamespace:
    """The role tests' world: an owner's household (with a viewer and an editor) and another
    owner's, each with one of everything (the owner is the first user, so the admin)."""
    mine = household_of(create_user())
    other = household_of(create_user(name="Other Owner", household_name="Other home"))
    return SimpleNamespace(
        mine=mine,
        other=other,
        my_ids=one_of_everything(mine),
        their_ids=one_of_everything(other),
        viewer=add_member(mine, "viewer", name="Vera Viewer"),
        editor=add_member(mine, "editor", name="Eddie Editor"),
    )

"""People, activity, imports and backups pages cost the same number of SQL statements with
10 rows as with 1,000: members, audit events, users (admin), sessions, API tokens, import
batches and their entries, backups."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from finora.dates import now_utc
from finora.extensions import db
from finora.models import (
    ApiToken,
    AuditEvent,
    Backup,
    Entry,
    ImportBatch,
    Membership,
    User,
    UserSession,
)
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import household_of
from tests.web.query_count_rows import (
    account_of,
    assert_flat,
    bulk,
    entry_categories,
    entry_row,
    grower,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin(client, auth):
    """The instance admin, owner of a household, signed in (pages and API)."""
    user = create_user(is_admin=True)
    auth.login(user.email)
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {response.json['data']['token']}"
    return user


def _user(n: int, status: str = "active") -> dict:
    return {"email": f"bulk{n:05d}@example.com", "name": f"Bulk person {n}", "password_hash": "x",
            "locale": "en", "status": status, "is_admin": False, "created_at": now_utc(),
            "approved_at": now_utc() if status == "active" else None,
            "last_login_at": now_utc() - timedelta(days=n % 30) if n % 2 else None}


def test_member_pages(client, admin):
    home = household_of(admin)
    serials = iter(range(100_000))

    def grow(count: int) -> None:
        numbers = [next(serials) for _ in range(count)]
        bulk(User, (_user(n) for n in numbers))
        ids = db.session.scalars(
            db.select(User.id).where(User.email.in_([f"bulk{n:05d}@example.com" for n in numbers]))
        ).all()
        bulk(Membership, ({"user_id": user_id, "household_id": home.id, "role": ("editor", "viewer")[i % 2],
                           "created_at": now_utc()} for i, user_id in enumerate(ids)))

    urls = ["/household/members", "/profile/members", "/profile/households", "/admin/users",
            "/api/v1/admin/users"]
    assert_flat(client, urls, grow)


def test_admin_user_pages(client, admin):
    urls = ["/admin/users", "/admin/users?status=pending", "/api/v1/admin/users",
            "/api/v1/admin/approvals"]
    assert_flat(client, urls, grower(User, lambda n: _user(n, ("active", "pending", "disabled")[n % 3])))


def test_activity_pages(client, admin):
    home = household_of(admin)
    checking = account_of(home).id
    actions = [("entry.created", "entry", {"description": "Rent", "amount": "10.00"}),
               ("account.updated", "account", {"archived": True}),
               ("member.invited", "invitation", {"email": "guest@example.com", "role": "viewer"}),
               ("auth.sign_in", None, None), ("settings.smtp_changed", None, {"host": "mail"})]

    def event(n: int) -> dict:
        action, object_type, details = actions[n % len(actions)]
        return {"user_id": admin.id if n % 4 else None, "actor_email": admin.email, "household_id": home.id,
                "action": action, "object_type": object_type, "object_id": checking if object_type else None,
                "details": details, "ip_address": "127.0.0.1", "created_at": now_utc() - timedelta(minutes=n)}

    urls = ["/household/activity", "/profile/activity"]
    assert_flat(client, urls, grower(AuditEvent, event))


def test_session_and_token_pages(client, admin):
    def session(n: int) -> dict:
        return {"user_id": admin.id, "token_hash": hashlib.sha256(f"s{n}".encode()).hexdigest(),
                "label": f"Browser {n}", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
                "ip_address": "127.0.0.1", "created_at": now_utc(), "last_seen_at": now_utc(),
                "revoked_at": now_utc() if n % 5 == 0 else None}

    assert_flat(client, ["/profile/sessions", "/profile"], grower(UserSession, session))

    home = household_of(admin)

    def token(n: int) -> dict:
        return {"user_id": admin.id, "household_id": home.id, "name": f"Script {n}",
                "token_hash": hashlib.sha256(f"t{n}".encode()).hexdigest(), "created_at": now_utc(),
                "kind": "personal" if n % 2 else "login", "scope": ("read", "write")[n % 2]}

    assert_flat(client, ["/profile/api-tokens", "/profile"], grower(ApiToken, token))


def test_import_pages(client, admin):
    home = household_of(admin)
    checking = account_of(home).id

    def batch(n: int) -> dict:
        return {"household_id": home.id, "account_id": checking if n % 4 else None,
                "file_name": f"extrato-{n}.csv", "format": ("csv", "ofx", "qif", "xlsx")[n % 4],
                "created_by_id": admin.id if n % 2 else None, "created_at": now_utc() - timedelta(hours=n),
                "rows_in_file": n, "added": n // 2, "matched": 1, "duplicates": 2, "skipped": 0, "errors": 0,
                "undone_at": now_utc() if n % 7 == 6 else None}

    assert_flat(client, ["/imports/", "/api/v1/imports"], grower(ImportBatch, batch))

    one = ImportBatch(household_id=home.id, account_id=checking, file_name="big.csv", format="csv",
                      created_by_id=admin.id)
    db.session.add(one)
    db.session.commit()
    accounts, categories = [account_of(home)], entry_categories(home)
    urls = [f"/imports/batches/{one.id}", f"/api/v1/imports/{one.id}", "/imports/"]
    assert_flat(client, urls, grower(
        Entry, lambda n: entry_row(home, accounts, categories, n, import_batch_id=one.id,
                                   import_key=hashlib.sha256(f"k{n}".encode()).hexdigest())))


def test_backup_pages(client, admin):
    home = household_of(admin)

    def backup(n: int) -> dict:
        instance = n % 3 == 0
        return {"household_id": None if instance else home.id, "scope": "instance" if instance else "household",
                "kind": ("manual", "scheduled", "pre_restore", "pre_update")[n % 4], "storage": "portable",
                "file_name": f"finora-20260301T030000Z-{n:010x}.zip", "encrypted": n % 2 == 0,
                "size_bytes": 1000 + n, "sha256": "0" * 64, "app_version": "1.0", "migration_head": "0016",
                "created_at": now_utc() - timedelta(hours=n), "created_by_id": admin.id if n % 2 else None}

    assert_flat(client, ["/backups/", "/admin/backups"], grower(Backup, backup))

"""A household archive restored into a new household, or over the household it came from,
gives back every row's content (ids aside) on the engine under test; the archive holds
nothing of another household and no user id; an archive from an older version restores.

The helpers here (a household with one of everything, the content of a household as
comparable rows, rewriting an archive) are shared by the other backup-household tests."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update

from finora.dates import now_utc
from finora.extensions import db
from finora.models import (
    Account,
    Category,
    EmailImportConfig,
    Entry,
    Household,
    ImportBatch,
    ImportMatch,
    Membership,
    Payee,
    PayeePattern,
    Skip,
    Tag,
    User,
)
from finora.services.backups.container import ArchiveWriter, open_archive
from finora.services.backups.household_archive import owned_rows, write_household_archive
from finora.services.backups.household_restore import (
    check_household_archive,
    household_row_counts,
    restore_new_household,
    restore_replacing,
)
from finora.services.backups.household_tables import (
    HOUSEHOLD,
    HOUSEHOLD_COLUMN,
    MEMBERS,
    SECRET_COLUMNS,
    spec_by_name,
    table_specs,
)
from finora.services.ledger.splits import SplitLine, split_entry
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    household_of,
    make_account,
    make_entry,
)
from tests.members_factories import one_of_everything
from tests.planning_factories import make_rule

SETTINGS = ("name", "currency", "timezone", "country", "minimum_safe_balance")


def full_household(name: str = "Silva") -> tuple[Household, User]:
    """A household with a row in every backed-up table, a member, an entry posted by a rule,
    an import's entry and match, a skip, an account number, settings off their defaults."""
    owner = create_user(name=f"{name} owner")
    household = household_of(owner)
    household.country, household.minimum_safe_balance = "BR", Decimal("250.00")
    db.session.commit()
    one_of_everything(household)
    editor = db.session.scalar(
        select(User).join(Membership).where(Membership.household_id == household.id, Membership.role == "editor")
    )
    checking = checking_account(household)
    checking.number = f"0001-{household.id}"
    card = make_account(household, name=f"{name} card", kind="credit_card")
    card.payment_account_id = checking.id  # an account pointing to another one of its table
    rule = make_rule(household, name=f"{name} rent")
    db.session.add(Skip(household_id=household.id, rule_id=rule.id, occurrence_date=date(2026, 4, 10)))
    posted = make_entry(household, description=f"{name} rent March", user=owner, commit=False)
    posted.rule_id, posted.occurrence_date = rule.id, date(2026, 3, 10)
    batch = ImportBatch(household_id=household.id, account_id=card.id, file_name="fatura.ofx", format="ofx",
                        created_by_id=owner.id, undone_by_id=editor.id, undone_at=now_utc(), added=1, matched=1)
    db.session.add(batch)
    db.session.flush()
    imported = make_entry(household, description=f"{name} café — ünïcode", account=card, amount="12.34",
                          paid_on=date(2026, 3, 11), notes="line one\nline two", payment_method="credit_card",
                          user=editor, commit=False)
    imported.import_batch_id, imported.import_key = batch.id, f"FIT{household.id}"
    pending = make_entry(household, description=f"{name} gym", account=card, commit=False)
    # Tags and a payee with a learned pattern: restored under new ids, still linked.
    cafe = Payee(household_id=household.id, name=f"{name} Café", name_key=f"{name} café".casefold())
    imported.payee = cafe
    imported.tags = [Tag(household_id=household.id, name=word, name_key=word.casefold())
                     for word in ("Holiday", "Kids")]
    db.session.add(PayeePattern(household_id=household.id, payee=cafe, pattern="cafe"))
    db.session.flush()
    # A split entry: its lines (with a note, a subcategory) restore with it.
    split_entry(db.session, imported, [
        SplitLine(category(household, "expense.food").id, Decimal("10.00"),
                  category(household, "expense.food.groceries").id, f"{name} groceries"),
        SplitLine(category(household, "expense.housing").id, Decimal("2.34")),
    ])
    db.session.add(ImportMatch(batch_id=batch.id, entry_id=pending.id, previous_paid_on=None,
                               previous_import_key="old"))
    # Someone who is not a member any more created this one: the archive cannot name them.
    outsider = create_user(name=f"{name} outsider")
    make_entry(household, description=f"{name} by a former member", user=outsider,
               kind="income", amount="1500.00")
    db.session.add(Category(household_id=household.id, kind="expense", name=f"{name} own category",
                            parent_id=category(household, "expense.food").id))
    db.session.commit()
    return household, owner


def content(household_id: int, people: set[str] | None = None) -> dict[str, list[str]]:
    """Every backed-up row of a household as comparable text: ids and the household id
    left out, a reference replaced by the content of the row it names, a user by e-mail
    when among `people` (by default the household's members; others are nobody, as an
    archive cannot name them)."""
    specs = spec_by_name()
    if people is None:
        people = member_emails(household_id)
    rows = {spec.name: {row["id"]: dict(row) for row in owned_rows(db.session, spec, household_id)}
            for spec in table_specs()}
    emails = dict(db.session.execute(select(User.id, User.email)).all())
    memo: dict[tuple[str, int], tuple] = {}

    def canonical(table: str, row_id: int) -> tuple:
        if (table, row_id) not in memo:
            spec, row, values = specs[table], rows[table][row_id], []
            for column in spec.table.columns:
                value = row[column.name]
                if column.name in ("id", HOUSEHOLD_COLUMN, *SECRET_COLUMNS.get(table, ())):
                    continue  # a secret is never archived (checked below)
                if value is not None and column.name in spec.refs:
                    value = canonical(spec.refs[column.name], value)
                elif value is not None and column.name in spec.user_refs:
                    value = emails[value] if emails[value] in people else None
                values.append((column.name, value))
            memo[table, row_id] = tuple(values)
        return memo[table, row_id]

    return {table: sorted(repr(canonical(table, row_id)) for row_id in ids) for table, ids in rows.items()}


def member_emails(household_id: int) -> set[str]:
    return set(db.session.scalars(
        select(User.email).join(Membership).where(Membership.household_id == household_id)))


def settings_of(household: Household) -> tuple:
    return tuple(getattr(household, column) for column in SETTINGS)


def archive_of(household: Household, tmp_path: Path, name: str = "backup.zip") -> Path:
    path = tmp_path / name
    write_household_archive(db.session, household, path)
    return path


def read_archive(path: Path) -> tuple[dict, dict[str, list]]:
    """The manifest and every table's objects of an (unencrypted) archive."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = {
            name[len("data/"):-len(".jsonl")]: [json.loads(line) for line in archive.read(name).splitlines()]
            for name in archive.namelist() if name.startswith("data/")
        }
    return manifest, tables


def rewrite_archive(source: Path, target: Path, change, *, migration_head: str | None = None) -> Path:
    """A well-formed archive (fresh checksums and counts) whose tables are `change(tables)`:
    what a hand-edited or hostile archive looks like once it passes the container checks."""
    manifest, tables = read_archive(source)
    tables = change(tables)
    with ArchiveWriter(target, scope=manifest["scope"], household=manifest["household"]) as writer:
        for name, objects in tables.items():
            with writer.table(name) as out:
                for obj in objects:
                    out.write(obj)
    if migration_head is not None:
        _set_manifest(target, lambda m: m | {"migration_head": migration_head})
    return target


def _set_manifest(path: Path, change) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["manifest.json"] = json.dumps(change(json.loads(members["manifest.json"]))).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def restore_new(path: Path, tmp_path: Path, owner: User) -> Household:
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        household = restore_new_household(db.session, reader, plan, owner=owner)
    db.session.commit()
    return household


def test_a_restored_household_holds_the_same_rows(app, tmp_path):
    household, owner = full_household()
    before = content(household.id)
    assert all(before[spec.name] for spec in table_specs()), "the fixture misses a table"
    path = archive_of(household, tmp_path)

    restored = restore_new(path, tmp_path, owner)

    assert restored.id != household.id
    assert content(restored.id, member_emails(household.id)) == before
    assert settings_of(restored) == settings_of(household)
    assert household_row_counts(db.session, restored.id) == household_row_counts(db.session, household.id)
    # The owner who restored it is its only member; the original is untouched.
    members = db.session.execute(
        select(Membership.user_id, Membership.role).where(Membership.household_id == restored.id)
    ).all()
    assert members == [(owner.id, "owner")]
    assert content(household.id) == before


def test_a_mailbox_password_never_leaves_in_an_archive(app, tmp_path):
    household, owner = full_household()
    secret = db.session.scalar(select(EmailImportConfig.password_encrypted)
                               .where(EmailImportConfig.household_id == household.id))
    assert secret
    path = archive_of(household, tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert all(secret.encode() not in archive.read(name) for name in archive.namelist())
    restored = restore_new(path, tmp_path, owner)
    [config] = db.session.scalars(select(EmailImportConfig)
                                  .where(EmailImportConfig.household_id == restored.id)).all()
    assert config.password_encrypted == "" and config.host == "127.0.0.1"


def test_the_plan_names_the_members_and_counts(app, tmp_path):
    household, owner = full_household()
    path = archive_of(household, tmp_path)
    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
    assert plan.household["name"] == household.name
    assert [(m["email"], m["role"]) for m in plan.members][0] == (owner.email, "owner")
    assert {m["role"] for m in plan.members} == {"owner", "editor"}
    assert plan.counts["entries"] == len(content(household.id)["entries"])
    assert plan.counts[HOUSEHOLD] == 1 and plan.counts[MEMBERS] == 2


def test_the_archive_holds_nothing_of_another_household_and_no_user_id(app, tmp_path):
    household, owner = full_household("Silva")
    other, other_owner = full_household("Souza")
    manifest, tables = read_archive(archive_of(household, tmp_path))

    text = json.dumps(tables, ensure_ascii=False)
    assert "Souza" not in text and other_owner.email not in text
    for spec in table_specs():
        table_ids = set(db.session.scalars(select(spec.table.c.id).where(
            spec.table.c.id.in_([obj["id"] for obj in tables[spec.name]]))))
        theirs = {row["id"] for row in owned_rows(db.session, spec, other.id)}
        assert not table_ids & theirs, spec.name
        for obj in tables[spec.name]:
            if HOUSEHOLD_COLUMN in obj:
                assert obj[HOUSEHOLD_COLUMN] == household.id
            for column in spec.user_refs:
                assert obj[column] in (None, *(m["id"] for m in tables[MEMBERS]))
    assert manifest["household"]["id"] == household.id
    assert {m["email"] for m in tables[MEMBERS]} == {
        email for (email,) in db.session.execute(
            select(User.email).join(Membership).where(Membership.household_id == household.id))
    }
    assert set(tables[MEMBERS][0]) == {"id", "email", "name", "role"}
    # The former member's entry says nobody; password hashes and secrets are nowhere.
    former = next(obj for obj in tables["entries"] if obj["description"].endswith("by a former member"))
    assert former["created_by_id"] is None
    # (the one column named so, a mailbox's password, is written empty: checked below)
    assert "scrypt" not in text and "password" not in text.replace('"password_encrypted": ""', "")


def test_restoring_over_the_household_brings_back_its_state(app, tmp_path):
    household, owner = full_household()
    before, settings = content(household.id), settings_of(household)
    members_before = db.session.execute(
        select(Membership.user_id, Membership.role)
        .where(Membership.household_id == household.id).order_by(Membership.user_id)
    ).all()
    path = archive_of(household, tmp_path)
    # Changes after the backup: a new entry, a renamed account, other settings, a deleted rule's skip.
    make_entry(household, description="after the backup")
    db.session.execute(update(Account).where(Account.household_id == household.id).values(name=Account.name + "!"))
    household.name, household.currency = "Renamed", "EUR"
    db.session.commit()
    stranger, _owner = full_household("Souza")
    theirs = content(stranger.id)

    with open_archive(path, work_dir=tmp_path) as reader:
        plan = check_household_archive(reader, db.session)
        restored = restore_replacing(db.session, reader, plan, household=household)
    db.session.commit()

    assert restored.id == household.id
    assert content(household.id) == before
    assert settings_of(db.session.get(Household, household.id)) == settings
    assert db.session.execute(
        select(Membership.user_id, Membership.role)
        .where(Membership.household_id == household.id).order_by(Membership.user_id)
    ).all() == members_before
    assert content(stranger.id) == theirs


def test_an_archive_restores_twice_side_by_side(app, tmp_path):
    """Unique keys hold per household: two restores of one archive do not collide."""
    household, owner = full_household()
    path = archive_of(household, tmp_path)
    first, second = restore_new(path, tmp_path, owner), restore_new(path, tmp_path, owner)
    people = member_emails(household.id)
    assert content(first.id, people) == content(second.id, people) == content(household.id)


def test_user_columns_name_the_user_with_the_members_address(app, tmp_path):
    household, owner = full_household()
    path = archive_of(household, tmp_path)
    newcomer = create_user(name="Restorer")
    restored = restore_new(path, tmp_path, newcomer)
    creators = set(db.session.scalars(select(Entry.created_by_id).where(Entry.household_id == restored.id)))
    editor = db.session.scalar(
        select(User.id).join(Membership).where(Membership.household_id == household.id, Membership.role == "editor")
    )
    assert creators == {None, owner.id, editor}
    batch = db.session.scalar(select(ImportBatch).where(
        ImportBatch.household_id == restored.id, ImportBatch.file_name == "fatura.ofx"))
    assert (batch.created_by_id, batch.undone_by_id) == (owner.id, editor)


def test_an_archive_from_an_older_version_restores_with_defaults(app, tmp_path):
    """Migration 0012's archive: no account numbers, no import keys, no import tables (0013),
    and an account without include_in_forecast: each gets its default."""
    household, owner = full_household()
    path = archive_of(household, tmp_path)

    def older(tables):
        for obj in tables["accounts"]:
            obj.pop("number")
            if obj["kind"] == "credit_card":
                obj.pop("include_in_forecast")
        for obj in tables["entries"]:
            obj.pop("import_key")
            obj["import_batch_id"] = None
        for name in ("import_batches", "import_matches", "import_profiles"):
            del tables[name]
        return tables

    old = rewrite_archive(path, tmp_path / "old.zip", older, migration_head="0012")
    restored = restore_new(old, tmp_path, owner)

    accounts = db.session.scalars(select(Account).where(Account.household_id == restored.id)).all()
    assert accounts and all(account.number is None for account in accounts)
    assert {a.include_in_forecast for a in accounts if a.kind == "credit_card"} == {False}
    entries = db.session.scalars(select(Entry).where(Entry.household_id == restored.id)).all()
    assert len(entries) == len(content(household.id)["entries"])
    assert all(entry.import_key is None for entry in entries)
    counts = household_row_counts(db.session, restored.id)
    assert counts["import_batches"] == counts["import_matches"] == counts["import_profiles"] == 0


def test_a_category_listed_before_its_parent_restores(app, tmp_path):
    household, owner = full_household()
    path = archive_of(household, tmp_path)
    reordered = rewrite_archive(path, tmp_path / "reordered.zip",
                                lambda tables: tables | {"categories": tables["categories"][::-1]})
    restored = restore_new(reordered, tmp_path, owner)
    assert content(restored.id, member_emails(household.id)) == content(household.id)


def test_the_archive_is_one_snapshot_while_the_app_writes(app, tmp_path, monkeypatch):
    """An account and an entry on it committed while the archive is being written (after
    the accounts were read) are both absent: the archive restores, nothing dangles."""
    from finora.services.backups import household_archive

    household, owner = full_household()
    before = content(household.id)
    category_id = category(household, "expense.food").id
    read = household_archive.owned_rows

    def rows_meanwhile(connection, spec, household_id):
        if spec.name == "entries":
            with db.engine.begin() as other:
                account_id = other.execute(insert(Account).values(
                    household_id=household.id, name="Opened meanwhile", kind="cash",
                    opening_balance=Decimal("0"), opening_date=date(2026, 1, 1),
                    include_in_forecast=True, archived=False, created_at=now_utc(),
                ).returning(Account.id)).scalar_one()
                other.execute(insert(Entry).values(
                    household_id=household.id, account_id=account_id, kind="expense", amount=Decimal("1"),
                    date=date(2026, 3, 1), description="Meanwhile", category_id=category_id,
                    payment_method="cash", created_at=now_utc(), updated_at=now_utc(),
                ))
        yield from read(connection, spec, household_id)

    monkeypatch.setattr(household_archive, "owned_rows", rows_meanwhile)
    path = archive_of(household, tmp_path)
    monkeypatch.setattr(household_archive, "owned_rows", read)

    _manifest, tables = read_archive(path)
    assert "Meanwhile" not in {obj["description"] for obj in tables["entries"]}
    restored = restore_new(path, tmp_path, owner)
    assert content(restored.id, member_emails(household.id)) == before

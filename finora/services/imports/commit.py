"""Committing a reviewed file: one import batch, the new rows as entries (one bulk insert),
the accepted matches marked paid, the categories the file named created; all in the
caller's transaction, so any failure leaves nothing behind."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import FieldError, FinoraError, NotFoundError
from finora.models import Account, Category, Entry, Household, ImportBatch, ImportMatch, User
from finora.services.imports.accounts import remember_account_number
from finora.services.imports.categories import CategoryGoneError, CategoryMaker
from finora.services.imports.entry_labels import EntryLabels
from finora.services.imports.review import Review, ReviewRow, proposed_payee, taught_payees
from finora.services.imports.rows import ImportedRow, ParsedFile
from finora.services.imports.staging import Staged
from finora.services.ledger.ledger_refs import validate_ledger_refs
from finora.services.ledger.payees import payee_key
from finora.services.ledger.splits import SplitLine, add_split_lines
from finora.services.ledger.tags import tidy_tag_names
from finora.services.system import audit
from finora.services.system.lock_conflicts import is_lock_conflict
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

INSERT_CHUNK = 5000


class ImportConflictError(FinoraError):
    """Rows of the file landed in the ledger between the review and the commit."""

    message = _l("Some rows were imported by someone else meanwhile; review again.")
    status = 409


def _is_conflict(error: DBAPIError) -> bool:
    """A duplicate key, a deadlock or a lock timeout between two imports of the same rows:
    each is as much a conflict as the other."""
    return isinstance(error, IntegrityError) or is_lock_conflict(error)


def _id(value: str | int | None) -> int | None:
    """An id from a saved decision (None when absent); anything else is refused."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise FieldError("category_id", _l("Choose a category.")) from None
    if not 0 < number < 2**63:
        raise FieldError("category_id", _l("Choose a category."))
    return number


def _paid_on(row: ImportedRow) -> date | None:
    """The day a paid row was paid: the one the file gives, else the row's date."""
    if not row.paid:
        return None
    return row.paid_on or row.date


def _installment_columns(item: ReviewRow) -> dict[str, Any]:
    """A card statement's "k/N" row joins its purchase's installment group."""
    if item.installment is None:
        return {"installment_group": None, "installment_number": None, "installment_count": None}
    group, number, count = item.installment
    return {"installment_group": group, "installment_number": number, "installment_count": count}


def _decision(decisions: dict, item: ReviewRow) -> dict:
    return decisions.get(str(item.row.line)) or {}


class BatchWriter:
    """Writes one batch, rows chunk by chunk (the command line streams big files through
    it; the page writes its reviewed file in one call). `finish` records the counts and the
    audit event; the caller commits."""

    def __init__(
        self, session: Session, household: Household, user: User | None, account: Account,
        *, file_name: str, fmt: str, decisions: dict | None = None,
    ) -> None:
        if account.household_id != household.id:
            raise NotFoundError()
        if account.archived:
            raise FieldError("account_id", _l("This account is archived; choose another one."))
        self.session, self.household, self.user, self.account = session, household, user, account
        self.decisions = decisions or {}
        self.categories = CategoryMaker(session, household)
        self.labels = EntryLabels(session, household)
        self._checked: set[tuple] = set()
        self._pairs: dict[int, list[tuple[int, int | None]]] = {}
        self._taught: dict[str, str] = {}
        self.batch = ImportBatch(
            household_id=household.id, account_id=account.id, file_name=file_name, format=fmt,
            created_by_id=user.id if user else None,
        )
        session.add(self.batch)
        session.flush()

    def _line_pairs(self, item: ReviewRow) -> list[tuple[int, int | None]]:
        """A split row's lines' (category, subcategory), made where new, each checked."""
        pairs = []
        for line in item.split_lines:
            if line.resolved is not None:
                pair = self.categories.make(item.kind, line.resolved, item.row.line)
            elif line.category_id is not None:
                pair = (line.category_id, line.subcategory_id)
            else:
                raise FieldError("category_id", _l("Choose a category."))
            self._check(item.kind, pair, self._account_of(item))
            pairs.append(pair)
        return pairs

    def _category(self, item: ReviewRow) -> tuple[int, int | None]:
        pair: tuple[int, int | None]
        if item.split_lines:  # the entry's category is its first line's
            self._pairs[item.row.line] = self._line_pairs(item)
            return self._pairs[item.row.line][0]
        chosen = _id(_decision(self.decisions, item).get("category_id"))
        if chosen is not None:
            category = self.session.get(Category, chosen)
            if category is None or category.household_id != self.household.id:
                raise FieldError("category_id", _l("Choose a category."))
            # A subcategory chosen brings its parent; a top category may name its sub apart.
            pair = (category.parent_id, category.id) if category.parent_id else (category.id, None)
            sub = _id(_decision(self.decisions, item).get("subcategory_id"))
            if category.parent_id is None and sub is not None:
                pair = (category.id, sub)
        elif item.resolved is not None and item.resolved.is_new:
            pair = self.categories.make(item.kind, item.resolved, item.row.line)
        elif item.category_id is not None:
            pair = (item.category_id, item.subcategory_id)
        else:  # the review gives every row a category or one to make
            raise FieldError("category_id", _l("Choose a category."))
        self._check(item.kind, pair, self._account_of(item))
        return pair

    def _check_chosen(self, items: list[ReviewRow]) -> None:
        """The categories chosen in the review for the rows to add are still there and open
        (another member may have deleted or archived one since): else CategoryGoneError,
        naming each and its rows, before anything is written."""
        lines: dict[int, list[int]] = defaultdict(list)
        labels: dict[int, str] = {}
        for item in items:
            decision = _decision(self.decisions, item)
            chosen = _id(decision.get("category_id"))
            if chosen is not None:
                lines[chosen].append(item.row.line)
                labels.setdefault(chosen, str(decision.get("category_label") or ""))
        if not lines:
            return
        found = {
            category.id: category
            for category in self.session.scalars(select(Category).where(Category.id.in_(sorted(lines))))
        }
        gone = []
        for chosen, rows in lines.items():
            category = found.get(chosen)
            if category is None:
                gone.append((labels[chosen] or _("deleted category"), rows))
            elif category.household_id != self.household.id:
                continue  # not the household's: refused as any wrong id, its name unsaid
            elif category.archived:  # (archiving a category archives its subcategories)
                parent = self.session.get(Category, category.parent_id) if category.parent_id else None
                label = f"{parent.label} › {category.label}" if parent else category.label
                gone.append((labels[chosen] or label, rows))
        if gone:
            raise CategoryGoneError(gone)

    def _account_of(self, item: ReviewRow) -> Account:
        """The row's own account (a file naming each row's), else the batch's."""
        return item.account or self.account

    def _check(self, kind: str, pair: tuple[int, int | None], account: Account) -> None:
        """Each (account, kind, category, subcategory) once: of the household, of the
        kind, open."""
        if (account.id, kind, *pair) in self._checked:
            return
        validate_ledger_refs(
            self.session, self.household, kind=kind, account_id=account.id,
            category_id=pair[0], subcategory_id=pair[1],
        )
        self._checked.add((account.id, kind, *pair))

    def write(self, review: Review) -> None:
        """Add the chunk's new rows, mark its accepted matches paid, count the rest."""
        batch, now = self.batch, now_utc()
        batch.errors = (batch.errors or 0) + len(review.errors)
        batch.rows_in_file = (batch.rows_in_file or 0) + len(review.errors) + len(review.rows)
        matches: list[tuple[ReviewRow, Entry]] = []
        added: list[ReviewRow] = []
        for item in review.rows:
            decision = _decision(self.decisions, item)
            if item.status == "duplicate":
                batch.duplicates = (batch.duplicates or 0) + 1
            elif decision.get("skip"):
                batch.skipped = (batch.skipped or 0) + 1
            elif item.status == "match" and item.match is not None and decision.get("match", True):
                matches.append((item, item.match))
            else:
                added.append(item)
        self._check_chosen(added)
        self._taught = taught_payees(review.rows, self.decisions) if self.decisions else {}
        for item, entry in matches:
            self._match(item, entry)
        try:
            # Making a category the file names can meet a change by another member too (its
            # parent deleted, the same name made): a conflict, like a row imported meanwhile.
            rows = [self._entry_row(item, now) for item in added]
            for start in range(0, len(rows), INSERT_CHUNK):
                self.session.execute(insert(Entry), rows[start : start + INSERT_CHUNK])
            self._split(batch.id, rows, added)
            self.labels.link_tags(batch.id, {
                (row["account_id"], row["import_key"]): tags
                for row, item in zip(rows, added, strict=True) if (tags := self._tags(item))
            })
        except DBAPIError as error:
            if not _is_conflict(error):
                raise
            self.session.rollback()
            raise ImportConflictError() from None
        batch.added = (batch.added or 0) + len(rows)

    def _entry_row(self, item: ReviewRow, now: datetime) -> dict[str, Any]:
        category_id, subcategory_id = self._category(item)
        row = item.row
        return {
            "household_id": self.household.id, "account_id": self._account_of(item).id,
            "kind": item.kind, "amount": row.magnitude, "date": row.date,
            "paid_on": _paid_on(row), "description": row.description,
            "notes": row.notes, "payment_method": row.payment_method or "other",
            "category_id": category_id, "subcategory_id": subcategory_id,
            "import_batch_id": self.batch.id, "import_key": item.key,
            "payee_id": self._payee_id(item),
            **_installment_columns(item),
            "created_by_id": self.user.id if self.user else None,
            "created_at": now, "updated_at": now,
        }

    def _split(self, batch_id: int, rows: list[dict[str, Any]], added: list[ReviewRow]) -> None:
        """The split rows' entries divided into their lines."""
        split = [(row, item) for row, item in zip(rows, added, strict=True) if item.split_lines]
        if not split:
            return
        ids = {
            (account_id, key): entry_id
            for entry_id, account_id, key in self.session.execute(
                select(Entry.id, Entry.account_id, Entry.import_key).where(Entry.import_batch_id == batch_id)
            )
        }
        add_split_lines(self.session, self.household, [
            (ids[(row["account_id"], row["import_key"])], item.kind, row["amount"], [
                SplitLine(category_id=pair[0], subcategory_id=pair[1], amount=line.amount, note=line.note)
                for pair, line in zip(self._pairs[item.row.line], item.split_lines, strict=True)
            ])
            for row, item in split
        ])

    def _payee_id(self, item: ReviewRow) -> int | None:
        """The payee the review's field names (what the import proposed unless the user
        changed it). A payee the user chose for the row teaches its description's pattern,
        as changing an imported entry's payee does (services/ledger/payees.py)."""
        decision = _decision(self.decisions, item)
        if "payee" not in decision:
            return self.labels.payee_id(proposed_payee(item, self._taught))
        name = str(decision.get("payee") or "")
        if name and payee_key(name) != payee_key(item.payee_name or ""):
            return self.labels.learn(name, item.row.description)
        return self.labels.payee_id(name)

    def _tags(self, item: ReviewRow) -> tuple[str, ...]:
        decision = _decision(self.decisions, item)
        if "tags" in decision:
            return tidy_tag_names(decision.get("tags") or ())
        return item.row.tags

    def _match(self, item: ReviewRow, entry: Entry) -> None:
        """The pending entry is paid on the bank's date and takes the row's key (so the
        statement imported again finds it); what it had is kept for undo. A conditional
        UPDATE: an entry paid or re-keyed meanwhile is a conflict, not a silent overwrite."""
        self.session.add(ImportMatch(
            batch_id=self.batch.id, entry_id=entry.id,
            previous_paid_on=entry.paid_on, previous_import_key=entry.import_key,
        ))
        values: dict[str, Any] = {"paid_on": _paid_on(item.row), "import_key": item.key}
        condition = [Entry.paid_on.is_(None)]
        if entry.paid_on is not None and item.installment is not None:
            # An installment entered as "12x" is paid on its own date already: the bank's
            # row only claims it (its key), so the next statement does not add it again.
            values = {"import_key": item.key}
            condition = [Entry.paid_on == entry.paid_on, Entry.import_key.is_(None)]
        try:
            result = self.session.execute(
                update(Entry)
                .where(
                    Entry.id == entry.id, Entry.household_id == self.household.id,
                    Entry.account_id == self._account_of(item).id, *condition,
                )
                # A row the file itself calls unpaid (a spreadsheet's planned bill) links
                # the entry without paying it.
                .values(**values, updated_at=now_utc())
                .execution_options(synchronize_session=False)
            )
        except DBAPIError as error:
            if not _is_conflict(error):
                raise
            self.session.rollback()
            raise ImportConflictError() from None
        if cast("CursorResult[Any]", result).rowcount != 1:  # an UPDATE's result
            self.session.rollback()
            raise ImportConflictError()
        self.session.expire(entry)
        self.batch.matched = (self.batch.matched or 0) + 1

    def finish(self, account_number: str | None = None) -> ImportBatch:
        batch = self.batch
        remember_account_number(self.session, self.household, self.account, account_number)
        try:
            self.session.flush()
        except DBAPIError as error:
            if not _is_conflict(error):
                raise
            self.session.rollback()
            raise ImportConflictError() from None
        # "name" is what the activity page shows as the event's subject: the file.
        audit.record(
            self.session, "import.committed", user=self.user, household_id=self.household.id,
            object_type="import", object_id=batch.id,
            details={
                "name": batch.file_name, "format": batch.format, "account": self.account.name,
                **counts(batch),
                **({"categories_created": len(self.categories.created)} if self.categories.created else {}),
            },
        )
        self.session.flush()
        return batch


def counts(batch: ImportBatch) -> dict[str, int]:
    return {
        "rows_in_file": batch.rows_in_file or 0, "added": batch.added or 0,
        "matched": batch.matched or 0, "duplicates": batch.duplicates or 0,
        "skipped": batch.skipped or 0, "errors": batch.errors or 0,
    }


def commit_import(
    session: Session, household: Household, user: User | None, account: Account,
    staged: Staged, parsed: ParsedFile, review: Review,
) -> ImportBatch:
    """Write the reviewed file as one batch with the user's decisions (staged.decisions:
    skip a row, decline a match, another category). Flushes; the caller commits. On a
    conflict (rows imported meanwhile) the session is rolled back and ImportConflictError
    raised: nothing of the import stays."""
    writer = BatchWriter(
        session, household, user, account, file_name=staged.file_name, fmt=staged.format,
        decisions=staged.decisions,
    )
    writer.write(review)
    return writer.finish(parsed.account_number)


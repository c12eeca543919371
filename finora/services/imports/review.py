"""The review of a parsed file against the ledger: what each row would become (new, a
duplicate of a row already imported, or a match for a pending entry) and its category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.amounts import CENT, MAX_AMOUNT
from finora.dates import date_window, window_message
from finora.models import Account, Entry, Household
from finora.models.category_defaults import default_label
from finora.models.entry import PAYMENT_METHODS
from finora.models.tag import PAYEE_NAME_MAX
from finora.services.imports.accounts import AccountNames
from finora.services.imports.categories import CategoryIndex, Resolved
from finora.services.imports.installments import InstallmentGroups, Placed, installment_of
from finora.services.imports.keys import KeyMaker, normalise_description
from finora.services.imports.rows import ImportedRow, ParsedFile, RowError
from finora.services.imports.suggest import default_pair, history_categories
from finora.services.ledger.categorisation import Outcome, categorise, household_matchers
from finora.services.ledger.payees import (
    list_payees,
    payee_for_description,
    payee_key,
    payee_patterns,
)
from finora.services.ledger.payees import normalise_description as payee_pattern
from finora.services.ledger.splits import NOTE_LENGTH
from finora.services.ledger.tags import tidy_tag_names
from finora.translation import gettext as _

MATCH_DAYS = 5
KEY_CHUNK = 500
DESCRIPTION_MAX_LENGTH = 200  # entries.description is String(200)
STATUSES = ("new", "duplicate", "match")


@dataclass
class SplitChoice:
    """A split row's line as the commit writes it: its category (or one to make), its
    amount (positive, as the entry's) and note, and what the review shows for it."""

    category_id: int | None
    subcategory_id: int | None
    resolved: Resolved | None
    amount: Decimal
    note: str | None
    label: str


@dataclass
class ReviewRow:
    row: ImportedRow
    key: str
    status: str  # "new" | "duplicate" | "match"
    match: Entry | None
    kind: str
    category_id: int | None
    subcategory_id: int | None
    category_source: str  # "file" | "rule" | "history" | "default" | "new"
    new_category: str | None
    # What commit creates for a "new" category: a top category and/or a subcategory.
    resolved: Resolved | None = None
    # Where the row goes: the account the row names, else the one chosen for the file.
    account: Account | None = None
    # The payee the file names, else the one a learned pattern gives the description
    # (services/ledger/payees.py); commit creates it when new.
    payee_name: str | None = None
    # The categorisation rule that set the category ("rule" source), shown in the review.
    rule_name: str | None = None
    # A card statement's installment row: (group, k, N); the entry of `match` is then that
    # installment already in the ledger (services/imports/installments.py).
    installment: tuple[str, int, int] | None = None
    # A split transaction's lines (QIF); the entry's own category is the first line's.
    split_lines: list[SplitChoice] = field(default_factory=list)


@dataclass
class Review:
    rows: list[ReviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"new": 0, "duplicate": 0, "match": 0, "error": 0}
    )


def _row_problem(row: ImportedRow, window: tuple[date, date]) -> str | None:
    """Why a parsed row still cannot become an entry (the parsers read the values; these are
    the ledger's own limits)."""
    if not window[0] <= row.date <= window[1]:
        return str(window_message())
    if row.magnitude == 0:
        return _("The amount is zero.")
    if row.magnitude > MAX_AMOUNT:
        return _("The amount is too large.")
    if row.magnitude != row.magnitude.quantize(CENT):
        return _("The amount has more than two decimal places.")
    if row.entry_kind not in ("income", "expense"):
        return _("Choose income or expense.")
    return None


def _row_error(row: ImportedRow, reason: str) -> RowError:
    return RowError(row.line, reason, (row.date.isoformat(), str(row.amount), row.description))


def _tidy(row: ImportedRow) -> ImportedRow:
    """The row as an entry can hold it: description within its length (a row without one
    gets a neutral one), a known payment method, an amount in cents."""
    description = " ".join((row.description or "").split())[:DESCRIPTION_MAX_LENGTH] or _("Imported entry")
    method = row.payment_method if row.payment_method in PAYMENT_METHODS else None
    amount = row.amount.quantize(CENT)
    notes = (row.notes or "").strip() or None
    payee = " ".join((row.payee or "").split())[:PAYEE_NAME_MAX].strip() or None
    tags = tidy_tag_names(row.tags)
    if (description, method, amount, notes, payee, tags) == (
        row.description, row.payment_method, row.amount, row.notes, row.payee, row.tags
    ):
        return row
    return replace(row, description=description, payment_method=method, amount=amount, notes=notes,
                   payee=payee, tags=tags)


class Reviewer:
    """Reviews one file's rows against one account (or, for a file that names each row's
    account, against each row's), in one call or chunk by chunk (the command line streams
    big files): keys, the rows already seen, and the pending entries already matched carry
    over from chunk to chunk. Keys, duplicates and matches are per account, as the
    database's (account, key) constraint is."""

    def __init__(self, session: Session, household: Household, account: Account) -> None:
        self.session, self.household, self.account = session, household, account
        self.keys: dict[int, KeyMaker] = defaultdict(KeyMaker)
        self.seen: set[tuple[int, str]] = set()
        self.matched: set[int] = set()
        self._accounts: AccountNames | None = None
        self.index = CategoryIndex(session, household)
        self.history = history_categories(session, household, self.index.usable)
        self.defaults = {kind: default_pair(self.index.categories, kind) for kind in ("income", "expense")}
        self.patterns = payee_patterns(session, household)
        self.payees = {payee.id: payee.name for payee in list_payees(session, household)} if self.patterns else {}
        self.matchers = household_matchers(session, household)
        self.installments = InstallmentGroups(session, household)

    def review(self, rows: Iterable[ImportedRow]) -> Review:
        review = Review()
        good: list[tuple[ImportedRow, str, Account]] = []
        window = date_window()
        for row in rows:
            account = self._account(row)
            if isinstance(account, str):
                review.errors.append(_row_error(row, account))
                continue
            problem = _row_problem(row, window)
            if problem is not None:
                review.errors.append(_row_error(row, problem))
                continue
            # The key reads the file's own text: a blank description's stand-in is in the
            # reader's language, and must not make the same row new in another one.
            key = self.keys[account.id].key(row)
            good.append((_tidy(row), key, account))
        existing = self._existing_keys(good)
        pending = self._pending(good)
        for row, key, account in good:
            placed = None
            if (account.id, key) in existing or (account.id, key) in self.seen:
                status, match = "duplicate", None
            else:
                placed = self._installment(row, account)
                match = placed.match if placed is not None else None
                if match is not None:
                    self.matched.add(match.id)
                else:
                    match = self._match(row, account, pending)
                status = "match" if match is not None else "new"
            self.seen.add((account.id, key))
            learned = None if row.payee else self._learned_payee(row.description)
            outcome = self._rules(row, account, row.payee or learned)
            if row.payment_method is None and "payment_method" in outcome.values:
                row = replace(row, payment_method=str(outcome.values["payment_method"]))
            rule_tags = outcome.values.get("tags")
            if isinstance(rule_tags, tuple):
                row = replace(row, tags=tidy_tag_names((*row.tags, *rule_tags)))
            item = self._with_category(row, key, status, match, outcome)
            item.account = account
            if row.splits:
                item.split_lines = self._split_lines(row, key, status, match, outcome)
            if placed is not None:
                item.installment = (placed.group, placed.number, placed.count)
            # The file's payee, else a rule's, else the one learned from the description.
            item.payee_name = row.payee or str(outcome.values.get("payee") or "") or learned
            review.rows.append(item)
        review.counts["error"] = len(review.errors)
        for item in review.rows:
            review.counts[item.status] += 1
        return review

    def _split_lines(
        self, row: ImportedRow, key: str, status: str, match: Entry | None, outcome: Outcome,
    ) -> list[SplitChoice]:
        """Each split line's category as a row's own is found: the one the file names
        (made at commit when new), else the one the row would get without it."""
        fallback = self._with_category(replace(row, category=None, subcategory=None), key, status, match, outcome)
        lines = []
        for part in row.splits:
            resolved = self.index.resolve(row.entry_kind, part.category, part.subcategory)
            if resolved is None:
                resolved = fallback.resolved or Resolved(fallback.category_id, fallback.subcategory_id)
            note = " ".join((part.note or "").split())[:NOTE_LENGTH] or None
            lines.append(SplitChoice(resolved.category_id, resolved.subcategory_id,
                                     resolved if resolved.is_new else None, abs(part.amount).quantize(CENT),
                                     note, self._label(resolved)))
        return lines

    def _label(self, resolved: Resolved) -> str:
        if resolved.is_new:
            return _("new: %(name)s", name=resolved.new_label)
        top = self.index.by_id.get(resolved.category_id) if resolved.category_id else None
        sub = self.index.by_id.get(resolved.subcategory_id) if resolved.subcategory_id else None
        return " › ".join(category.label for category in (top, sub) if category is not None)

    def _installment(self, row: ImportedRow, account: Account) -> Placed | None:
        """A card purchase's "k/N" row: its installment group, or the installment already
        in the ledger it matches."""
        if not account.has_statements or row.entry_kind != "expense":
            return None
        mark = installment_of(row.description)
        if mark is None:
            return None
        return self.installments.place(account, row.date, row.magnitude, mark)

    def _rules(self, row: ImportedRow, account: Account, payee: str | None) -> Outcome:
        if not self.matchers:
            return Outcome()
        return categorise(self.matchers, description=row.description, payee=payee, amount=row.magnitude,
                          account_id=account.id, kind=row.entry_kind)

    def _rule_pair(self, outcome: Outcome) -> tuple[int, int | None] | None:
        chosen = outcome.values.get("category")
        category = self.index.by_id.get(chosen) if isinstance(chosen, int) else None
        if category is None or category.id not in self.index.usable:
            return None
        if category.parent_id is None:
            return category.id, None
        return (category.parent_id, category.id) if category.parent_id in self.index.usable else None

    def _learned_payee(self, description: str) -> str | None:
        payee_id = payee_for_description(self.patterns, description) if self.patterns else None
        return self.payees.get(payee_id) if payee_id is not None else None

    def _account(self, row: ImportedRow) -> Account | str:
        """The row's account, else why the account it names cannot be used."""
        if not row.account or not row.account.strip():
            return self.account
        if self._accounts is None:
            self._accounts = AccountNames(self.session, self.household)
        return self._accounts.usable(row.account)

    def _existing_keys(self, good: list[tuple[ImportedRow, str, Account]]) -> set[tuple[int, str]]:
        """(account id, key) of the rows already in the ledger."""
        by_account: dict[int, set[str]] = defaultdict(set)
        for _row, key, account in good:
            by_account[account.id].add(key)
        found: set[tuple[int, str]] = set()
        for account_id, keys in by_account.items():
            ordered = sorted(keys)
            for start in range(0, len(ordered), KEY_CHUNK):
                found.update(
                    (account_id, key)
                    for key in self.session.scalars(
                        select(Entry.import_key).where(
                            Entry.account_id == account_id,
                            Entry.import_key.in_(ordered[start : start + KEY_CHUNK]),
                        )
                    )
                    if key is not None  # the column allows NULL; the IN never matches one
                )
        return found

    def _pending(
        self, good: list[tuple[ImportedRow, str, Account]]
    ) -> dict[tuple[int, str, Decimal], list[Entry]]:
        """The rows' accounts' pending entries near the rows' dates, by (account, kind,
        amount)."""
        if not good:
            return {}
        first = min(row.date for row, _key, _account in good) - timedelta(days=MATCH_DAYS)
        last = max(row.date for row, _key, _account in good) + timedelta(days=MATCH_DAYS)
        entries = self.session.scalars(
            select(Entry)
            .where(
                Entry.household_id == self.household.id,
                Entry.account_id.in_(sorted({account.id for _row, _key, account in good})),
                Entry.paid_on.is_(None),
                Entry.date >= first,
                Entry.date <= last,
            )
            .order_by(Entry.date, Entry.id)
        )
        by_amount: dict[tuple[int, str, Decimal], list[Entry]] = defaultdict(list)
        for entry in entries:
            by_amount[(entry.account_id, entry.kind, entry.amount)].append(entry)
        return by_amount

    def _match(self, row: ImportedRow, account: Account, pending: dict) -> Entry | None:
        """The pending entry of the same account, kind and amount closest in date (within
        the window) that no earlier row took; each entry matches one row at most."""
        candidates = [
            entry for entry in pending.get((account.id, row.entry_kind, row.magnitude), ())
            if entry.id not in self.matched and abs((entry.date - row.date).days) <= MATCH_DAYS
        ]
        if not candidates:
            return None
        best = min(candidates, key=lambda e: (abs((e.date - row.date).days), e.date, e.id))
        self.matched.add(best.id)
        return best

    def _with_category(
        self, row: ImportedRow, key: str, status: str, match: Entry | None, outcome: Outcome,
    ) -> ReviewRow:
        # A match accepted keeps its entry's own category; this one serves a declined match.
        kind = row.entry_kind
        resolved = self.index.resolve(kind, row.category, row.subcategory)
        if resolved is not None:
            source = "new" if resolved.is_new else "file"
            return ReviewRow(row, key, status, match, kind, resolved.category_id,
                             resolved.subcategory_id, source, resolved.new_label, resolved)
        pair = self._rule_pair(outcome) if outcome.category_rule else None
        if pair is not None:
            return ReviewRow(row, key, status, match, kind, *pair, "rule", None, rule_name=outcome.category_rule)
        suggested = self.history.get((normalise_description(row.description), kind))
        if suggested is not None:
            return ReviewRow(row, key, status, match, kind, *suggested, "history", None)
        pair = self.defaults[kind]
        if pair is not None:
            return ReviewRow(row, key, status, match, kind, *pair, "default", None)
        # The household deleted every category of this kind: the default is made again.
        name = default_label("expense.other" if kind == "expense" else "income.other")
        resolved = Resolved(None, None, new_parent=name)
        return ReviewRow(row, key, status, match, kind, None, None, "default", name, resolved)


def taught_payees(rows: Iterable[ReviewRow], decisions: dict) -> dict[str, str]:
    """Description (as payee patterns normalise it) -> the payee the user gave a row of it
    on the review, when that is not the one the import proposed: offered to the file's
    other rows of that description, as the pattern learned at Import will offer it to
    later files."""
    taught: dict[str, str] = {}
    for item in rows:
        decision = decisions.get(str(item.row.line)) or {}
        name = decision.get("payee")
        if name and payee_key(str(name)) != payee_key(item.payee_name or ""):
            pattern = payee_pattern(item.row.description)
            if pattern:
                taught[pattern] = str(name)
    return taught


def proposed_payee(item: ReviewRow, taught: dict[str, str]) -> str | None:
    """The payee a row without a choice of its own gets: the file's, else one the user
    gave a row of the same description, else the import's proposal."""
    if item.row.payee or not taught:
        return item.payee_name
    return taught.get(payee_pattern(item.row.description)) or item.payee_name


def build_review(session: Session, household: Household, account: Account, parsed: ParsedFile) -> Review:
    """Every row's status and category; the file's errors (and rows the ledger cannot hold)
    in `errors`. Reads only: nothing is written."""
    review = Reviewer(session, household, account).review(parsed.rows)
    review.errors = sorted([*parsed.errors, *review.errors], key=lambda error: error.line)
    review.counts["error"] = len(review.errors)
    return review

"""Recurring rules as CSV: export in the user's locale, import every row or none, with the
rules already there (or earlier in the same file) found and, at the user's choice, skipped.
PyCashFlow's schedule export is read too (rules_csv_pycashflow)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, NoReturn, cast

from flask_babel import force_locale
from sqlalchemy.orm import Session

from finora.errors import FieldError, FinoraError
from finora.models import Account, Household, RecurringRule
from finora.money import format_amount_input
from finora.services.planning.posting import PostedNow, post_rule_now
from finora.services.planning.rules import RuleData, create_rule, hold_rule, list_rules
from finora.services.planning.rules_csv_format import (
    COLUMNS,
    REQUIRED,
    RowReader,
    Vocabulary,
    delimiter_for,
    header,
    key,
    neutralise,
    yes_no,
)
from finora.services.planning.rules_csv_pycashflow import (
    PyCashFlowRowReader,
    column_names,
    pycashflow_columns,
)
from finora.translation import lazy_gettext as _l

HEADER_LANGUAGES = ("pt", "en", "es")
MAX_ROWS = 1000
# The CSV column of each field a service error names.
_FIELD_COLUMN = {
    "name": "name",
    "kind": "kind",
    "amount": "amount",
    "payment_method": "payment_method",
    "frequency": "frequency",
    "business_day_policy": "business_day_policy",
    "anchor_date": "start_date",
    "end_date": "end_date",
    "account_id": "account",
    "category_id": "category",
    "subcategory_id": "category",
}


@dataclass(frozen=True)
class RowProblem:
    row: int  # in the file, the header being row 1
    column: str  # the column's header in the user's language, "" for the whole row
    message: str


class RulesCsvError(FinoraError):
    """The file was refused; the caller rolls back so nothing of it is kept."""

    message = _l("Nothing was imported: fix the rows below and try again.")
    status = 422

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__()
        self.problems = problems


def export_rules_csv(session: Session, household: Household, locale: str, words: Vocabulary) -> str:
    """The household's regular rules (not scenarios) as CSV text, starting with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter_for(locale), lineterminator="\r\n")
    with force_locale(locale):
        writer.writerow([str(label) for _code, label in COLUMNS])
        for rule in list_rules(session, household):
            writer.writerow(_export_row(rule, locale, words))
    return "\ufeff" + out.getvalue()


def _export_row(rule: RecurringRule, locale: str, words: Vocabulary) -> list[str]:
    category = rule.category.label
    if rule.subcategory is not None:
        category = f"{category} / {rule.subcategory.label}"
    return [
        neutralise(rule.name),
        format_amount_input(rule.amount, locale),
        str(words.kinds[rule.kind]),
        str(words.frequencies[rule.frequency]),
        rule.anchor_date.isoformat(),
        rule.end_date.isoformat() if rule.end_date else "",
        neutralise(category),
        neutralise(rule.account.name),
        str(words.payment_methods[rule.payment_method]),
        str(words.policies[rule.business_day_policy]),
        rule.hold_until.isoformat() if rule.hold_until else "",
        yes_no(rule.auto_post),
        yes_no(rule.mark_paid),
    ]


@dataclass(frozen=True)
class Duplicate:
    """A row identical to a rule already saved (`same_as_row` None) or to an earlier row of
    the same file: same name (case and surrounding spaces aside), type, amount, frequency,
    start date and account."""

    row: int
    name: str
    kind: str
    amount: Decimal
    frequency: str
    anchor_date: date
    account: str
    same_as_row: int | None = None


class DuplicateRulesFound(FinoraError):
    """The file is fine, but some of its rules are there already: the caller rolls back and
    asks whether to skip them or import them anyway."""

    message = _l("Some rules of the file are already there.")
    status = 409

    def __init__(self, duplicates: list[Duplicate], rows: int) -> None:
        super().__init__()
        self.duplicates = duplicates
        self.rows = rows  # rules in the file


@dataclass
class ImportOutcome:
    rules: list[RecurringRule] = field(default_factory=list)
    skipped: list[Duplicate] = field(default_factory=list)
    # What the imported auto-post rules posted at once (due occurrences, as on saving a rule).
    posted: list[PostedNow] = field(default_factory=list)


DuplicateChoice = Literal["ask", "skip", "import"]


def _same_rule_key(name: str, kind: str, amount, frequency: str, anchor: date | None, account_id) -> tuple:
    return (name.strip().casefold(), kind, Decimal(amount), frequency, anchor, account_id)


def _rule_key(rule: RecurringRule) -> tuple:
    return _same_rule_key(
        rule.name, rule.kind, rule.amount, rule.frequency, rule.anchor_date, rule.account_id
    )


def _data_key(data: RuleData) -> tuple:
    return _same_rule_key(
        data.name, data.kind, data.amount, data.frequency, data.anchor_date, data.account_id
    )


def import_rules_csv(
    session: Session, household: Household, content: bytes, locale: str, words: Vocabulary
) -> list[RecurringRule]:
    """Every rule of the file, duplicates of saved rules included (see import_rules)."""
    return import_rules(session, household, content, locale, words, duplicates="import").rules


def import_rules(
    session: Session,
    household: Household,
    content: bytes,
    locale: str,
    words: Vocabulary,
    *,
    duplicates: DuplicateChoice = "ask",
) -> ImportOutcome:
    """Add the rules of the file to the household's rules, or raise RulesCsvError listing
    each problem with its row. create_rule validates each rule, as it does the form's; on
    error the caller rolls back, so nothing of any row is kept.

    Rows identical to a saved rule or to an earlier row are duplicates: with "ask" (the
    default) a file that has any raises DuplicateRulesFound once every row is known to be
    valid, with "skip" they are left out, with "import" they are added like the others.
    Due occurrences of the imported auto-post rules are posted at once, as when a rule is
    saved through its form. Flushes; the caller commits once."""
    with force_locale(locale):
        records = _records(content)
        first = records[0] if records else []
        pycashflow = pycashflow_columns(first)
        columns = pycashflow if pycashflow is not None else _columns(first)
        # A problem names the column as the file does (PyCashFlow's "Next Date").
        names = column_names(first, columns) if pycashflow is not None else {}
        rows = [
            (number, cells)
            for number, cells in enumerate(records[1:], start=2)
            if any(cell.strip() for cell in cells)
        ]
        if not rows:
            _refuse(_l("The file has no rules to import."))
        if len(rows) > MAX_ROWS:
            _refuse(_l("A file can hold at most %(count)d rules.", count=MAX_ROWS))
        reader = (PyCashFlowRowReader if pycashflow is not None else RowReader)(
            session, household, locale, words
        )
        saved = {_rule_key(rule) for rule in list_rules(session, household)}
        first_row: dict[tuple, int] = {}
        outcome = ImportOutcome()
        found_duplicates: list[Duplicate] = []
        problems: list[RowProblem] = []
        for number, cells in rows:
            found = reader.read(cells, columns)
            problems.extend(
                RowProblem(number, names.get(code) or header(code), text)
                for code, text in found.problems
            )
            if found.problems:
                continue
            data = cast(RuleData, found.data)  # a row read without problems carries its data
            duplicate = _duplicate(session, number, data, saved, first_row)
            if duplicate is not None:
                found_duplicates.append(duplicate)
                if duplicates == "skip":
                    outcome.skipped.append(duplicate)
                    continue
            try:
                rule = create_rule(session, household, data)
            except FieldError as error:
                code = _FIELD_COLUMN.get(error.field or "", "")
                column = names.get(code) or header(code)
                problems.append(RowProblem(number, column, str(error.message)))
                continue
            if found.hold_until is not None:
                hold_rule(session, rule, found.hold_until)
            outcome.rules.append(rule)
        if problems:
            raise RulesCsvError(problems)
        if found_duplicates and duplicates == "ask":
            raise DuplicateRulesFound(found_duplicates, len(rows))
        outcome.posted = [post_rule_now(session, rule) for rule in outcome.rules]
        return outcome


def _duplicate(
    session: Session, number: int, data: RuleData, saved: set[tuple], first_row: dict[tuple, int]
) -> Duplicate | None:
    """The row as a Duplicate when it repeats a saved rule or an earlier row; else None
    (and the row is remembered as the first of its kind)."""
    if data.amount is None or data.anchor_date is None:
        return None  # create_rule refuses it
    key = _data_key(data)
    if key in saved:
        same_as = None
    elif key in first_row:
        same_as = first_row[key]
    else:
        first_row[key] = number
        return None
    account = session.get(Account, data.account_id) if data.account_id is not None else None
    return Duplicate(
        row=number,
        name=data.name.strip(),
        kind=data.kind,
        amount=data.amount,
        frequency=data.frequency,
        anchor_date=data.anchor_date,
        account=account.name if account is not None else "",
        same_as_row=same_as,
    )


def _refuse(message) -> NoReturn:
    """The file as a whole is refused (reported on the header's row)."""
    raise RulesCsvError([RowProblem(1, "", str(message))])


def _records(content: bytes) -> list[list[str]]:
    """The file's records; the delimiter (";" or ",") is the one the header uses."""
    if b"\x00" in content:
        _refuse(_l("This is not a CSV file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheets on Windows often save CSV in their ANSI code page.
        text = content.decode("cp1252", errors="replace")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        _refuse(_l("The file is empty."))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        _refuse(_l("This is not a CSV file."))


def _header_aliases() -> dict[str, str]:
    """Each column is known by its code and by its header in any of the app's languages."""
    aliases: dict[str, str] = {}
    for language in HEADER_LANGUAGES:
        with force_locale(language):
            aliases.update({key(str(label)): code for code, label in COLUMNS})
    for code, _label in COLUMNS:
        aliases[code] = code
        aliases[key(code.replace("_", " "))] = code
    return aliases


def _columns(cells: list[str]) -> dict[str, int]:
    """Each known column's position; unknown, repeated or missing columns refuse the file."""
    aliases = _header_aliases()
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        if not key(cell):
            continue
        code = aliases.get(key(cell))
        if code is None:
            _refuse(
                _l(
                    "Unknown column “%(name)s”. The columns are: %(columns)s.",
                    name=cell.strip(),
                    columns=", ".join(str(label) for _code, label in COLUMNS),
                )
            )
        if code in positions:
            _refuse(_l("The column “%(name)s” appears twice.", name=cell.strip()))
        positions[code] = index
    missing = [header(code) for code in REQUIRED if code not in positions]
    if missing:
        _refuse(_l("Missing columns: %(columns)s.", columns=", ".join(missing)))
    return positions

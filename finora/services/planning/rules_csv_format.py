"""The CSV form of a recurring rule: its columns, the words each cell accepts, and reading
one row's cells into RuleData with a reason for every cell that cannot be read."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from babel.dates import get_date_format
from babel.numbers import get_decimal_symbol
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.dates import in_window, window_message
from finora.models import Account, Category, Household
from finora.money import MoneyError, parse_amount
from finora.services.planning.rules import DEFAULT_POLICY, RuleData
from finora.translation import lazy_gettext as _l

# (code, header). The first eight are required on import; the rest default when absent.
COLUMNS = (
    ("name", _l("Name")),
    ("amount", _l("Amount")),
    ("kind", _l("Type")),
    ("frequency", _l("Frequency")),
    ("start_date", _l("Start date")),
    ("end_date", _l("End date")),
    ("category", _l("Category")),
    ("account", _l("Account")),
    ("payment_method", _l("Payment method")),
    ("business_day_policy", _l("On weekends and holidays")),
    ("hold_until", _l("Paused until")),
    ("auto_post", _l("Auto-post")),
    ("mark_paid", _l("Mark as paid")),
)
REQUIRED = tuple(code for code, _label in COLUMNS[:8])
CategoryPair = tuple[int | None, int | None]  # (category id, subcategory id)
NO_CATEGORY: CategoryPair = (None, None)
T = TypeVar("T")
NAME_MAX_LENGTH = 120  # recurring_rules.name is String(120)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Vocabulary:
    """The translated words for each coded value (the web layer owns these labels)."""

    kinds: Mapping[str, object]
    frequencies: Mapping[str, object]
    policies: Mapping[str, object]
    payment_methods: Mapping[str, object]


def header(code: str) -> str:
    """The column's name in the current language ("" for none)."""
    return next((str(label) for c, label in COLUMNS if c == code), "")


def delimiter_for(locale: str) -> str:
    """Semicolons where the comma is the decimal mark, as spreadsheets there expect."""
    return ";" if get_decimal_symbol(locale) == "," else ","


def neutralise(text: str) -> str:
    """A leading apostrophe keeps a spreadsheet from running the cell as a formula; an
    apostrophe already there is doubled so `restore` gives back exactly the same text."""
    return "'" + text if text.startswith((*_FORMULA_START, "'")) else text


def restore(text: str) -> str:
    if text.startswith("'") and text[1:].startswith((*_FORMULA_START, "'")):
        return text[1:]
    return text


def yes_no(value: bool) -> str:
    return str(_l("Yes") if value else _l("No"))


def key(text: str) -> str:
    """Text compared the way a person would: case, BOM and repeated spaces ignored."""
    return " ".join(text.replace("\ufeff", "").split()).casefold()


@dataclass
class ReadRow:
    data: RuleData | None = None
    hold_until: date | None = None
    # (column code, message); "" for the whole row
    problems: list[tuple[str, str]] = field(default_factory=list)


class _CellError(ValueError):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class RowReader:
    """Turns one row's cells into RuleData, with a reason for every cell it cannot read."""

    def __init__(self, session: Session, household: Household, locale: str, words: Vocabulary):
        self.locale = locale
        self.kinds = _choices(words.kinds)
        self.frequencies = _choices(words.frequencies)
        self.policies = _choices(words.policies)
        self.policies.accepted[DEFAULT_POLICY] = DEFAULT_POLICY
        self.payment_methods = _choices(words.payment_methods)
        self.booleans = {
            **{key(w): True for w in (str(_l("Yes")), "yes", "y", "true", "1")},
            **{key(w): False for w in (str(_l("No")), "no", "n", "false", "0")},
        }
        self.accounts: dict[str, list[int]] = {}
        self.account_names: dict[str, int] = {}
        accounts = select(Account).where(Account.household_id == household.id).order_by(Account.id)
        for account in session.scalars(accounts):
            self.account_names[account.name] = account.id
            self.accounts.setdefault(key(account.name), []).append(account.id)
        self.categories = _category_index(session, household)
        self.day_first = (
            not get_date_format("short", locale=locale).pattern.lstrip().startswith("M")
        )

    def read(self, cells: list[str], columns: dict[str, int]) -> ReadRow:
        """Every cell read in COLUMNS' order, each problem noted; RuleData when none."""
        result = ReadRow()
        width = max(columns.values()) + 1
        if any(cell.strip() for cell in cells[width:]):
            result.problems.append(("", str(_l("This row has more cells than the header."))))

        def cell(code: str, reader: Callable[[str], T], failed: T) -> T:
            """The cell read, else `failed` (never used: a problem stops the row)."""
            index = columns.get(code)
            text = cells[index].strip() if index is not None and index < len(cells) else ""
            try:
                return reader(text)
            except _CellError as error:
                result.problems.append((code, str(error.message)))
                return failed

        name = cell("name", self._name, "")
        amount = cell("amount", self._amount, None)
        kind = cell("kind", self._kind, "")
        frequency = cell("frequency", self._frequency, "")
        start_date = cell("start_date", self._start_date, None)
        end_date = cell("end_date", self._end_date, None)
        category_id, subcategory_id = cell("category", lambda text: self._category(text, kind), NO_CATEGORY)
        account_id = cell("account", self._account, None)
        payment_method = cell("payment_method", self._payment_method, "")
        policy = cell("business_day_policy", self._business_day_policy, "")
        hold_until = cell("hold_until", self._hold_until, None)
        auto_post = cell("auto_post", self._auto_post, False)
        mark_paid = cell("mark_paid", self._mark_paid, False)
        if result.problems:
            return result
        result.data = RuleData(
            name=name, kind=kind, amount=amount, account_id=account_id, category_id=category_id,
            subcategory_id=subcategory_id, payment_method=payment_method, frequency=frequency,
            anchor_date=start_date, end_date=end_date, business_day_policy=policy,
            auto_post=auto_post, mark_paid=mark_paid,
        )
        result.hold_until = hold_until
        return result

    def _name(self, text: str) -> str:
        name = restore(text)
        if not name.strip():
            raise _CellError(_l("Name the rule."))
        if len(name.strip()) > NAME_MAX_LENGTH:
            raise _CellError(_l("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))
        return name

    def _amount(self, text: str) -> Decimal:
        try:
            amount = parse_amount(text, self.locale)
        except MoneyError as error:
            raise _CellError(error.message) from error
        if amount <= 0:
            raise _CellError(_l("Enter a positive amount."))
        return amount

    def _kind(self, text: str) -> str:
        return _pick(
            self.kinds, text, lambda words: _l("Enter the type: %(choices)s.", choices=words)
        )

    def _frequency(self, text: str) -> str:
        return _pick(
            self.frequencies,
            text,
            lambda words: _l("Enter how often it repeats: %(choices)s.", choices=words),
        )

    def _start_date(self, text: str) -> date:
        if not text:
            raise _CellError(_l("Enter the date of the first occurrence."))
        return self._date(text)

    def _end_date(self, text: str) -> date | None:
        return self._date(text) if text else None

    def _hold_until(self, text: str) -> date | None:
        return self._date(text) if text else None

    def _category(self, text: str, kind: str) -> CategoryPair:
        """The (category, subcategory) ids the cell names for this kind ("" when the type
        could not be read: the category cannot be checked against it)."""
        name = restore(text)
        wanted = _category_key(name)
        if not wanted:
            raise _CellError(_l("Enter a category."))
        if not kind:
            return NO_CATEGORY
        found = self.categories[kind].get(wanted, [])
        exact = [target for label, target in found if label == name]
        if len(exact) == 1:
            return exact[0]
        if len(found) == 1:  # typed by hand: case and spacing may differ
            return found[0][1]
        if found:
            raise _CellError(_l("More than one category is called “%(name)s”.", name=name))
        if any(wanted in index for index in self.categories.values()):
            if kind == "income":
                raise _CellError(
                    _l("“%(name)s” is an expense category, not an income one.", name=name)
                )
            raise _CellError(_l("“%(name)s” is an income category, not an expense one.", name=name))
        raise _CellError(_l("The category “%(name)s” does not exist.", name=name))

    def _account(self, text: str) -> int:
        name = restore(text)
        if not name.strip():
            raise _CellError(_l("Enter an account."))
        if name in self.account_names:
            return self.account_names[name]
        # Typed by hand: case and spacing may differ, as long as one account fits.
        found = self.accounts.get(key(name), [])
        if len(found) != 1:
            raise _CellError(_l("The account “%(name)s” does not exist.", name=name))
        return found[0]

    def _payment_method(self, text: str) -> str:
        if not text:
            return "other"
        return _pick(
            self.payment_methods,
            text,
            lambda words: _l("Enter the payment method: %(choices)s.", choices=words),
        )

    def _business_day_policy(self, text: str) -> str:
        if not text:
            return DEFAULT_POLICY
        return _pick(
            self.policies,
            text,
            lambda words: _l(
                "Enter what happens on weekends and holidays: %(choices)s.", choices=words
            ),
        )

    def _auto_post(self, text: str) -> bool:
        return self._boolean(text, default=True)

    def _mark_paid(self, text: str) -> bool:
        return self._boolean(text, default=False)

    def _boolean(self, text: str, *, default: bool) -> bool:
        if not text:
            return default
        value = self.booleans.get(key(text))
        if value is None:
            raise _CellError(_l("Enter %(yes)s or %(no)s.", yes=str(_l("Yes")), no=str(_l("No"))))
        return value

    def _date(self, text: str) -> date:
        """A date within Finora's window (finora.dates.date_window), read by `_read_date`."""
        day = self._read_date(text)
        if not in_window(day):
            raise _CellError(window_message())
        return day

    def _read_date(self, text: str) -> date:
        """ISO (what the export writes), or the numeric date the locale writes, which is what
        a spreadsheet saves after it has opened the file: 31/01/2026, or 1/31/2026 in English."""
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            first, second, year = (int(part) for part in match.groups())
            day, month = (first, second) if self.day_first else (second, first)
            try:
                return date(year, month, day)
            except ValueError:
                pass
        raise _CellError(_l("Enter a real date, such as 2026-03-31."))


@dataclass(frozen=True)
class _Choices:
    accepted: dict[str, str]  # every accepted spelling -> code
    shown: str  # the words of the user's language, for the error message


def _choices(labels: Mapping[str, object]) -> _Choices:
    """Each code is accepted as itself and as its word in the user's language or English."""
    accepted: dict[str, str] = {}
    for code, label in labels.items():
        accepted[key(code)] = code
        accepted[key(code.replace("_", " "))] = code
        with force_locale("en"):
            accepted[key(str(label))] = code
    for code, label in labels.items():  # the user's own words win any clash
        accepted[key(str(label))] = code
    return _Choices(accepted, ", ".join(str(label) for label in labels.values()))


def _pick(choices: _Choices, text: str, message) -> str:
    code = choices.accepted.get(key(text))
    if code is None:
        raise _CellError(message(choices.shown))
    return code


def _category_key(text: str) -> str:
    return key(re.sub(r"\s*/\s*", " / ", text.strip()))


def _category_index(
    session: Session, household: Household
) -> dict[str, dict[str, list[tuple[str, CategoryPair]]]]:
    """For each kind: "Category" and "Category / Subcategory" as the user reads them
    (archived ones too, so create_rule can say they are archived), compared loosely, to
    (the exact text, (id, subcategory id))."""
    rows = list(session.scalars(select(Category).where(Category.household_id == household.id)))
    by_id = {category.id: category for category in rows}
    index: dict[str, dict[str, list[tuple[str, CategoryPair]]]] = {"income": {}, "expense": {}}
    for category in rows:
        target: CategoryPair
        if category.parent_id is None:
            label, target = category.label, (category.id, None)
        else:
            label = f"{by_id[category.parent_id].label} / {category.label}"
            target = (category.parent_id, category.id)
        index[category.kind].setdefault(_category_key(label), []).append((label, target))
    return index

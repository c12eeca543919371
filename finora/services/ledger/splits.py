"""Split entries: one entry divided into category lines that add up to its amount exactly.

The only writer of `entry_splits`. Every caller (the entry's split page, the API) goes
through `split_entry` / `unsplit_entry`, and the import through `add_split_lines`; each
checks the whole set of lines before writing a row, so the lines of an entry never add up
to anything but its amount."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import get_locale
from flask_babel.speaklater import LazyString
from sqlalchemy import insert
from sqlalchemy.orm import Session

from finora.amounts import CENT, ZERO
from finora.errors import FieldError
from finora.models import Entry, EntrySplit, Household
from finora.money import format_money
from finora.services.ledger.ledger_refs import validate_category_refs
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

MIN_LINES = 2
MAX_LINES = 50
NOTE_LENGTH = 200


@dataclass(frozen=True)
class SplitLine:
    """One line as a caller gives it: a category (top level), an optional subcategory of
    it, a positive amount and an optional note."""

    category_id: int | None
    amount: Decimal | None
    subcategory_id: int | None = None
    note: str | None = None


class SplitLineError(FieldError):
    """An error that belongs to one line: `index` is its position in the list given and
    `line_field` the line's field; `field` names both as the API does ("lines.1.amount")."""

    def __init__(self, index: int, line_field: str, message) -> None:
        super().__init__(f"lines.{index}.{line_field}", message)
        self.index = index
        self.line_field = line_field


def check_lines(
    session: Session,
    household: Household,
    *,
    kind: str,
    amount: Decimal,
    lines: Sequence[SplitLine],
    current: Entry | None = None,
) -> None:
    """Raise the first problem with these lines for an entry of `kind` and `amount`:
    fewer than two lines or too many, a line without a positive amount or a category of
    the entry's kind, a note too long, or a sum that differs from the amount."""
    if len(lines) < MIN_LINES:
        raise FieldError("lines", _l("A split needs at least two lines."))
    if len(lines) > MAX_LINES:
        raise FieldError("lines", _l("A split has at most %(count)s lines.", count=MAX_LINES))
    kept = {(s.category_id, s.subcategory_id) for s in current.splits} if current is not None else set()
    kept |= {(current.category_id, current.subcategory_id)} if current is not None else set()
    for index, line in enumerate(lines):
        if line.amount is None or line.amount <= ZERO:
            raise SplitLineError(index, "amount", _l("Enter a positive amount."))
        if line.amount != line.amount.quantize(CENT):
            raise SplitLineError(index, "amount", _l("Use at most two decimal places."))
        if line.note is not None and len(line.note.strip()) > NOTE_LENGTH:
            raise SplitLineError(
                index, "note", _l("Keep the note under %(count)s characters.", count=NOTE_LENGTH)
            )
        try:
            validate_category_refs(
                session,
                household,
                kind=kind,
                category_id=line.category_id,
                subcategory_id=line.subcategory_id,
                allowed_archived={i for pair in kept for i in pair if i is not None},
            )
        except FieldError as error:
            raise SplitLineError(index, error.field or "category_id", error.message) from None
    total = sum((line.amount for line in lines if line.amount is not None), ZERO)
    if total != amount:
        raise FieldError(
            "lines",
            _l(
                "The lines add up to %(total)s, not the entry’s %(amount)s: make them equal.",
                total=_money_text(total, household.currency),
                amount=_money_text(amount, household.currency),
            ),
        )


def _money_text(amount: Decimal, currency: str) -> LazyString:
    """The amount in the reader's language, written when the message is shown."""
    return LazyString(lambda: format_money(amount, currency, str(get_locale() or "en")))


def split_entry(
    session: Session, entry: Entry, lines: Sequence[SplitLine], *, amount: Decimal | None = None
) -> None:
    """Split the entry into these lines, or replace the lines it has. With `amount` the
    entry's amount changes too, in the same step (the lines must add up to the new one).
    While split, the entry's own category is its first line's."""
    household = session.get_one(Household, entry.household_id)
    new_amount = entry.amount if amount is None else amount
    if new_amount is None or new_amount <= ZERO:
        raise FieldError("amount", _l("Enter a positive amount."))
    check_lines(session, household, kind=entry.kind, amount=new_amount, lines=lines, current=entry)
    was_split = bool(entry.splits)
    entry.splits.clear()
    session.flush()  # the old positions go before the new ones take them
    for position, line in enumerate(lines):
        entry.splits.append(
            EntrySplit(
                household_id=entry.household_id,
                position=position,
                category_id=line.category_id,
                subcategory_id=line.subcategory_id,
                amount=line.amount,
                note=(line.note or "").strip() or None,
            )
        )
    entry.amount = new_amount
    entry.category_id = lines[0].category_id  # type: ignore[assignment]  # checked above
    entry.subcategory_id = lines[0].subcategory_id
    session.flush()
    audit.record(
        session,
        "entry.split" if not was_split else "entry.updated",
        object=entry,
        details={"lines": len(lines)},
    )


def add_split_lines(
    session: Session,
    household: Household,
    entries: Sequence[tuple[int, str, Decimal, Sequence[SplitLine]]],
) -> None:
    """Split new entries (an import's, inserted in bulk) into their lines: (entry id,
    kind, amount, lines) each, every set checked as split_entry checks it, then one insert.
    The entries' own category must already be their first line's."""
    rows: list[dict[str, object]] = []
    for entry_id, kind, amount, lines in entries:
        check_lines(session, household, kind=kind, amount=amount, lines=lines)
        rows.extend(
            {
                "household_id": household.id, "entry_id": entry_id, "position": position,
                "category_id": line.category_id, "subcategory_id": line.subcategory_id,
                "amount": line.amount, "note": (line.note or "").strip() or None,
            }
            for position, line in enumerate(lines)
        )
    if rows:
        session.execute(insert(EntrySplit), rows)


def unsplit_entry(session: Session, entry: Entry) -> None:
    """Back to one category: the first line's (which the entry already carries)."""
    if not entry.splits:
        return
    entry.splits.clear()
    session.flush()
    audit.record(session, "entry.unsplit", object=entry)


def check_entry_change(entry: Entry, *, kind: str, amount: Decimal, category_id, subcategory_id) -> None:
    """An edit of a split entry that its lines would not add up to is refused: the amount,
    the type and the category change on the split page, together with the lines."""
    if not entry.splits:
        return
    if amount != entry.amount:
        raise FieldError(
            "amount", _l("This entry is split: change its amount together with its lines.")
        )
    if kind != entry.kind:
        raise FieldError("kind", _l("This entry is split: unsplit it before changing its type."))
    if (category_id, subcategory_id) != (entry.category_id, entry.subcategory_id):
        raise FieldError(
            "category_id", _l("This entry is split: change the categories on its lines.")
        )


def copy_split(session: Session, source: Entry, copy: Entry) -> None:
    """Give `copy` (a new entry duplicated from `source`) the same split lines. The lines
    must still fit: a copy with another amount or kind is refused (on its amount field), a
    line whose category was archived since on its category field."""
    if not source.splits:
        return
    lines = [
        SplitLine(category_id=s.category_id, amount=s.amount, subcategory_id=s.subcategory_id, note=s.note)
        for s in source.splits
    ]
    try:
        split_entry(session, copy, lines)
    except SplitLineError as error:
        if error.line_field == "amount":
            raise FieldError("amount", _COPY_FITS) from None
        raise FieldError("category_id", error.message) from None
    except FieldError as error:
        if error.field == "lines":
            raise FieldError("amount", _COPY_FITS) from None
        raise


_COPY_FITS = _l(
    "A copy of a split entry keeps its lines, so its amount and type too: save it as it is "
    "and change them on the copy's split page."
)

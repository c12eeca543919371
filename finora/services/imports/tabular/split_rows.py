"""A split entry read back from Finora's own export: its lines are consecutive rows marked
"1/3", "2/3", "3/3" in the split column, with the entry's date, description, account and
type and each line's category, amount and note. `SplitGroups` puts such rows together
into one ImportedRow with split parts (as the QIF import does), or makes every row of a
broken group an error row: an entry is imported whole or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from finora.services.imports.rows import ImportedRow, ParsedFile, RowError, SplitPart
from finora.translation import gettext as _

_MARK = re.compile(r"(\d{1,4})\s*/\s*(\d{1,4})")
# The export writes a line's note after the entry's notes, with this between them.
NOTE_JOIN = " · "


def split_mark(text: str) -> tuple[int, int] | None:
    """"2/3" -> (2, 3): the line's number and how many lines the entry has; None for text
    that is not such a mark (a number of lines below two, a line past the last)."""
    found = _MARK.fullmatch(text.strip())
    if found is None:
        return None
    number, count = int(found[1]), int(found[2])
    return (number, count) if 1 <= number <= count and count >= 2 else None


@dataclass(frozen=True)
class _Line:
    line: int
    cells: tuple[str, ...]
    number: int
    count: int
    row: ImportedRow | None  # None when the row could not be read
    reason: str | None = None


class SplitGroups:
    """Rows fed in file order; a group's entry or its error rows go into the ParsedFile
    given when the group ends. A group can straddle two chunks of a streamed file: call
    `finish` once after the last row."""

    def __init__(self, account_mapped: bool) -> None:
        self.account_mapped = account_mapped
        self._run: list[_Line] = []

    def add(self, into: ParsedFile, line: int, cells: tuple[str, ...], mark: tuple[int, int],
            row: ImportedRow | None, reason: str | None = None) -> None:
        """One row marked as a split line (`row` None with the `reason` it cannot be read)."""
        number, count = mark
        run = self._run
        if run and (count != run[0].count or number != run[-1].number + 1):
            self.finish(into)
        self._run.append(_Line(line, cells, number, count, row, reason))
        if number == count:
            self.finish(into)

    def finish(self, into: ParsedFile) -> None:
        """Close the group being read (an unmarked row, or the end of the file, ends it)."""
        run, self._run = self._run, []
        if not run:
            return
        problem = self._problem(run)
        if problem is None:
            into.rows.append(_joined(run))
            return
        for part in run:
            into.errors.append(RowError(line=part.line, reason=part.reason or problem, cells=part.cells))

    def _problem(self, run: list[_Line]) -> str | None:
        rows = ", ".join(str(part.line) for part in run)
        count = run[0].count
        if run[0].number != 1 or len(run) != count:
            missing = 1 if run[0].number != 1 else run[-1].number + 1
            return _(
                "Split line %(number)s of %(count)s is missing: the lines of a split entry are "
                "consecutive rows numbered 1 to %(count)s (rows %(rows)s).",
                number=missing, count=count, rows=rows,
            )
        unread = [str(part.line) for part in run if part.row is None]
        if unread:
            return _(
                "Another row of this split entry cannot be read (%(unread)s), so none of its "
                "lines is imported (rows %(rows)s).",
                unread=", ".join(unread), rows=rows,
            )
        read = [part.row for part in run if part.row is not None]
        if len({row.entry_kind for row in read}) > 1:
            return _(
                "The lines of a split entry must be all income or all expenses (rows %(rows)s).",
                rows=rows,
            )
        first = read[0]
        for row in read[1:]:
            if (row.date, row.description) != (first.date, first.description) or (
                self.account_mapped and row.account != first.account
            ):
                return _(
                    "The lines of a split entry must have the same date, description and "
                    "account (rows %(rows)s).",
                    rows=rows,
                )
        return None


def _joined(run: list[_Line]) -> ImportedRow:
    """The group's entry: the first row's fields, the lines' amounts added up, each line a
    split part with its category and note."""
    rows = [part.row for part in run if part.row is not None]
    entry_notes, line_notes = split_notes([row.notes or "" for row in rows])
    parts = tuple(
        SplitPart(row.category, row.subcategory, row.amount, note)
        for row, note in zip(rows, line_notes, strict=True)
    )
    first = rows[0]
    return replace(
        first,
        amount=sum((part.amount for part in parts), Decimal(0)),
        notes=entry_notes,
        splits=parts,
    )


def split_notes(texts: list[str]) -> tuple[str | None, list[str | None]]:
    """(the entry's notes, each line's note) from the notes cells of a split's rows, which
    the export writes as the entry's notes, " · ", the line's note. The entry's notes are
    the shortest text every cell starts with, followed by " · " or ending there; when no
    such text is common to all the cells, they are all the lines' own notes. Cells all
    alike are the entry's notes (its lines have none)."""
    first = texts[0]
    candidates = [first[:index] for index in _find_all(first, NOTE_JOIN)]
    candidates.append(first)
    for prefix in candidates:
        if prefix and all(text == prefix or text.startswith(prefix + NOTE_JOIN) for text in texts):
            return prefix, [text[len(prefix) + len(NOTE_JOIN):] or None for text in texts]
    return None, [text or None for text in texts]


def _find_all(text: str, needle: str) -> list[int]:
    found, start = [], text.find(needle)
    while start >= 0:
        if start:
            found.append(start)
        start = text.find(needle, start + 1)
    return found

"""The PDF of a month with 1,000 entries, timed on the server side as the export page makes
it: the month's rows, totals and category breakdown read from the database, then the PDF
laid out in memory (fonts registered, tables, chart, "Page X of Y"). The floor: 1 s.

The month is the big household's busiest; when it has fewer than 1,000 entries, copies of
its own entries (same accounts, categories and amounts, "(copy n)" in the description)
fill it up to 1,000 before the clock starts. reportlab is imported and the fonts registered
before the clock, as in a process that has served a PDF before (the registration's time is
printed apart).

`make bench` runs it from tests/bench/run.py on its seeded database; on its own
(`python -m tests.bench.pdf`) it seeds only the big household first.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, Household, User
from finora.services.ledger.category_amounts import with_lines

MONTH_ENTRIES = 1_000
FLOOR_SECONDS = 1.0


@dataclass
class PdfResult:
    month: str
    entries: int
    pages: int
    size: int
    seconds: float
    steps: dict[str, float]
    fonts_once: float = 0.0  # registering the fonts, once per process (outside `seconds`)

    @property
    def passed(self) -> bool:
        return self.entries >= MONTH_ENTRIES and self.pages > 1 and self.seconds <= FLOOR_SECONDS


def busiest_month(household: Household) -> tuple[int, int]:
    dates = db.session.scalars(select(Entry.date).where(Entry.household_id == household.id))
    counts = Counter((day.year, day.month) for day in dates)
    return max(counts, key=lambda month: (counts[month], month))


def fill_month(household: Household, year: int, month: int, target: int) -> int:
    """Copies of the month's own entries until it has `target`; returns the month's count."""
    from finora.services.planning.periods import month_bounds

    start, end = month_bounds(year, month)
    in_month = (Entry.household_id == household.id, Entry.date >= start, Entry.date <= end)
    count = db.session.scalar(select(func.count()).select_from(Entry).where(*in_month))
    if count >= target:
        return count
    originals = db.session.scalars(select(Entry).where(*in_month).order_by(Entry.id)).all()
    for n in range(target - count):
        source = originals[n % len(originals)]
        db.session.add(Entry(
            household_id=household.id, account_id=source.account_id, kind=source.kind,
            amount=source.amount, date=source.date, paid_on=source.paid_on,
            description=f"{source.description} (copy {n + 1})"[:200], notes=source.notes,
            category_id=source.category_id, subcategory_id=source.subcategory_id,
            payment_method=source.payment_method,
        ))
    db.session.commit()
    return target


def time_month_pdf(app, email: str) -> PdfResult:
    from finora.dates import today
    from finora.services.exports.entry_rows import export_rows
    from finora.services.exports.pdf.entries_pdf import entries_pdf
    from finora.services.planning.periods import month_bounds
    from finora.services.reports.totals import category_breakdown, period_totals

    with app.test_request_context():
        owner = db.session.scalar(select(User).where(User.email == email))
        household = db.session.get(Household, owner.memberships[0].household_id)
        year, month = busiest_month(household)
        entries = fill_month(household, year, month, MONTH_ENTRIES)
        start, end = month_bounds(year, month)
        day = today(household)
        locale = "pt"
        label = f"{month:02d}/{year}"
        # Once per serving process, not per PDF: reportlab's import and the fonts' registration
        # (reported apart as "fonts, once").
        import reportlab.platypus  # noqa: F401

        from finora.services.exports.pdf.fonts import register_fonts

        once = time.perf_counter()
        register_fonts()
        once = time.perf_counter() - once

        steps: dict[str, float] = {}
        started = mark = time.perf_counter()

        def step(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            steps[name] = now - mark
            mark = now

        rows = list(export_rows(db.session, household, start, end, None, today=day, locale=locale))
        totals = period_totals(db.session, household, start, end, None, today=day)
        breakdown = category_breakdown(db.session, household, start, end, None, today=day)
        step("query")
        data = entries_pdf(household, label, rows, totals, breakdown, datetime.now(UTC), locale)
        step("layout")
        seconds = time.perf_counter() - started
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(data)).pages)
        result = PdfResult(f"{year}-{month:02d}", len(rows), pages, len(data), seconds, steps, once)
        # A split entry is one row per line (services/exports/entry_rows.py).
        expected = db.session.scalar(select(func.count()).select_from(
            with_lines(select(Entry.id).where(Entry.household_id == household.id, Entry.date >= start,
                                              Entry.date <= end)).subquery()))
        if expected != len(rows):
            raise RuntimeError(f"the month has {entries} entries ({expected} rows with their split lines) "
                               f"but the export read {len(rows)}")
        db.session.remove()
    return result


def report_month_pdf(result: PdfResult) -> bool:
    parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in result.steps.items())
    print(
        f"\nPDF of {result.month} ({result.entries:,} entries, {result.pages} pages, "
        f"{result.size / 1024:.0f} KiB) of the 100,000-entry household: {result.seconds:.2f} s "
        f"server time ({parts}; fonts registered once per process beforehand in "
        f"{result.fonts_once * 1000:.0f} ms). Floor: {FLOOR_SECONDS:.0f} s. {'PASS' if result.passed else 'FAIL'}"
    )
    return result.passed


def main() -> int:
    from tests.bench.standalone import run_alone

    return run_alone("pdf", lambda app, email: report_month_pdf(time_month_pdf(app, email)))


if __name__ == "__main__":
    import sys

    sys.exit(main())

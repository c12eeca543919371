"""The export's speed: a full "everything" CSV of the 100,000-entry household, consumed as
the streaming response would be (every chunk read and counted), in Portuguese (the
locale style: translated words, dd/mm/yyyy, "1.234,56"). The floor: 3 s.

Run by `make bench` from tests/bench/run.py on its seeded database; on its own
(`python -m tests.bench.exports`) it seeds only the big household first.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, Household, User
from finora.services.ledger.category_amounts import with_lines

FLOOR_SECONDS = 3.0


@dataclass
class ExportResult:
    rows: int
    entries: int
    megabytes: float
    seconds: float
    first_chunk_ms: float
    expected_rows: int  # a split entry is one row per line
    peak_mib: float | None = None

    @property
    def passed(self) -> bool:
        return self.rows == self.expected_rows and self.seconds <= FLOOR_SECONDS


def time_csv_export(app, email: str, *, measure_memory: bool = False) -> ExportResult:
    """Export everything the big household has as CSV and read every byte. With
    `measure_memory`, a second run under tracemalloc reports the peak (slower: not timed)."""
    from finora.services.exports.csv_export import csv_chunks
    from finora.services.exports.entry_rows import export_rows

    with app.app_context():
        owner = db.session.scalar(select(User).where(User.email == email))
        household = db.session.get(Household, owner.memberships[0].household_id)
        first, last, entries = db.session.execute(
            select(func.min(Entry.date), func.max(Entry.date), func.count())
            .where(Entry.household_id == household.id)
        ).one()
        expected_rows = db.session.scalar(select(func.count()).select_from(
            with_lines(select(Entry.id).where(Entry.household_id == household.id)).subquery()))

        def run() -> tuple[int, int, float]:
            started = time.perf_counter()
            first_chunk_at = None
            size = lines = 0
            rows = export_rows(db.session, household, first, last, None, locale="pt")
            for chunk in csv_chunks(rows, "locale", "pt"):
                if first_chunk_at is None:
                    first_chunk_at = time.perf_counter() - started
                size += len(chunk)
                lines += chunk.count(b"\r\n")
            return lines - 1, size, first_chunk_at or 0.0

        started = time.perf_counter()
        rows, size, first_chunk = run()
        seconds = time.perf_counter() - started
        result = ExportResult(rows, entries, size / 1_000_000, seconds, first_chunk * 1000, expected_rows)
        if measure_memory:
            tracemalloc.start()
            try:
                run()
                result.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
            finally:
                tracemalloc.stop()
        db.session.remove()
    return result


def report_csv_export(result: ExportResult) -> bool:
    memory = f", peak {result.peak_mib:.1f} MiB traced" if result.peak_mib is not None else ""
    print(
        f"\nCSV export of everything in the 100,000-entry household: {result.seconds:.2f} s "
        f"({result.rows:,} rows: {result.entries:,} entries, split ones a row per line, {result.megabytes:.1f} MB, first chunk after "
        f"{result.first_chunk_ms:.0f} ms{memory}). Floor: {FLOOR_SECONDS:.0f} s. "
        f"{'PASS' if result.passed else 'FAIL'}"
    )
    return result.passed


def main() -> int:
    from tests.bench.standalone import run_alone

    return run_alone("export", lambda app, email: report_csv_export(time_csv_export(app, email, measure_memory=True)))


if __name__ == "__main__":
    import sys

    sys.exit(main())

"""The household backup's speed: an archive of the 100,000-entry household written, then
checked and restored into a new household, then restored over the household itself. The
floor: 10 s each, with memory bounded (the rows stream; a second, untimed run under
tracemalloc reports the peak of Python allocations).

Run by `make bench` from tests/bench/run.py on its seeded database; on its own
(`python -m tests.bench.backups`) it seeds only the big household first.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, Household, User

FLOOR_SECONDS = 10.0


@dataclass
class BackupTiming:
    operation: str
    entries: int
    megabytes: float
    seconds: float
    # CPU time of this process: on a busy machine (other tests running) the wall clock
    # says more about the neighbours than about the code.
    cpu_seconds: float
    peak_mib: float | None = None

    @property
    def passed(self) -> bool:
        return self.entries > 0 and self.seconds <= FLOOR_SECONDS


def _timed(run: Callable[[], None], measure_memory: bool) -> tuple[float, float, float | None]:
    started, cpu = time.perf_counter(), time.process_time()
    run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = None
    if measure_memory:
        tracemalloc.start()
        try:
            run()
            peak = tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()
    return seconds, cpu, peak


def _big_household(email: str) -> tuple[User, Household]:
    owner = db.session.scalar(select(User).where(User.email == email))
    return owner, db.session.get(Household, owner.memberships[0].household_id)


def _entries(household_id: int) -> int:
    return db.session.scalar(select(func.count()).where(Entry.household_id == household_id))


def time_household_backups(app, email: str, *, measure_memory: bool = False) -> list[BackupTiming]:
    """Back up the big household, restore the archive into a new household, then over the
    household itself (each committed, as the pages and the CLI do)."""
    from finora.services.backups.container import open_archive
    from finora.services.backups.household_archive import write_household_archive
    from finora.services.backups.household_restore import (
        check_household_archive,
        delete_household_rows,
        restore_new_household,
        restore_replacing,
    )

    work = Path(tempfile.mkdtemp(prefix="finora-bench-backup-"))
    path = work / "household.zip"
    results = []
    try:
        with app.app_context():
            owner, household = _big_household(email)
            entries = _entries(household.id)

            def backup() -> None:
                write_household_archive(db.session, household, path)
                db.session.rollback()

            seconds, cpu, peak = _timed(backup, measure_memory)
            megabytes = path.stat().st_size / 1_000_000
            results.append(BackupTiming("backup", entries, megabytes, seconds, cpu, peak))

            restored_ids: list[int] = []

            def restore_new() -> None:
                with open_archive(path, work_dir=work) as reader:
                    plan = check_household_archive(reader, db.session)
                    restored = restore_new_household(db.session, reader, plan, owner=owner)
                db.session.commit()
                restored_ids.append(restored.id)

            seconds, cpu, peak = _timed(restore_new, measure_memory)
            results.append(BackupTiming("restore into a new household", _entries(restored_ids[0]),
                                        megabytes, seconds, cpu, peak))

            def restore_over() -> None:
                target = db.session.get(Household, household.id)
                with open_archive(path, work_dir=work) as reader:
                    plan = check_household_archive(reader, db.session)
                    restore_replacing(db.session, reader, plan, household=target)
                db.session.commit()

            seconds, cpu, peak = _timed(restore_over, measure_memory)
            results.append(BackupTiming("restore over the household", _entries(household.id),
                                        megabytes, seconds, cpu, peak))
            # The bench's other timings read the big household: the extra copies go (their
            # rows first: MariaDB cascades from households in an order RESTRICT refuses).
            for restored_id in restored_ids:
                delete_household_rows(db.session, restored_id)
                db.session.delete(db.session.get(Household, restored_id))
            db.session.commit()
            db.session.remove()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def report_household_backups(results: list[BackupTiming]) -> bool:
    print()
    ok = True
    for result in results:
        memory = f", peak {result.peak_mib:.1f} MiB traced" if result.peak_mib is not None else ""
        print(
            f"Household {result.operation}: {result.seconds:.2f} s ({result.cpu_seconds:.2f} s CPU, "
            f"{result.entries:,} entries, "
            f"archive {result.megabytes:.1f} MB{memory}). Floor: {FLOOR_SECONDS:.0f} s. "
            f"{'PASS' if result.passed else 'FAIL'}"
        )
        ok = ok and result.passed
    return ok


def main() -> int:
    from tests.bench.standalone import run_alone

    return run_alone(
        "backup",
        lambda app, email: report_household_backups(time_household_backups(app, email, measure_memory=True)),
    )


if __name__ == "__main__":
    import sys

    sys.exit(main())

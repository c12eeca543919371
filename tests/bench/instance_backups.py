"""The instance backup's speed: the whole instance (with the 100,000-entry household)
backed up, then restored with restore_instance into a new, empty, migrated database on the
same server. The floor: 10 s each (as for the household), memory bounded: a second,
untimed run under tracemalloc reports the peak of Python allocations.

On its own: `python -m tests.bench.instance_backups` (FINORA_BENCH_DATABASE_URL picks the
engine) seeds only the big household first. Not yet wired into tests/bench/run.py.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry
from tests.bench.backups import BackupTiming, _timed
from tests.conftest import make_app
from tests.dbutil import create_test_database, drop_test_database


def time_instance_backups(app, email: str, *, measure_memory: bool = False) -> list[BackupTiming]:
    from finora.services.backups.container import open_archive
    from finora.services.backups.instance_archive import restore_instance, write_instance_archive

    work = Path(tempfile.mkdtemp(prefix="finora-bench-instance-"))
    path = work / "instance.zip"
    results = []
    with app.app_context():
        url = db.engine.url
        entries = db.session.scalar(select(func.count(Entry.id)))

        def backup() -> None:
            path.unlink(missing_ok=True)
            manifest = write_instance_archive(db.session, path)
            kinds.append(manifest.storage)
            db.session.rollback()

        kinds: list[str] = []
        seconds, cpu, peak = _timed(backup, measure_memory)
        megabytes = path.stat().st_size / 1_000_000
        results.append(BackupTiming(f"backup ({kinds[0]})", entries, megabytes, seconds, cpu, peak))
        db.session.remove()
    server = "sqlite" if url.get_backend_name() == "sqlite" else url.set(database=None).render_as_string(
        hide_password=False
    )
    # Empty migrated databases made beforehand (one per run: the memory run needs its
    # own), so the timing is the restore alone.
    targets = [create_test_database(server) for _ in range(2 if measure_memory else 1)]
    restored: list[int] = []

    def restore() -> None:
        target = make_app(targets[len(restored)], work, LOG_TO_FILE=False)
        with target.app_context():
            with open_archive(path, work_dir=work) as reader:
                counts = restore_instance(db.session, reader, work_dir=work)
            db.session.commit()
            restored.append(counts["entries"])
            db.session.remove()
            db.engine.dispose()

    try:
        for target_url in targets:
            with make_app(target_url, work, LOG_TO_FILE=False).app_context():
                upgrade()
                db.engine.dispose()
        seconds, cpu, peak = _timed(restore, measure_memory)
        results.append(BackupTiming("restore-instance into an empty database", restored[0],
                                    megabytes, seconds, cpu, peak))
    finally:
        for target_url in targets:
            drop_test_database(target_url)
        shutil.rmtree(work, ignore_errors=True)
    return results


def report_instance_backups(results: list[BackupTiming]) -> bool:
    from tests.bench.backups import FLOOR_SECONDS

    print()
    ok = True
    for result in results:
        # The floor is 10 s for the 100,000-entry household; an instance holds every
        # household (about 210,000 entries in `make bench`), so its floor scales with them.
        floor = FLOOR_SECONDS * max(1.0, result.entries / 100_000)
        passed = result.seconds <= floor
        memory = f", peak {result.peak_mib:.1f} MiB traced" if result.peak_mib is not None else ""
        print(
            f"Instance {result.operation}: {result.seconds:.2f} s ({result.cpu_seconds:.2f} s CPU, "
            f"{result.entries:,} entries, archive {result.megabytes:.1f} MB{memory}). "
            f"Floor: {floor:.0f} s ({FLOOR_SECONDS:.0f} s per 100,000 entries). "
            f"{'PASS' if passed else 'FAIL'}"
        )
        ok = ok and passed
    return ok


def main() -> int:
    from tests.bench.standalone import run_alone

    return run_alone(
        "instance-backup",
        lambda app, email: report_instance_backups(time_instance_backups(app, email, measure_memory=True)),
    )


if __name__ == "__main__":
    import sys

    sys.exit(main())

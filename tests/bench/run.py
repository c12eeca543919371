"""Server-side timings on a big ledger: `make bench` (python -m tests.bench.run).

Builds a throw-away database (SQLite unless FINORA_BENCH_DATABASE_URL names a PostgreSQL
or MariaDB server, as FINORA_TEST_DATABASE_URL does for the tests), seeds one household
with 100,000 entries over ten years and ten more with 10,000 each (a fifth of every
household's entries split into two or three category lines, tests/bench/splits.py), refreshes the planner
statistics (FINORA_BENCH_STALE_STATISTICS=1 skips that, to see a freshly bulk-loaded
database), signs in as the big household's owner and times the heaviest pages (the Transactions
page too: its first page and one 90,000 rows deep) with the
test client. The floor: p95 at most 100 ms per page. Last, it imports a generated
10,000-row CSV into the big household (tests/bench/imports.py; floor 2 s server time) and
builds the PDF of a month with 1,000 entries (tests/bench/pdf.py; floor 1 s); before
those, a full CSV export of the big household (tests/bench/exports.py; floor 3 s).
Exits 1 when a page misses its floor or answers anything but 200, or the import misses its.

For profiling and repeated runs (SQLite only): FINORA_BENCH_SEEDED=/path/bench.db keeps the
seeded database there (seeded once, on the first run) and each run times a copy of it;
FINORA_BENCH_PAGES_ONLY=1 times the pages alone (no export, import, PDF or backups);
FINORA_BENCH_ROUNDS=N times every page N times over and keeps each page's fastest round (the
best of N rounds, for a machine shared with other work: its figures say what the code costs,
not what the neighbours cost).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from finora import create_app
from finora.dates import today
from finora.extensions import db
from finora.forecast.recurrence import nth_month_date
from finora.heap import settle_heap_when_serving
from finora.models import Account, Category, Entry, RecurringRule, Skip
from finora.services.ledger.transaction_list import ENTRY, Cursor
from finora.services.people.registration import SignupData, register_user
from finora.services.planning.periods import month_bounds, shift_month
from finora.services.system.seed import refresh_statistics, seed_household
from tests.bench.backups import report_household_backups, time_household_backups
from tests.bench.exports import report_csv_export, time_csv_export
from tests.bench.imports import FLOOR_SECONDS as IMPORT_FLOOR_SECONDS
from tests.bench.imports import report as report_import
from tests.bench.imports import time_import
from tests.bench.instance_backups import report_instance_backups, time_instance_backups
from tests.bench.pdf import report_month_pdf, time_month_pdf
from tests.bench.splits import add_splits
from tests.dbutil import create_test_database, drop_test_database, server_url_from_env

BIG_ENTRIES = 100_000
SMALL_ENTRIES = 10_000
SMALL_HOUSEHOLDS = 10
RULES = 200  # on the big household, for the forecast page
YEARS = 10
WARM_UP = 3
REQUESTS = 30
FLOOR_MS = 100.0
DEEP_ROW = 90_000  # the Transactions page's deep page starts after this row (newest first)
PASSWORD = "bench password 2024"
RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "latest.json"


@dataclass
class PageResult:
    page: str
    url: str
    requests: int
    median_ms: float | None
    p95_ms: float | None
    max_ms: float | None
    statuses: list[int]
    error: str | None = None
    # The request thread's CPU time (median): what the page costs, less what a busy machine
    # adds while the process waits for a core (SQLite runs inside the process, so it counts).
    cpu_median_ms: float | None = None

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and set(self.statuses) == {200}
            and self.p95_ms is not None
            and self.p95_ms <= FLOOR_MS
        )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def peak_memory_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _signup(n: int) -> SignupData:
    return SignupData(
        name=f"Bench {n}",
        email=f"bench{n}@example.com",
        password=PASSWORD,
        household_name=f"Bench household {n}",
        currency="BRL",
        locale="pt",
        timezone="America/Sao_Paulo",
    )


def add_rules(household, count: int, rng: random.Random, end) -> int:
    """`count` rules like a busy household's (a tenth of them what-if scenarios, some paused
    or ended, a few skipped occurrences): what the forecast page projects."""
    accounts = db.session.scalars(
        select(Account.id).where(Account.household_id == household.id, Account.archived.is_(False))
    ).all()
    categories = {
        kind: db.session.scalars(
            select(Category.id).where(
                Category.household_id == household.id, Category.kind == kind, Category.parent_id.is_(None)
            )
        ).all()
        for kind in ("income", "expense")
    }
    frequencies = ["monthly"] * 10 + ["weekly"] * 3 + ["biweekly"] * 2 + ["quarterly", "yearly", "once", "daily"]
    for n in range(count):
        kind = "income" if n % 5 == 0 else "expense"
        anchor = end - timedelta(days=rng.randint(-60, 700))
        rule = RecurringRule(
            household_id=household.id, name=f"Rule {n:03d}", kind=kind,
            amount=Decimal(rng.randint(500, 500_000)) / 100, account_id=rng.choice(accounts),
            category_id=rng.choice(categories[kind]), frequency=rng.choice(frequencies),
            anchor_date=anchor, business_day_policy=rng.choice(["none", "previous", "next"]),
            end_date=end + timedelta(days=rng.randint(30, 400)) if n % 7 == 0 else None,
            hold_until=end + timedelta(days=rng.randint(1, 90)) if n % 11 == 0 else None,
            is_scenario=n % 10 == 9, auto_post=False, posted_through=end - timedelta(days=1),
        )
        db.session.add(rule)
        db.session.flush()
        if n % 13 == 0 and rule.frequency == "monthly":
            db.session.add(Skip(household_id=household.id, rule_id=rule.id,
                                occurrence_date=nth_month_date(anchor, 1 + (end - anchor).days // 30)))
    return count


def seed(app) -> tuple[str, tuple[int, int], int, str]:
    """The big household's owner e-mail, the middle month, its expense count, and a
    Transactions page cursor far back (the 90,000th entry, newest first)."""
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        owner = register_user(db.session, _signup(0), mode="open")
        household = owner.memberships[0].household
        end = today(household)
        report = seed_household(
            db.session, household, years=YEARS, end=end, rng=random.Random(2024),
            target_entries=BIG_ENTRIES,
        )
        rules = add_rules(household, RULES, random.Random(7), end)
        split = add_splits(db.session, household, random.Random(21))
        db.session.commit()
        big_seconds = time.perf_counter() - started
        print(
            f"Seeded the big household: {report.entries:,} entries ({split:,} of them split), "
            f"{report.transfers:,} transfers ({report.start} to {report.end}) and {rules} recurring "
            f"rules in {big_seconds:.1f} s"
        )

        started = time.perf_counter()
        total = 0
        for n in range(1, SMALL_HOUSEHOLDS + 1):
            user = register_user(db.session, _signup(n), mode="open")
            small = seed_household(
                db.session, user.memberships[0].household, years=YEARS, end=end,
                rng=random.Random(n), target_entries=SMALL_ENTRIES,
            )
            add_splits(db.session, user.memberships[0].household, random.Random(100 + n))
            db.session.commit()
            total += small.entries
        print(
            f"Seeded {SMALL_HOUSEHOLDS} more households: {total:,} entries "
            f"in {time.perf_counter() - started:.1f} s"
        )

        if os.environ.get("FINORA_BENCH_STALE_STATISTICS") != "1":
            refresh_statistics(db.session)
            print("Refreshed the planner statistics (ANALYZE), as a settled database would have.")

        middle = shift_month(end.year, end.month, -YEARS * 6)
        start, last = month_bounds(*middle)
        expenses = db.session.scalar(
            select(func.count()).where(
                Entry.household_id == household.id,
                Entry.kind == "expense",
                Entry.date >= start,
                Entry.date <= last,
            )
        )
        far_back = db.session.execute(
            select(Entry.date, Entry.id)
            .where(Entry.household_id == household.id)
            .order_by(Entry.date.desc(), Entry.id.desc())
            .offset(DEEP_ROW)
            .limit(1)
        ).one()
        deep_cursor = Cursor(far_back.date, ENTRY, far_back.id).token()
        email = owner.email
        db.session.remove()
    return email, middle, expenses, deep_cursor


def measure(client, name: str, url: str) -> PageResult:
    statuses: list[int] = []
    timings: list[float] = []
    cpu: list[float] = []
    try:
        for _ in range(WARM_UP):
            statuses.append(client.get(url).status_code)
        if statuses[0] != 200:  # a missing route or an error: no point timing it
            return PageResult(name, url, 0, None, None, None, statuses)
        for _ in range(REQUESTS):
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            statuses.append(response.status_code)
    except Exception as error:  # noqa: BLE001 - TESTING propagates view errors; report them
        traceback.print_exc()
        return PageResult(name, url, len(timings), None, None, None, statuses, repr(error))
    return PageResult(
        name,
        url,
        len(timings),
        statistics.median(timings),
        percentile(timings, 0.95),
        max(timings),
        statuses,
        cpu_median_ms=statistics.median(cpu),
    )


def report(results: list[PageResult], memory: float) -> bool:
    print()
    print(f"{'page':<30} {'requests':>8} {'p50 ms':>10} {'p95 ms':>8} {'max ms':>8} {'cpu ms':>7}  floor")
    ok = True
    for r in results:
        bad = sorted(set(r.statuses) - {200})
        if r.median_ms is None:
            note = f"HTTP {', '.join(map(str, bad))}" if bad else (r.error or "no timings")
            print(f"{r.page:<30} {r.requests:>8} {'-':>10} {'-':>8} {'-':>8} {'-':>7}  FAIL ({note})")
        else:
            extra = f" (HTTP {', '.join(map(str, bad))})" if bad else ""
            verdict = "PASS" if r.passed else f"FAIL{extra}"
            print(
                f"{r.page:<30} {r.requests:>8} {r.median_ms:>10.1f} {r.p95_ms:>8.1f} "
                f"{r.max_ms:>8.1f} {r.cpu_median_ms:>7.1f}  {verdict}"
            )
        ok = ok and r.passed
    print(f"\nFloor: p95 <= {FLOOR_MS:.0f} ms per page (cpu ms: the median request's CPU time, "
          f"for comparison on a busy machine). Peak memory (RSS): {memory:.0f} MiB")
    return ok


def _kept_database(server: str) -> Path | None:
    """FINORA_BENCH_SEEDED: where the seeded SQLite database is kept between runs."""
    kept = os.environ.get("FINORA_BENCH_SEEDED", "").strip()
    if not kept:
        return None
    if server != "sqlite":
        raise SystemExit("FINORA_BENCH_SEEDED keeps a SQLite database only.")
    return Path(kept).resolve()


def _seed_or_reuse(app, url: str, kept: Path | None) -> tuple[str, tuple[int, int], int, str]:
    """Seed the database at `url`, or copy the kept one there when it was seeded before."""
    facts = kept.with_suffix(".json") if kept else None
    target = Path(url.removeprefix("sqlite:///"))
    if kept and kept.exists() and facts.exists():
        shutil.copyfile(kept, target)
        saved = json.loads(facts.read_text())
        print(f"Reusing the seeded database {kept} (seeded on {saved['seeded_on']}).")
        return saved["email"], tuple(saved["middle"]), saved["expenses"], saved["deep_cursor"]
    email, middle, expenses, deep_cursor = seed(app)
    if kept:
        with app.app_context():
            db.engine.dispose()  # the WAL is folded into the file when the last connection closes
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, kept)
        facts.write_text(json.dumps({
            "email": email, "middle": list(middle), "expenses": expenses,
            "deep_cursor": deep_cursor, "seeded_on": time.strftime("%Y-%m-%d"),
        }))
        print(f"Kept the seeded database in {kept} for the next runs.")
    return email, middle, expenses, deep_cursor


def best_of(rounds: list[list[PageResult]]) -> list[PageResult]:
    """Each page's round with the lowest p95 (a failed round is kept when every round failed)."""
    best = []
    for tries in zip(*rounds, strict=True):
        timed = [r for r in tries if r.p95_ms is not None]
        best.append(min(timed, key=lambda r: r.p95_ms) if timed else tries[0])
    return best


def main() -> int:
    server = server_url_from_env(os.environ.get("FINORA_BENCH_DATABASE_URL"))
    kept = _kept_database(server)
    pages_only = os.environ.get("FINORA_BENCH_PAGES_ONLY") == "1"
    rounds = max(1, int(os.environ.get("FINORA_BENCH_ROUNDS", "1")))
    tmpdir = Path(tempfile.mkdtemp(prefix="finora-bench-"))
    url = create_test_database(server)
    app = create_app(
        {
            "FINORA_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_DIR": tmpdir,
            "LOG_TO_FILE": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    # The seeded users' sign-up e-mails would fill the output (no SMTP server: they are logged).
    logging.getLogger("finora.mail").setLevel(logging.WARNING)
    try:
        email, (year, month), expenses, deep_cursor = _seed_or_reuse(app, url, kept)
        if expenses <= 50:
            print(f"The middle month {year}-{month:02d} has only {expenses} expenses: no page 2.")
            return 1
        # As app.py does in a serving process (the seeding above stands for start-up).
        settle_heap_when_serving(app)
        # Requests run outside any pushed app context, as in production: each request gets
        # its own context, `g` and database session.
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pt"
        login = client.post("/login", data={"email": email, "password": PASSWORD})
        if login.status_code != 302:
            print(f"Signing in failed: HTTP {login.status_code}")
            return 1
        print(f"Signed in as {email}; middle month {year}-{month:02d} has {expenses} expenses.")
        pages = [
            ("month dashboard", f"/dashboard/{year}/{month}"),
            ("expenses, page 2", f"/dashboard/{year}/{month}?kind=expense&page=2"),
            ("year view", f"/dashboard/{year}"),
            ("month report", f"/reports/month?year={year}&month={month}"),
            ("accounts", "/accounts"),
            (f"forecast, {RULES} rules", "/forecast"),
            ("forecast, 90 days", "/forecast?days=90"),
            ("transactions", "/transactions"),
            ("transactions, deep page", f"/transactions?after={deep_cursor}"),
            ("transactions by amount", "/transactions?sort=amount_desc"),
            # Text search reads every description: a common word fills the page at once,
            # a word found nowhere is the worst case (the whole household is scanned).
            ("transactions, search 'padaria'", "/transactions?q=padaria"),
            ("transactions, search no match", "/transactions?q=zzzqqq"),
        ]
        load = os.getloadavg()
        timed = []
        for n in range(rounds):
            timed.append([measure(client, name, page_url) for name, page_url in pages])
            if rounds > 1:
                print(f"Round {n + 1} of {rounds}: p95 " + ", ".join(
                    f"{r.page} {r.p95_ms:.0f}" if r.p95_ms is not None else f"{r.page} -" for r in timed[-1]
                ), flush=True)
        results = best_of(timed)
        memory = peak_memory_mib()
        if rounds > 1:
            print(f"\nBest of {rounds} rounds per page.")
        print(f"Load average before timing (1, 5, 15 min): {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"
              f" on {os.cpu_count()} cores")
        ok = report(results, memory)
        if pages_only:
            print("PASS" if ok else "FAIL")
            return 0 if ok else 1
        # Read-only: a full CSV export of the big household, as the response streams it.
        ok = report_csv_export(time_csv_export(app, email)) and ok
        # Last: the import adds 10,000 entries to the household the pages were timed on.
        imported = time_import(app, email)
        ok = report_import(imported) and ok
        # The PDF fills the busiest month up to 1,000 entries: after every other timing.
        ok = report_month_pdf(time_month_pdf(app, email)) and ok
        # Backups last of all: the household restore replaces the big household in place.
        ok = report_instance_backups(time_instance_backups(app, email, measure_memory=True)) and ok
        ok = report_household_backups(time_household_backups(app, email, measure_memory=True)) and ok
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "database": server if server == "sqlite" else url.split("@")[-1],
                    "entries": {"big": BIG_ENTRIES, "small": [SMALL_ENTRIES] * SMALL_HOUSEHOLDS},
                    "floor_ms": FLOOR_MS,
                    "peak_memory_mib": round(memory, 1),
                    "pages": [
                        asdict(r) | {"statuses": dict(Counter(r.statuses)), "passed": r.passed}
                        for r in results
                    ],
                    "import": asdict(imported) | {
                        "floor_seconds": IMPORT_FLOOR_SECONDS, "passed": imported.passed,
                    },
                    "passed": ok,
                },
                indent=2,
            )
            + "\n"
        )
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_test_database(url)
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

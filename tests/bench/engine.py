"""The forecast engine's speed: `make bench` (python -m tests.bench.engine).

Projects 500 and 2,000 generated rules (a fixed seed, so the same rules every run) over
365 days with Brazil's holidays, and times `project()` alone. The floor: a median of at
most 10 ms for 500 rules and 40 ms for 2,000. Exits 1 when a size misses it.

The rules look like a household's, scaled up: mostly monthly, some weekly and biweekly, a
few daily, quarterly, yearly and one-off; incomes and expenses; all three business-day
policies; some on hold, some with skipped dates, some ending inside the horizon; a few
what-if scenarios, a few unpaid entries and some occurrences already posted.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from finora.business_days import BusinessCalendar
from finora.forecast.projection import (
    ForecastInput,
    ForecastRule,
    PendingEntry,
    project,
)
from finora.forecast.recurrence import RuleSpec, nominal_dates_between

TODAY = date(2026, 3, 10)
HORIZON = 365
SEED = 2026
RUNS = 40
WARM_UP = 3
# (rules, median floor in ms)
SIZES = ((500, 10.0), (2_000, 40.0))
FREQUENCY_WEIGHTS = {
    "monthly": 78,
    "weekly": 6,
    "biweekly": 7,
    "daily": 1,
    "quarterly": 4,
    "yearly": 3,
    "once": 1,
}
POLICY_WEIGHTS = {"none": 4, "previous": 3, "next": 3}


def generate(count: int, seed: int = SEED) -> ForecastInput:
    """`count` rules projected from TODAY over HORIZON days, the same for the same seed."""
    rng = random.Random(seed)
    frequencies = list(FREQUENCY_WEIGHTS)
    policies = list(POLICY_WEIGHTS)
    rules = []
    posted = set()
    last = TODAY + timedelta(days=HORIZON - 1)
    for index in range(1, count + 1):
        frequency = rng.choices(frequencies, weights=list(FREQUENCY_WEIGHTS.values()))[0]
        kind = "income" if rng.random() < 0.2 else "expense"
        if frequency == "once":
            anchor = TODAY + timedelta(days=rng.randint(0, HORIZON - 1))
        else:
            # Most rules began long ago; some start inside the horizon. Month-end
            # anchors (the 29th to the 31st) exercise the clamping.
            anchor = TODAY + timedelta(days=rng.randint(-1500, 120))
        end = None
        if rng.random() < 0.08:
            end = TODAY + timedelta(days=rng.randint(10, HORIZON + 60))
        hold_until = None
        if rng.random() < 0.05:
            hold_until = TODAY + timedelta(days=rng.randint(-20, 120))
        spec = RuleSpec(
            frequency=frequency,
            anchor=anchor,
            end=end,
            policy=rng.choices(policies, weights=list(POLICY_WEIGHTS.values()))[0],
            hold_until=hold_until,
            rule_id=index,
        )
        upcoming = nominal_dates_between(spec, TODAY - timedelta(days=5), last)
        if upcoming and rng.random() < 0.1:
            skips = frozenset(rng.sample(upcoming, min(len(upcoming), rng.randint(1, 3))))
            spec = RuleSpec(**{**spec.__dict__, "skips": skips})
        if upcoming and rng.random() < 0.3:
            # The posting job already handled the first one or two.
            posted.update((index, nominal) for nominal in upcoming[: rng.randint(1, 2)])
        cents = rng.randint(500, 900_000) if kind == "income" else rng.randint(100, 300_000)
        rules.append(
            ForecastRule(
                name=f"{kind} {rng.randint(0, 99_999):05d}",
                kind=kind,
                amount=Decimal(cents).scaleb(-2),
                spec=spec,
                scenario=rng.random() < 0.02,
            )
        )
    pending = [
        PendingEntry(
            date=TODAY + timedelta(days=rng.randint(-30, 60)),
            kind=rng.choice(("income", "expense")),
            amount=Decimal(rng.randint(100, 200_000)).scaleb(-2),
        )
        for _ in range(count // 20)
    ]
    return ForecastInput(
        rules=rules,
        starting_balance=Decimal("12345.67"),
        today=TODAY,
        horizon_days=HORIZON,
        calendar=BusinessCalendar("BR"),
        pending=pending,
        posted=frozenset(posted),
        minimum_safe_balance=Decimal("1000.00"),
    )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 40 samples is the 38th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(data: ForecastInput, runs: int = RUNS) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each of `runs` projections (after a warm-up), and
    the number of occurrences projected.

    Each run gets a fresh calendar object, as each request does (the holiday sets
    themselves stay cached per process, as in the app). The CPU time is there to tell a
    busy machine (wall well above CPU) from a slow engine; the floor is on wall time.
    """
    count = 0
    for _ in range(WARM_UP):
        count = len(project(data).occurrences)
    wall, cpu = [], []
    gc.collect()
    for _ in range(runs):
        fresh = ForecastInput(**{**data.__dict__, "calendar": BusinessCalendar("BR")})
        started, started_cpu = time.perf_counter(), time.process_time()
        forecast = project(fresh)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        del forecast  # freed outside the timing: the caller's cost, not project()'s
    return wall, cpu, count


def main() -> int:
    print(f"Forecast engine: project() over {HORIZON} days, BR holidays, {RUNS} runs each.")
    print(
        f"{'rules':>6} {'occurrences':>12} {'median ms':>10} {'p95 ms':>8} {'min ms':>8} "
        f"{'cpu median':>10}  floor"
    )
    ok = True
    for count, floor in SIZES:
        timings, cpu, occurrences = measure(generate(count))
        median = statistics.median(timings)
        passed = median <= floor
        ok &= passed
        print(
            f"{count:>6,} {occurrences:>12,} {median:>10.1f} {percentile(timings, 0.95):>8.1f} "
            f"{min(timings):>8.1f} {statistics.median(cpu):>10.1f}  "
            f"{'ok' if passed else 'FAIL'} (median <= {floor:.0f} ms)"
        )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

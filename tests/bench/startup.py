"""A worker's start: `make bench` (python -m tests.bench.startup).

Each gunicorn worker imports `app` (which builds the app) before it serves. This runs that
import in a fresh interpreter, the way a worker does, on a new SQLite data folder migrated
beforehand (so the scheduler and the schema check find their tables), and prints:

- start-up: from exec to `app` imported, wall clock and CPU time (user + system);
- the resident memory (VmRSS) once it is imported;
- which of the heavy packages only some pages use got imported anyway (there should be none).

Floors: a start-up of at most 1.5 s of CPU and 120 MB of memory (the median of RUNS starts).
The floor is checked on CPU time: a start is CPU-bound, and on a busy machine the wall clock
also counts the time spent waiting for a core (it is printed beside it). Exits 1 when a floor
is missed or a heavy package is imported. Python's byte-code is written by a first, untimed
start, as a deployed worker finds it (the Docker image compiles it at build time).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5
MAX_START_SECONDS = 1.5
MAX_RSS_MB = 120.0
# Imported only by the functions that use them (tests/test_lazy_imports.py keeps it so).
HEAVY = ("pandas", "openpyxl", "reportlab", "plotly.graph_objects", "plotly.io", "openai",
         "webauthn", "qrcode", "PIL", "holidays")

_CHILD = r"""
import json, os, sys, time
started = time.perf_counter()
import app  # noqa: F401
wall = time.perf_counter() - started
times = os.times()
rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
print(json.dumps({"import_wall": wall, "cpu": times.user + times.system, "rss_mb": rss_kb / 1024,
                  "heavy": [name for name in json.loads(sys.argv[1]) if name in sys.modules]}))
"""


def _environment(data_dir: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(
        FINORA_ENV="production",
        SECRET_KEY="bench-startup-secret-key-0123456789abcdef",
        APP_SECRET="bench-startup-app-secret-0123456789abcdef",
        FINORA_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'finora.db'}",
        APP_BASE_URL="http://127.0.0.1:8000",
        HOME=str(data_dir),
    )
    return env


def _start(env: dict[str, str]) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(HEAVY)], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )
    total = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import app failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = total
    return result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="finora-bench-startup-") as folder:
        data_dir = Path(folder)
        env = _environment(data_dir)
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env,
            capture_output=True, check=True, timeout=300,
        )
        _start(env)  # writes the byte-code, untimed
        runs = [_start(env) for _ in range(RUNS)]
    wall = statistics.median(run["wall"] for run in runs)
    import_wall = statistics.median(run["import_wall"] for run in runs)
    cpu = statistics.median(run["cpu"] for run in runs)
    rss = statistics.median(run["rss_mb"] for run in runs)
    heavy = sorted({name for run in runs for name in run["heavy"]})
    print(f"worker start-up (median of {RUNS} fresh `import app`):")
    print(f"  CPU time        {cpu:6.2f} s   (floor {MAX_START_SECONDS} s)")
    print(f"  wall clock      {wall:6.2f} s   (import alone {import_wall:.2f} s)")
    print(f"  memory (VmRSS)  {rss:6.1f} MB  (floor {MAX_RSS_MB:.0f} MB)")
    print(f"  heavy imports   {', '.join(heavy) or 'none'}")
    failed = cpu > MAX_START_SECONDS or rss > MAX_RSS_MB or bool(heavy)
    if failed:
        print("FAILED: over a floor, or a heavy package imported at start")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

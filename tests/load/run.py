"""The load test: `make bench-load` (python -m tests.load.run). docs/performance.md.

1. Copies the seeded template database (tests/load/seed.py; built on the first run: the
   100,000-entry household and ten of 10,000) into a fresh PostgreSQL database, issues an
   API token per simulated person and makes one backup per household (to download).
2. Starts gunicorn as in production: gunicorn.conf.py (through tests/load/gunicorn_load.py,
   which adds the per-request CPU and SQL accounting), 4 workers on 127.0.0.1:<free port>,
   rate limits in Redis (a database of its own, emptied before and after), the scheduler
   on in every worker (the lease in the database elects the one that runs the jobs; it
   ticks every 10 s and runs its jobs every 30 s, so posting runs during the load).
3. Visits every page a few times in each worker (a long-running server compiled its
   templates long ago), then runs locust headless (tests/load/locustfile.py): 50 people,
   10 more a second, 3 minutes, each reading a page 3-10 s before the next click.
4. Prints requests per second, p50/p95/p99 per page, the errors, the duplicate postings
   (the database after the run: two entries of one rule occurrence, of one imported row,
   or of one submitted form), the load average, each worker's memory, the CPU time and SQL
   of each page inside the workers and the statements that took longest, and checks the
   floors: 0 errors, 0 duplicates, p95 <= 300 ms per page, the scheduler posted.
5. Stops gunicorn, drops the database (the template stays) and exits 1 when a floor fails.

Settings (arguments win over the environment):
    --users N / FINORA_LOAD_CLIENTS (50)      --spawn-rate N / FINORA_LOAD_SPAWN_RATE (2)
    --duration 3m / FINORA_LOAD_DURATION      --workers N / FINORA_LOAD_WORKERS (4)
    --small / FINORA_LOAD_SMALL=1 (200 entries, one more household: the suite's size)
    --json PATH / FINORA_LOAD_REPORT (the figures as JSON)
    --no-warm-up / FINORA_LOAD_WARM_UP=0 (skip visiting every page in each worker first)
    FINORA_LOAD_WAIT ("3,10": seconds a person reads a page before the next click)
    FINORA_LOAD_DATABASE_URL (postgresql+psycopg://postgres@127.0.0.1:5432)
    FINORA_LOAD_REDIS_URL (redis://127.0.0.1:6379)
    --drop-templates: drop the cached templates and exit.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.load import seed

ROOT = seed.ROOT
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# gunicorn.conf.py plus the per-request CPU and SQL accounting (tests/load/gunicorn_load.py).
GUNICORN_CONF = Path(__file__).with_name("gunicorn_load.py")
FLOOR_P95_MS = 300.0
START_TIMEOUT = 90.0
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
# Settings from the caller's shell must not leak into the server's configuration.
_SETTING_PREFIXES = ("FINORA_", "FLASK_", "GUNICORN_", "LOG_", "RATELIMIT_", "PROMETHEUS_",
                     "METRICS_", "SCHEDULER_", "MAIL_", "DEMO_", "BACKUP_", "UPDATE_")
_SETTINGS = {"SECRET_KEY", "APP_SECRET", "DATABASE_URL", "TRUSTED_PROXIES", "WEB_CONCURRENCY",
             "FORWARDED_ALLOW_IPS", "APP_BASE_URL", "REGISTRATION_MODE", "prometheus_multiproc_dir"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=_env_int("FINORA_LOAD_CLIENTS", 50))
    parser.add_argument("--spawn-rate", type=float, default=_env_int("FINORA_LOAD_SPAWN_RATE", 2))
    parser.add_argument("--duration", default=os.environ.get("FINORA_LOAD_DURATION", "3m"))
    parser.add_argument("--workers", type=int, default=_env_int("FINORA_LOAD_WORKERS", 4))
    parser.add_argument("--small", action="store_true", default=os.environ.get("FINORA_LOAD_SMALL") == "1")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        default=os.environ.get("FINORA_LOAD_WARM_UP", "1") != "0")
    parser.add_argument("--json", default=os.environ.get("FINORA_LOAD_REPORT") or None)
    parser.add_argument("--drop-templates", action="store_true")
    return parser.parse_args(argv)


# --- the per-run database ---------------------------------------------------------------


def prepare_run(url: str, data_dir: Path) -> dict:
    """API tokens and one backup per household, in the run's copy; the people's file."""
    from finora.dates import today
    from finora.extensions import db
    from finora.models import Household, Membership, User
    from finora.services.backups import store
    from finora.services.people.api_tokens import issue_token

    app = seed.testing_app(url, data_dir)
    people: dict[int, list[dict]] = {}
    with app.app_context():
        households = db.session.query(Household).order_by(Household.id).all()
        for household in households:
            members = (
                db.session.query(User).join(Membership, Membership.user_id == User.id)
                .filter(Membership.household_id == household.id).order_by(User.id).all()
            )
            backup = store.create_household_backup(db.session, household, kind="manual", user=members[0])
            people[household.id] = [
                {
                    "email": user.email, "password": seed.PASSWORD, "household_id": household.id,
                    "backup_id": backup.id,
                    "token": issue_token(db.session, user, household, ttl=timedelta(days=1),
                                         name="load test").raw,
                }
                for user in members
            ]
        day, big = today(households[0]), households[0].id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {
        "users": interleave(people, big=big),
        "year": day.year, "month": day.month, "today": day.isoformat(),
        "three_weeks_ago": (day - timedelta(days=21)).isoformat(),
    }


def interleave(people: dict[int, list[dict]], big: int) -> list[dict]:
    """The people in the order locust takes them: the big household every fourth slot or
    so (three in every 3 + others), then each other household in turn, so 50 people
    spread over every household and a quarter of them work in the big one."""
    queues = {key: list(value) for key, value in people.items()}
    others = [key for key in queues if key != big]
    order: list[dict] = []
    while any(queues.values()):
        for key in [big] * 3 + others:
            if queues[key]:
                order.append(queues[key].pop(0))
    return order


# --- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pick_redis_db(base: str):
    """An empty Redis database of 1-15 (0 is left to others); returns (url, client)."""
    import redis

    for number in list(range(15, 0, -1)):
        client = redis.Redis.from_url(f"{base}/{number}")
        if client.dbsize() == 0:
            client.set("finora-load-test", "in use", ex=3600)  # claimed: others skip it
            return f"{base}/{number}", client
        client.close()
    raise SystemExit("No empty Redis database (1-15) to keep the rate limits in.")


def server_env(data_dir: Path, url: str, redis_url: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(_SETTING_PREFIXES) and key not in _SETTINGS
    }
    env.update(
        FINORA_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        APP_SECRET=secrets.token_urlsafe(48),
        FINORA_DATA_DIR=str(data_dir),
        DATABASE_URL=url,
        RATELIMIT_STORAGE_URI=redis_url,
        SCHEDULER_ENABLED="true",
        SCHEDULER_TICK_SECONDS="10",
        SCHEDULER_JOB_INTERVAL_SECONDS="30",
        # Behind one proxy hop: each simulated person's own address (X-Forwarded-For)
        # counts for the sign-in limit, as it would behind nginx.
        TRUSTED_PROXIES="1",
        LOG_TO_FILE="false",
        LOG_LEVEL="WARNING",
        HOME=str(data_dir),  # gunicorn's control socket lives under $HOME
        FINORA_LOAD_PROFILE_DIR=str(data_dir.parent / "profile"),
    )
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "app:app"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle,
            stderr=subprocess.STDOUT, start_new_session=True,
        )


def wait_until_serving(base: str, process: subprocess.Popen, log: Path, workers: int) -> float:
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log.read_text(errors="replace")[-4000:])
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                pass
            if len(worker_pids(process.pid)) >= workers:
                return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not serve in time:\n" + log.read_text(errors="replace")[-4000:])


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def worker_pids(master: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            pids.append(int(status.parent.name))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(database: str) -> list[int]:
    """The PostgreSQL server processes serving this database (on this machine)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if line.startswith("postgres:") and f" {database} " in line:
            pids.append(int(cmdline.parent.name))
    return pids


def cpu_snapshot(master: int, database: str) -> dict[str, dict[int, float]]:
    return {
        "workers": {pid: cpu_seconds(pid) for pid in worker_pids(master)},
        "database": {pid: cpu_seconds(pid) for pid in database_backends(database)},
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each side used between two snapshots (processes that appeared between
    them from zero)."""
    return {
        side: sum(value - before[side].get(pid, 0.0) for pid, value in after[side].items())
        for side in after
    }


class Sampler(threading.Thread):
    """Every 2 s: the 1-minute load average and each worker's resident memory."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master = master
        self.loads: list[float] = []
        self.rss: dict[int, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(2.0):
            self.loads.append(os.getloadavg()[0])
            for pid in worker_pids(self.master):
                value = rss_mib(pid)
                if value is not None:
                    self.rss[pid] = max(self.rss.get(pid, 0.0), value)


def warm_up(base: str, people: dict, workers: int) -> float:
    """Every page a few times in each worker before the clock starts: a worker's first
    request of a page compiles its templates, which a long-running server did long ago."""
    import http.cookiejar
    import urllib.parse
    from concurrent.futures import ThreadPoolExecutor

    from tests.load.forms import form_with, letters

    day = f"{people['year']}/{people['month']}"
    pages = [f"/dashboard/{day}", "/transactions", "/forecast",
             f"/reports/month?year={people['year']}&month={people['month']}", "/entries/new",
             "/backups/", "/api/v1/entries", "/api/v1/dashboard"]

    def visit(n: int) -> None:
        person = people["users"][n % len(people["users"])]
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        opener.addheaders = [("X-Forwarded-For", f"10.99.0.{n + 1}"),
                             ("Authorization", f"Bearer {person['token']}")]
        with opener.open(f"{base}/login", timeout=60) as page:
            fields = form_with(page.read().decode(), "password")["fields"]
        fields.update(email=person["email"], password=person["password"])
        opener.open(f"{base}/login", urllib.parse.urlencode(fields).encode(), timeout=60).close()
        for _ in range(3):
            for path in pages:
                opener.open(base + path, timeout=60).close()
        # The import's first run in a worker loads its readers: once each, before the clock.
        # An amount below the seed's smallest (1.00), a different one per visit: the row
        # must not match a pending entry of the seeded ledger (or another visit's).
        content = (f"date,description,amount\n{people['today']},Warm-up {letters(n)},"
                   f"-0.{11 + n:02d}\n").encode()
        body = json.dumps({"filename": "warm-up.csv", "content_base64": base64.b64encode(content).decode(),
                           "commit": True}).encode()
        request = urllib.request.Request(f"{base}/api/v1/imports", body,
                                         {"Content-Type": "application/json"})
        try:
            opener.open(request, timeout=60).close()
        except urllib.error.HTTPError as error:  # say what the server answered
            raise SystemExit(f"warm-up import of {person['email']} answered {error.code}: "
                             f"{error.read()[:500]!r}") from None

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(visit, range(workers * 2)))
    return time.monotonic() - started


# --- locust -------------------------------------------------------------------------------


def run_locust(base: str, args, people_file: Path, work: Path) -> tuple[int, Path]:
    prefix = work / "locust"
    env = dict(os.environ, FINORA_LOAD_USERS=str(people_file))
    log = work / "locust.log"
    with log.open("wb") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
             "-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.duration,
             "--host", base, "--csv", str(prefix), "--json-file", str(prefix), "--only-summary",
             "--stop-timeout", "10",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
        )
    return result.returncode, prefix


def percentile(times: dict[int, int], requests: int, share: float) -> int:
    """locust's own percentile of its response-time buckets (locust.stats.
    calculate_response_time_percentile; importing locust here would monkey-patch this
    process with gevent)."""
    wanted = int(requests * share)
    done = 0
    for milliseconds in sorted(times, reverse=True):
        done += times[milliseconds]
        if requests - done <= wanted:
            return milliseconds
    return 0


def read_stats(prefix: Path, wall: float) -> tuple[list[dict], dict, list[dict]]:
    """Per page and in all: requests, failures, requests a second, p50/p95/p99 and max,
    from the statistics locust saves when it stops (its --json-file: complete, where its
    CSV is rewritten once a second and may miss the last one); the failures' messages from
    its CSV."""
    def figures(name: str, method: str, requests: int, failures: int, times: dict[int, int],
                slowest: float) -> dict:
        return {
            "page": name, "method": method, "requests": requests, "failures": failures,
            "rps": requests / wall if wall else None,
            "p50_ms": percentile(times, requests, 0.50) if requests else None,
            "p95_ms": percentile(times, requests, 0.95) if requests else None,
            "p99_ms": percentile(times, requests, 0.99) if requests else None,
            "max_ms": slowest,
        }

    pages, every, count, failed, slowest = [], Counter(), 0, 0, 0.0
    for entry in json.loads(Path(f"{prefix}.json").read_text()):
        times = {int(ms): n for ms, n in entry["response_times"].items()}
        requests = entry["num_requests"]
        pages.append(figures(entry["name"], entry["method"], requests, entry["num_failures"],
                             times, entry["max_response_time"]))
        every.update(times)
        count += requests
        failed += entry["num_failures"]
        slowest = max(slowest, entry["max_response_time"])
    total = figures("all", "", count, failed, dict(every), slowest)
    failures = []
    if Path(f"{prefix}_failures.csv").exists():
        with open(f"{prefix}_failures.csv", newline="") as handle:
            failures = [
                {"page": row["Name"], "method": row["Method"], "error": row["Error"],
                 "occurrences": int(row["Occurrences"])}
                for row in csv.DictReader(handle)
            ]
    return pages, total, failures


PAGES_BY_PATH = [
    ("GET", r"/login", "sign-in page"), ("POST", r"/login", "sign-in"),
    ("GET", r"/dashboard/\d+/\d+", "dashboard"), ("GET", r"/transactions", "transactions"),
    ("GET", r"/forecast", "forecast"), ("GET", r"/reports/month", "reports"),
    ("GET", r"/entries/new", "entry form"), ("POST", r"/entries/new", "entry create"),
    ("GET", r"/entries/\d+/edit", "entry edit form"), ("POST", r"/entries/\d+/edit", "entry edit"),
    ("GET", r"/api/v1/entries", "api: GET /entries"), ("GET", r"/api/v1/dashboard", "api: GET /dashboard"),
    ("POST", r"/api/v1/entries", "api: POST /entries"),
    ("PUT", r"/api/v1/entries/\d+", "api: PUT /entries/{id}"),
    ("POST", r"/api/v1/schedules", "api: POST /schedules"), ("POST", r"/api/v1/imports", "import"),
    ("GET", r"/backups/", "backups"), ("GET", r"/backups/\d+/download", "backup download"),
]


def page_of(key: str) -> str:
    method, path = key.split(" ", 1)
    for verb, pattern, page in PAGES_BY_PATH:
        if verb == method and re.fullmatch(pattern, path):
            return page
    return key


def read_profile(folder: Path) -> tuple[dict[str, dict], list[dict]]:
    """Per page, inside the workers: requests, CPU ms, SQL statements and SQL ms per request
    (means); and the ten statements that took the most time in all."""
    pages: dict[str, dict] = {}
    statements: dict[tuple[str, str], dict] = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text())
        for key, row in data["requests"].items():
            total = pages.setdefault(page_of(key), {"requests": 0, "cpu_s": 0.0, "sql": 0,
                                                    "sql_s": 0.0, "wall_s": 0.0})
            for field in total:
                total[field] += row[field]
        for key, row in data["statements"].items():
            request, statement = key.split(" | ", 1)
            item = statements.setdefault((page_of(request), statement), {"count": 0, "seconds": 0.0})
            item["count"] += row["count"]
            item["seconds"] += row["seconds"]
    per_page = {
        page: {
            "requests": row["requests"],
            "cpu_ms": 1000 * row["cpu_s"] / row["requests"],
            "wall_ms": 1000 * row["wall_s"] / row["requests"],
            "sql_statements": row["sql"] / row["requests"],
            "sql_ms": 1000 * row["sql_s"] / row["requests"],
        }
        for page, row in pages.items() if row["requests"]
    }
    top = sorted(statements.items(), key=lambda item: -item[1]["seconds"])[:10]
    return per_page, [
        {"page": page, "statement": statement, "count": row["count"],
         "total_ms": 1000 * row["seconds"], "mean_ms": 1000 * row["seconds"] / row["count"]}
        for (page, statement), row in top
    ]


# --- after the run ------------------------------------------------------------------------


DUPLICATES = {
    "rule occurrences posted twice": """
        SELECT count(*) FROM (SELECT rule_id, occurrence_date FROM entries
        WHERE rule_id IS NOT NULL GROUP BY rule_id, occurrence_date HAVING count(*) > 1) d""",
    "imported rows added twice": """
        SELECT count(*) FROM (SELECT account_id, import_key FROM entries
        WHERE import_key IS NOT NULL GROUP BY account_id, import_key HAVING count(*) > 1) d""",
    # Every form, API and import write of the load has a description of its own: two
    # entries with one (outside rule postings) are one submission saved twice.
    "submissions saved twice": """
        SELECT count(*) FROM (SELECT household_id, description FROM entries
        WHERE description LIKE 'Load p%' AND rule_id IS NULL
        GROUP BY household_id, description HAVING count(*) > 1) d""",
    "form tokens used twice": """
        SELECT count(*) FROM (SELECT nonce FROM used_form_tokens GROUP BY nonce
        HAVING count(*) > 1) d""",
}


def check_database(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            duplicates = {name: connection.scalar(text(sql)) for name, sql in DUPLICATES.items()}
            posted = connection.scalar(text(
                "SELECT count(*) FROM entries e JOIN recurring_rules r ON r.id = e.rule_id "
                "WHERE r.name LIKE 'Load auto-post %'"))
            written = connection.scalar(text(
                "SELECT count(*) FROM entries WHERE description LIKE 'Load p%'"))
            jobs = [
                {"job": job, "status": status, "runs": runs, "holders": holders}
                for job, status, runs, holders in connection.execute(text(
                    "SELECT job, status, count(*), count(DISTINCT holder) FROM job_runs "
                    "GROUP BY job, status ORDER BY job, status"))
            ]
    finally:
        engine.dispose()
    return {"duplicates": duplicates, "scheduler_posted": posted, "entries_written": written,
            "job_runs": jobs}


def report(result: dict) -> bool:
    pages, total = result["pages"], result["total"]
    print()
    print(f"{'page':<26} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7}  floor")
    slow = []
    for page in sorted(pages, key=lambda p: -p["requests"]):
        over = page["p95_ms"] is not None and page["p95_ms"] > FLOOR_P95_MS
        if over:
            slow.append(page["page"])
        print(
            f"{page['page']:<26} {page['requests']:>8} {page['failures']:>6} {page['rps'] or 0:>6.1f} "
            f"{page['p50_ms'] or 0:>7.0f} {page['p95_ms'] or 0:>7.0f} {page['p99_ms'] or 0:>7.0f} "
            f"{page['max_ms'] or 0:>7.0f}  {'FAIL' if over else 'ok'}"
        )
    print(
        f"{'all':<26} {total.get('requests', 0):>8} {total.get('failures', 0):>6} "
        f"{total.get('rps') or 0:>6.1f} {total.get('p50_ms') or 0:>7.0f} {total.get('p95_ms') or 0:>7.0f} "
        f"{total.get('p99_ms') or 0:>7.0f} {total.get('max_ms') or 0:>7.0f}"
    )
    for failure in result["failures"]:
        print(f"  error: {failure['occurrences']} x {failure['method']} {failure['page']}: {failure['error']}")
    print("\nInside the workers (means per request): CPU ms, SQL statements, SQL ms, server ms")
    for page, row in sorted(result["server_profile"].items(), key=lambda item: -item[1]["cpu_ms"]):
        print(f"  {page:<26} {row['cpu_ms']:>7.1f} {row['sql_statements']:>6.1f} {row['sql_ms']:>7.1f} "
              f"{row['wall_ms']:>7.1f}")
    print("The statements that took the most time in all:")
    for row in result["slowest_statements"][:5]:
        print(f"  {row['total_ms']:>8.0f} ms  {row['count']:>5} x  {row['mean_ms']:>6.1f} ms  "
              f"[{row['page']}] {row['statement'][:110]}")
    db = result["database"]
    print(f"\nDuplicates: {db['duplicates']}")
    print(f"Scheduler: posted {db['scheduler_posted']} entries of the seeded auto-post rules; job runs "
          + ", ".join(f"{j['job']} {j['status']} x{j['runs']}" for j in db["job_runs"]))
    print(f"Entries written by the load (forms, API, imports): {db['entries_written']}")
    loads = result["load_average"]
    print(f"Load average (1 min) during the run: min {loads['min']:.2f}, mean {loads['mean']:.2f}, "
          f"max {loads['max']:.2f} on {result['machine']['cpus']} CPUs")
    print("Worker memory (RSS, MiB): after start " + ", ".join(f"{v:.0f}" for v in result["worker_rss_idle_mib"])
          + "; peak under load " + ", ".join(f"{v:.0f}" for v in result["worker_rss_mib"]))
    cpu, requests = result["cpu_seconds"], max(total.get("requests", 0), 1)
    print(
        f"CPU during the run ({result['wall_seconds']:.0f} s): gunicorn workers {cpu['workers']:.0f} s "
        f"({1000 * cpu['workers'] / requests:.1f} ms a request), PostgreSQL {cpu['database']:.0f} s "
        f"({1000 * cpu['database'] / requests:.1f} ms a request), locust {cpu['locust']:.0f} s"
    )
    errors = total.get("failures", 0)
    duplicates = sum(db["duplicates"].values())
    checks = {
        "0 errors": errors == 0 and not result["locust_exceptions"],
        "0 duplicate postings": duplicates == 0,
        f"p95 <= {FLOOR_P95_MS:.0f} ms per page": not slow,
        "the scheduler posted": db["scheduler_posted"] > 0,
    }
    result["checks"] = checks
    print()
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {name}" + (f" ({', '.join(slow)})" if name.startswith("p95") and slow else ""))
    return all(checks.values())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    server = make_url(os.environ.get("FINORA_LOAD_DATABASE_URL") or DEFAULT_SERVER)
    if server.get_backend_name() != "postgresql":
        print("The load test runs on PostgreSQL (FINORA_LOAD_DATABASE_URL).", file=sys.stderr)
        return 2
    server_url = server.render_as_string(hide_password=False)
    if args.drop_templates:
        print("Dropped:", ", ".join(seed.drop_templates(server_url)) or "nothing")
        return 0
    size = seed.SMALL if args.small else seed.FULL
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1):
        print(f"Note: the machine is busy (load average {busy:.1f} on {os.cpu_count()} CPUs): the "
              "latencies will include waiting for a CPU. The CPU ms per page do not.")
    work = Path(tempfile.mkdtemp(prefix="finora-load-"))
    data_dir = work / "data"
    data_dir.mkdir(mode=0o700)
    (work / "profile").mkdir()
    started = time.perf_counter()
    template, built = seed.ensure_template(server_url, size)
    print(f"Template {template}: " + (f"seeded in {built:.1f} s" if built is not None else "reused"))
    name = f"finora_load_run_{secrets.token_hex(5)}"
    url = seed.create_database(server_url, name, template=template)
    process = redis_client = None
    try:
        people = prepare_run(url, data_dir)
        people_file = work / "people.json"
        people_file.write_text(json.dumps(people))
        print(f"Database {name} ready ({len(people['users'])} people, tokens and backups) "
              f"{time.perf_counter() - started:.1f} s after the start")
        redis_url, redis_client = pick_redis_db(os.environ.get("FINORA_LOAD_REDIS_URL") or DEFAULT_REDIS)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = work / "gunicorn.log"
        process = start_gunicorn(server_env(data_dir, url, redis_url), port, args.workers, log)
        boot = wait_until_serving(base, process, log, args.workers)
        idle_rss = [rss_mib(pid) or 0.0 for pid in worker_pids(process.pid)]
        print(f"gunicorn: {args.workers} workers on {base} in {boot:.1f} s; rate limits in {redis_url}")
        if args.warm_up:
            print(f"Warmed up every page in each worker in {warm_up(base, people, args.workers):.1f} s")
        print(f"locust: {args.users} people, {args.spawn_rate:g} more a second, for {args.duration}")
        sampler = Sampler(process.pid)
        sampler.start()
        run_started = datetime.now(UTC)
        clock = time.monotonic()
        cpu_before = cpu_snapshot(process.pid, name)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        locust_exit, prefix = run_locust(base, args, people_file, work)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = cpu_used(cpu_before, cpu_snapshot(process.pid, name))
        cpu["locust"] = (children_after.ru_utime + children_after.ru_stime
                         - children_before.ru_utime - children_before.ru_stime)
        wall = time.monotonic() - clock
        print(f"locust ran for {wall:.0f} s")
        sampler.stopping.set()
        sampler.join()
        if not Path(f"{prefix}.json").exists():
            print((work / "locust.log").read_text(errors="replace")[-4000:])
            return 1
        pages, total, failures = read_stats(prefix, wall)
        locust_log = (work / "locust.log").read_text(errors="replace")
        if "Traceback" in locust_log:  # an exception in a simulated person's code
            print("locust reported exceptions:\n" + locust_log[-6000:])
        stop(process)
        server_log = log.read_text(errors="replace")
        process = None
        profile, statements = read_profile(data_dir.parent / "profile")
        loads = sampler.loads or [os.getloadavg()[0]]
        result = {
            "date": run_started.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version()},
            "size": size.name, "users": args.users, "spawn_rate": args.spawn_rate,
            "duration": args.duration, "workers": args.workers,
            "wait_seconds": os.environ.get("FINORA_LOAD_WAIT", "3,10"),
            "pages": pages, "total": total, "failures": failures, "locust_exit": locust_exit,
            "load_average": {"min": min(loads), "mean": sum(loads) / len(loads), "max": max(loads)},
            "worker_rss_mib": sorted(sampler.rss.values()),
            "worker_rss_idle_mib": idle_rss,
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "server_tracebacks": server_log.count("Traceback"),
            "locust_exceptions": locust_log.count("Traceback"),
            "database": check_database(url),
            "server_profile": profile,
            "slowest_statements": statements,
        }
        if result["server_tracebacks"]:
            kept = Path(tempfile.gettempdir()) / "finora-load-gunicorn.log"
            shutil.copy(log, kept)
            print(f"The server logged {result['server_tracebacks']} traceback(s): {kept}")
        ok = report(result)
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if process is not None:
            stop(process)
        if redis_client is not None:
            redis_client.flushdb()
            redis_client.close()
        seed.drop_database(server_url, name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

"""What the log says once when a server process starts: settings that weaken the instance."""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from flask import Flask

from config import sqlite_path
from finora.logs import log_file_path

log = logging.getLogger("finora.startup")

_WORKERS_OPTION = re.compile(r"(?:^|\s)(?:-w\s*|--workers(?:=|\s+))(\d+)")


def worker_count(
    environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None
) -> int:
    """How many worker processes serve this app, as far as gunicorn's settings tell: its
    command line (-w/--workers), GUNICORN_CMD_ARGS, then GUNICORN_WORKERS (the container's)
    or WEB_CONCURRENCY (gunicorn's own default). One when nothing says otherwise."""
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    sources = []
    if argv and "gunicorn" in str(argv[0]):  # .../bin/gunicorn, or python -m gunicorn
        sources.append(" ".join(argv[1:]))
    sources.append(environ.get("GUNICORN_CMD_ARGS", ""))
    for text in sources:
        found = _WORKERS_OPTION.search(text)
        if found:
            return int(found.group(1))
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        value = environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def shared_rate_limit_store(uri: str) -> bool:
    """Whether every worker sees the same rate-limit counters with this storage URI: all
    of Flask-Limiter's stores are shared (redis, memcached, mongodb…) but memory://."""
    return uri.split("://", 1)[0].strip().lower() not in ("", "memory")


def open_to_others(paths: Sequence[Path]) -> list[str]:
    """The paths (among those that exist) that the group or other accounts may read,
    write or enter, as "path (mode)"."""
    found = []
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found.append(f"{path} ({mode:o})")
    return found


def private_paths(app: Flask) -> list[Path]:
    """Finora's own files: the data directory, the SQLite database with its -wal and -shm,
    the generated secrets and the log files."""
    data = Path(app.config["DATA_DIR"])
    paths = [data, data / ".secret_key", data / ".app_secret"]
    database = sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if database is not None:
        paths += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    if app.config.get("LOG_TO_FILE"):
        log_file = log_file_path(app.config)
        paths += [log_file.parent, *sorted(log_file.parent.glob(log_file.name + "*"))]
    return paths


def log_startup_notes(app: Flask) -> None:
    """Say once, when the process starts, what an operator should know about this setup.
    One-shot commands (flask db upgrade, flask finora …) stay quiet: the server says it."""
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true":
        return
    loose = open_to_others(private_paths(app))
    if loose:
        log.warning(
            "Other accounts on this machine can read or enter: %s. Finora creates its files "
            "owner-only; run `chmod go-rwx` on these (chmod 700 for directories, 600 for "
            "files) unless this is deliberate.",
            ", ".join(loose),
        )
    if not (app.config.get("MAIL_SERVER") or "").strip():
        log.warning(
            "No SMTP server is configured (MAIL_SERVER): until an administrator saves SMTP "
            "settings under Administration, e-mails and the links in them (password "
            "resets, invitations, sign-up approvals) are written to this log. Keep it private."
        )
    workers = worker_count()
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if app.config.get("RATELIMIT_ENABLED") and workers > 1 and not shared_rate_limit_store(uri):
        log.warning(
            "Rate limits are kept in memory:// by each of the %d workers: every worker "
            "counts on its own, so a client gets up to %d times the allowed sign-in "
            "attempts. Set RATELIMIT_STORAGE_URI to a shared store (redis://…, "
            "memcached://…) or run a single worker.",
            workers, workers,
        )

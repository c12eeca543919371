"""After an update: a graceful reload when gunicorn runs us, else the admin restarts.

gunicorn's master reloads on SIGHUP: it starts new workers (which import the new code)
and lets the old ones finish their requests. Any other server (`python app.py`, the
CLI, a service manager running something else) cannot be restarted from inside safely,
so the admin is told to do it."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def _arguments(pid: int) -> list[str]:
    """The process's arguments ([] when they cannot be read: not Linux, or gone)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\x00") if part]


def is_gunicorn(arguments: list[str]) -> bool:
    """`gunicorn …`, `python …/bin/gunicorn …`, `python -m gunicorn …`, or the title gunicorn
    gives its master with setproctitle ("gunicorn: master [app:app]"). Only the program is
    looked at: an argument that merely mentions gunicorn does not count."""
    if not arguments:
        return False
    program = [Path(arguments[0]).name]
    if program[0].startswith("python") and len(arguments) > 1:
        program = arguments[2:3] if arguments[1] == "-m" else [Path(arguments[1]).name]
    return bool(program) and (program[0] == "gunicorn" or program[0].startswith("gunicorn:"))


def gunicorn_master(parent_pid: int | None = None) -> int | None:
    """The pid of the gunicorn master we are a worker of, or None."""
    pid = os.getppid() if parent_pid is None else parent_pid
    if pid <= 1:
        return None
    return pid if is_gunicorn(_arguments(pid)) else None


def reload_gunicorn(master: int) -> bool:
    """Ask the gunicorn master to reload gracefully (SIGHUP); False when it cannot be told."""
    try:
        os.kill(master, signal.SIGHUP)
    except OSError:
        return False
    return True


def request_restart(parent_pid: int | None = None) -> str:
    """"graceful" after sending SIGHUP to the gunicorn master, else "manual"."""
    master = gunicorn_master(parent_pid)
    if master is None or not reload_gunicorn(master):
        return "manual"
    return "graceful"

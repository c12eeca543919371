"""The web apply runs in a thread of its own, and its outcome is kept in a setting.

A request that lasted the whole apply (a backup of the instance, a download, a migration
of up to UPDATE_MIGRATION_TIMEOUT_SECONDS) would outlive gunicorn's worker timeout (30 s by
default), and the worker would be killed half-way through the install. So the view starts
the apply here and answers at once; the worker keeps answering (and beating its heartbeat)
while the thread works, and a graceful reload waits for the thread before the old worker
exits. The result page reads the record ("updates.web_apply"): running, then the report.

Everything this module needs after the files change is imported with it.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from flask_babel import force_locale
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.extensions import db
from finora.models import User
from finora.services.system.settings import get_setting, set_setting
from finora.services.updates.apply import apply_update
from finora.services.updates.errors import UpdateError
from finora.services.updates.release import Release

log = logging.getLogger("finora.updates")

RECORD_KEY = "updates.web_apply"
THREAD_KEY = "finora.update_thread"  # app.extensions: the running thread (tests join it)
# settings.value is TEXT (64 KiB on MySQL/MariaDB): long outputs keep their end.
MAX_DETAIL_CHARS = 2_000
MAX_OUTPUT_CHARS = 12_000


@dataclass(frozen=True)
class StepOutcome:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class ApplyOutcome:
    """What the result page shows: the apply's report, or that it is running or refused."""

    state: str  # running | finished | refused | crashed
    version: str
    from_version: str
    started_at: datetime | None = None
    status: str = ""  # the report's: applied | rolled_back | refused | failed
    backup_id: int | None = None
    steps: list[StepOutcome] = field(default_factory=list)
    restart: str = "none"
    migration_output: str = ""
    message: str = ""  # a refusal's message, in the admin's language

    def to_json(self) -> str:
        data = {
            "state": self.state, "version": self.version, "from": self.from_version,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "status": self.status, "backup_id": self.backup_id,
            "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail[-MAX_DETAIL_CHARS:]}
                      for s in self.steps],
            "restart": self.restart,
            "migration_output": self.migration_output[-MAX_OUTPUT_CHARS:],
            "message": self.message[:MAX_DETAIL_CHARS],
        }
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str | None) -> ApplyOutcome | None:
        try:
            data = json.loads(text) if text else None
            if not isinstance(data, dict):
                return None
            started = data.get("started_at")
            backup_id = data.get("backup_id")
            return cls(
                state=str(data["state"]), version=str(data["version"]),
                from_version=str(data.get("from") or ""),
                started_at=datetime.fromisoformat(started) if started else None,
                status=str(data.get("status") or ""),
                backup_id=backup_id if isinstance(backup_id, int) else None,
                steps=[StepOutcome(str(s["name"]), bool(s["ok"]), str(s.get("detail") or ""))
                       for s in data.get("steps") or []],
                restart=str(data.get("restart") or "none"),
                migration_output=str(data.get("migration_output") or ""),
                message=str(data.get("message") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return None


def web_apply_record(session: Session) -> ApplyOutcome | None:
    return ApplyOutcome.from_json(get_setting(session, RECORD_KEY))


def _store(session: Session, outcome: ApplyOutcome) -> None:
    set_setting(session, RECORD_KEY, outcome.to_json())


def start_apply(app: Flask, session: Session, *, release: Release, user: User,
                from_version: str) -> threading.Thread:
    """Record "running" (committed), then apply in a new thread; the caller redirects to the
    result page, which follows the record."""
    _store(session, ApplyOutcome("running", release.version, from_version, started_at=now_utc()))
    session.commit()
    thread = threading.Thread(
        target=_run, args=(app, release, user.id, user.locale, from_version),
        name=f"finora-update-{release.version}",
        daemon=False,  # an exiting worker waits for it: a half-done install is worse
    )
    app.extensions[THREAD_KEY] = thread
    thread.start()
    return thread


def _run(app: Flask, release: Release, user_id: int, locale: str, from_version: str) -> None:
    with app.app_context(), force_locale(locale):
        session = db.session
        started = now_utc()
        try:
            user = session.get(User, user_id)
            report = apply_update(session, release=release, user=user)
        except UpdateError as error:  # refused before anything changed (audited there)
            session.rollback()
            outcome = ApplyOutcome("refused", release.version, from_version, started_at=started,
                                   status="refused", message=str(error.message))
        except Exception:
            log.exception("update: the apply stopped with an unexpected error")
            session.rollback()
            outcome = ApplyOutcome("crashed", release.version, from_version, started_at=started,
                                   status="failed")
        else:
            outcome = ApplyOutcome(
                "finished", report.version, report.from_version, started_at=started,
                status=report.status, backup_id=report.backup_id,
                steps=[StepOutcome(s.name, s.ok, str(s.detail)) for s in report.steps],
                restart=report.restart, migration_output=report.migration_output or "",
            )
        try:
            _store(session, outcome)
            session.commit()
        except Exception:
            log.exception("update: the outcome of the apply could not be recorded")
            session.rollback()

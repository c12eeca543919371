"""An apply's outcome as the pages show it: step names in the reader's language and the
stored record of the last apply (setting "updates.last_apply", written by the apply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from finora.services.updates.apply import last_apply as stored_last_apply
from finora.translation import lazy_gettext as _l

STEP_LABELS = {
    "backup": _l("Backup of the whole server"),
    "download": _l("Download"),
    "verify": _l("Size, checksum and signature"),
    "stage": _l("Unpack and check the files"),
    "install": _l("Install the files"),
    "migrate": _l("Update the database"),
    "restore_files": _l("Put the previous files back"),
    "restore_database": _l("Restore the database from the backup"),
    "restart": _l("Restart"),
}

STATUS_LABELS = {
    "applied": _l("Applied"),
    "rolled_back": _l("Rolled back"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
    "running": _l("In progress"),
}


def step_label(name: str) -> str:
    """A step in the reader's language; an unknown one is shown as recorded."""
    label = STEP_LABELS.get(name)
    return str(label) if label is not None else name


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


@dataclass(frozen=True)
class StepRecord:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class LastApply:
    version: str
    from_version: str
    status: str
    backup_id: int | None
    finished_at: datetime | None
    steps: list[StepRecord] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def _datetime(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def last_apply(session: Session) -> LastApply | None:
    """The last apply's record, or None when there was none (or it cannot be read: a page
    must still open)."""
    data = stored_last_apply(session)
    if not isinstance(data, dict) or not data.get("version"):
        return None
    steps = [
        StepRecord(str(s.get("name", "")), bool(s.get("ok")), str(s.get("detail") or ""))
        for s in data.get("steps") or [] if isinstance(s, dict)
    ]
    backup_id = data.get("backup_id")
    return LastApply(
        version=str(data["version"]),
        from_version=str(data.get("from") or data.get("from_version") or ""),
        status=str(data.get("status") or ""),
        backup_id=backup_id if isinstance(backup_id, int) else None,
        finished_at=_datetime(data.get("finished_at")),
        steps=steps,
    )

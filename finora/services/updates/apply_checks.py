"""What stops an apply before it starts: who asks, where Finora runs, which release, and
whether another apply runs or an earlier one never finished (the lock file and the
rollback folders in <DATA_DIR>/updates/). Nothing here changes the code or the database."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from finora.dates import now_utc
from finora.models import User
from finora.services.updates import install, package
from finora.services.updates.errors import UpdateError
from finora.services.updates.release import Release
from finora.services.updates.versions import parse_version
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

log = logging.getLogger("finora.updates")

LOCK_NAME = "apply.lock"
FINISHED = "finished"  # written in a rollback folder once its apply ended cleanly
# A lock older than this was left by a process that died mid-apply (the longest step, the
# migration, is capped by UPDATE_MIGRATION_TIMEOUT_SECONDS; this adds an hour for the rest).
LOCK_SLACK_SECONDS = 3600


class ContainerError(UpdateError):
    message = _l(
        "This instance runs in a container: it is updated by pulling the new image and "
        "restarting (`docker compose pull && docker compose up -d`), never in place."
    )
    reason = "container"
    status = 409


class ApplyRunningError(UpdateError):
    message = _l("Another update is being applied right now: wait for it to finish.")
    reason = "running"
    status = 409


class NotNewerError(UpdateError):
    message = _l("This release is not newer than the installed version: nothing to apply.")
    reason = "not_newer"


class ChannelError(UpdateError):
    message = _l("This release is a pre-release and the instance follows the stable channel.")
    reason = "channel"


class MinFromError(UpdateError):
    message = _l(
        "This release cannot be applied over the installed version: apply the releases in "
        "between first."
    )
    reason = "min_from"


class CodeNotWritableError(UpdateError):
    message = _l("The code folder cannot be written by this process: the update cannot be applied.")
    reason = "not_writable"


class UnfinishedApplyError(UpdateError):
    message = _l(
        "An earlier update stopped half-way and was not put back: put the code and the "
        "database back by hand (docs/updates.md, \"When something fails\") before applying "
        "another."
    )
    reason = "unfinished"
    status = 409


class NotAdminError(UpdateError):
    message = _l("Only the global administrator applies updates.")
    reason = "forbidden"
    status = 403


def check_can_apply(config, release: Release, installed: str, user: User | None) -> None:
    """Raise the UpdateError that refuses this apply before anything is done, if any."""
    if user is not None and not user.is_admin:
        raise NotAdminError()
    if config.get("FINORA_IN_CONTAINER"):
        raise ContainerError()
    if release.package is None:
        raise package.PackageMissingError()
    try:
        target, current = parse_version(release.version), parse_version(installed)
    except ValueError as error:
        raise NotNewerError() from error
    if target <= current:
        raise NotNewerError()
    if release.channel != "stable" and config.get("UPDATE_CHANNEL", "stable") == "stable":
        raise ChannelError()
    if release.min_from:
        try:
            too_old = current < parse_version(release.min_from)
        except ValueError:
            too_old = True
        if too_old:
            raise MinFromError(_(
                "This release needs version %(version)s or later installed: apply the "
                "releases in between first.", version=release.min_from))


def check_no_unfinished(folder: Path) -> None:
    """UnfinishedApplyError when an earlier apply copied files and never finished (its
    process died, or its rollback failed): its rollback copy is the way back, kept."""
    for rollback_dir in folder.glob("rollback-*"):
        if (rollback_dir / install.JOURNAL).is_file() and not (rollback_dir / FINISHED).exists():
            log.error("update: an earlier apply did not finish; its rollback copy: %s", rollback_dir)
            raise UnfinishedApplyError()


def take_lock(folder: Path, stale_after: int) -> Path:
    """Create the lock file (exclusively) and return it; ApplyRunningError when another
    apply holds it, unless it is older than `stale_after` seconds (its process died)."""
    path = folder / LOCK_NAME
    for attempt in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            break
        except FileExistsError:
            if attempt == 0 and _lock_age(path) > stale_after:
                log.warning("update: removing a stale apply lock (%s)", path)
                path.unlink(missing_ok=True)
                continue
            raise ApplyRunningError() from None
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps({"pid": os.getpid(), "started_at": now_utc().isoformat()}))
    return path


def _lock_age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")

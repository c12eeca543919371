"""The update check (on demand and daily) and what it knows: the update status.

Without UPDATE_MANIFEST_URL the check reads the bundled updates/manifest.json (part of the
installed code, trusted like it). With it, the check fetches the manifest and its detached
signature `<url>.sig`, verifies them with the release key, and stores the verified bytes
and signature (setting "updates.manifest"); every check leaves a record
("updates.last_check"). Problems (network, signature, a malformed manifest) are recorded,
never raised: the page and the job report them. A remote manifest never lowers what is
known: one whose newest release is older than the stored one's (stale, or replayed) is
refused. The status merges the bundled manifest with the stored remote one (remote wins
for a version both list) and filters it by the channel.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.services.system.settings import get_setting, set_setting
from finora.services.updates import signing
from finora.services.updates.errors import UpdateError
from finora.services.updates.fetch import (
    FetchError,
    FetchPolicy,
    FetchTimeoutError,
    HTTPStatusError,
    NotFoundOnServerError,
    TooLargeError,
    URLRefusedError,
    fetch_bytes,
    url_allowed,
)
from finora.services.updates.manifest import (
    MAX_MANIFEST_BYTES,
    Manifest,
    ManifestError,
    WrongAppError,
    parse_manifest,
)
from finora.services.updates.release import Release
from finora.services.updates.versions import is_version, parse_version
from finora.translation import lazy_gettext as _l

log = logging.getLogger("finora.updates")

MANIFEST_KEY = "updates.manifest"
LAST_CHECK_KEY = "updates.last_check"
MAX_SIGNATURE_BYTES = 1024
# The whole remote check (manifest and signature, with their retries) ends within this:
# "Check now" runs in a web request, and gunicorn stops a worker silent for 30 s.
CHECK_BUDGET_SECONDS = 25
# settings.value is TEXT: 64 KiB on MySQL/MariaDB. The stored manifest is compressed.
MAX_STORED_CHARS = 60_000
_VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class StaleManifestError(UpdateError):
    """A remote manifest older than the one already verified: a stale mirror or a replay."""

    message = _l("The update server offered an older list of releases than the one already "
                 "known; it was ignored.")
    reason = "stale_manifest"


class ReleaseNotFoundError(UpdateError, NotFoundError):
    message = _l("No release with that version is known. Check for updates first.")
    reason = "not_found"
    status = 404


class MissingSignatureError(signing.SignatureError):
    message = _l("The update manifest has no signature (.sig) on the server: it was refused.")
    reason = "signature_missing"


# What a stored error code says to its reader (translated when shown, not when stored).
_MESSAGES = {cls.reason: cls.message for cls in (
    UpdateError, FetchError, FetchTimeoutError, HTTPStatusError, NotFoundOnServerError,
    TooLargeError, URLRefusedError, ManifestError, WrongAppError, signing.SignatureError,
    signing.PublicKeyError, MissingSignatureError, StaleManifestError,
)}


@dataclass(frozen=True)
class CheckRecord:
    """The outcome of the last check, as stored."""

    checked_at: datetime
    ok: bool
    source: str  # "remote" | "bundled"
    latest: str | None = None  # the newest release on the channel after the check
    error_code: str | None = None  # UpdateError.reason
    error_detail: str | None = None  # technical and untranslated (HTTP status, field)

    @property
    def error_message(self) -> str | None:
        """The reader's translated sentence for error_code (None when the check was ok)."""
        if self.ok or not self.error_code:
            return None
        return str(_MESSAGES.get(self.error_code, UpdateError.message))

    def to_json(self) -> str:
        return json.dumps({"checked_at": self.checked_at.isoformat(), "ok": self.ok,
                           "source": self.source, "latest": self.latest,
                           "error_code": self.error_code, "error_detail": self.error_detail})

    @classmethod
    def from_json(cls, text: str | None) -> CheckRecord | None:
        try:
            data = json.loads(text) if text else None
            if not isinstance(data, dict):
                return None
            checked_at = datetime.fromisoformat(data["checked_at"])
            return cls(checked_at=checked_at, ok=bool(data["ok"]), source=str(data["source"]),
                       latest=data.get("latest"), error_code=data.get("error_code"),
                       error_detail=data.get("error_detail"))
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class UpdateStatus:
    installed: str  # the code on disk (CODE_DIR/finora/version.py)
    channel: str
    latest: Release | None  # newest release known on the channel
    available: Release | None  # newest release on the channel newer than installed
    newer_releases: list[Release] = field(default_factory=list)  # newest first
    last_check: CheckRecord | None = None
    in_container: bool = False
    can_apply: bool = False
    running: str = ""  # the version this process runs (differs until a restart)
    apply_blocker: str | None = None  # why can_apply is False while an update is available

    @property
    def restart_pending(self) -> bool:
        """Files were updated but this process still runs the old code."""
        return bool(self.running) and self.running != self.installed

    @property
    def apply_blocker_message(self) -> str | None:
        return None if self.apply_blocker is None else str(_BLOCKERS[self.apply_blocker])


_BLOCKERS = {
    "container": _l("This instance runs in a container: pull the new image and restart it."),
    "no_package": _l("This release is announced only: it has no package to apply."),
    "min_from": _l("This release cannot be applied over the installed version: apply an "
                   "earlier update first."),
    "url_refused": _l("This release's package address is not allowed by the configuration."),
}


def check_for_updates(session: Session, *, now: datetime | None = None) -> CheckRecord:
    """Check the manifest (remote when configured, else bundled) and record the outcome.
    Network, signature and manifest problems end up in the record, not in an exception."""
    config = current_app.config
    now = now or now_utc()
    url = (config.get("UPDATE_MANIFEST_URL") or "").strip()
    source = "remote" if url else "bundled"
    error: UpdateError | None = None
    try:
        if url:
            _check_remote(session, url, config)
        else:
            _bundled_manifest(config)
    except UpdateError as failure:
        error = failure
        log.warning("update check failed (%s): %s %s", source, failure.reason,
                    getattr(failure, "detail", "") or "")
    latest = _latest_on_channel(session, config)
    record = CheckRecord(
        checked_at=now, ok=error is None, source=source,
        latest=latest.version if latest else None,
        error_code=None if error is None else error.reason,
        error_detail=None if error is None else _detail(error),
    )
    set_setting(session, LAST_CHECK_KEY, record.to_json())
    return record


class UpdateCheckFailed(RuntimeError):
    """Raised by the job after the failed check was committed, so the job run says error."""


def check_for_updates_job(session: Session, holder: str) -> int:
    """The daily scheduler job: check, commit the record, 1 when a newer release is known.
    A failed check is committed first, then raised, so the job's run reports the error."""
    record = check_for_updates(session)
    session.commit()
    if not record.ok:
        raise UpdateCheckFailed(f"{record.error_code}: {record.error_detail or ''}".strip())
    return 1 if update_status(session).available is not None else 0


def update_status(session: Session) -> UpdateStatus:
    """What the /about page, the profile, the CLI and the apply need to know."""
    config = current_app.config
    installed = installed_version(config)
    channel = config.get("UPDATE_CHANNEL") or "stable"
    releases = _on_channel(known_releases(session), channel)
    latest = releases[0] if releases else None
    installed_key = parse_version(installed) if is_version(installed) else None
    newer = [r for r in releases
             if installed_key is None or parse_version(r.version) > installed_key]
    available = newer[0] if newer else None
    in_container = bool(config.get("FINORA_IN_CONTAINER"))
    blocker = None
    if available is not None:
        blocker = _apply_blocker(available, installed_key, in_container, config)
    return UpdateStatus(
        installed=installed, channel=channel, latest=latest, available=available,
        newer_releases=newer, last_check=CheckRecord.from_json(get_setting(session,
                                                                           LAST_CHECK_KEY)),
        in_container=in_container, can_apply=available is not None and blocker is None,
        running=str(config.get("VERSION") or ""), apply_blocker=blocker,
    )


def find_release(session: Session, version: str) -> Release:
    """The known release with that version (any channel), else ReleaseNotFoundError."""
    if is_version(version):
        wanted = parse_version(version)
        for release in known_releases(session):
            if parse_version(release.version) == wanted:
                return release
    raise ReleaseNotFoundError()


def known_releases(session: Session) -> list[Release]:
    """Every release the bundled and the stored remote manifest list, newest first."""
    config = current_app.config
    by_version: dict = {}
    try:
        for release in _bundled_manifest(config).releases:
            by_version[parse_version(release.version)] = release
    except UpdateError as error:
        log.error("the bundled update manifest cannot be read: %s", error)
    stored = _stored_manifest(session, config)
    if stored is not None:
        for release in stored.releases:
            by_version[parse_version(release.version)] = release
    return [by_version[key] for key in sorted(by_version, reverse=True)]


def installed_version(config) -> str:
    """The version of the code in CODE_DIR (what an apply just installed counts), else the
    version this process runs."""
    running = str(config.get("VERSION") or "")
    code_dir = config.get("CODE_DIR")
    if code_dir:
        try:
            text = (Path(code_dir) / "finora" / "version.py").read_text(encoding="utf-8")
        except OSError:
            return running
        match = _VERSION_LINE.search(text)
        if match and is_version(match.group(1)):
            return match.group(1)
    return running


def _on_channel(releases: list[Release], channel: str) -> list[Release]:
    """Stable sees stable releases; beta sees both."""
    if channel == "beta":
        return list(releases)
    return [r for r in releases if r.channel == "stable"]


def _latest_on_channel(session: Session, config) -> Release | None:
    releases = _on_channel(known_releases(session), config.get("UPDATE_CHANNEL") or "stable")
    return releases[0] if releases else None


def _apply_blocker(release: Release, installed_key, in_container: bool, config) -> str | None:
    if in_container:
        return "container"
    if release.package is None:
        return "no_package"
    if release.min_from and installed_key is not None and (
            installed_key < parse_version(release.min_from)):
        return "min_from"
    if not url_allowed(release.package.url, FetchPolicy.from_config(config)):
        return "url_refused"
    return None


def _bundled_manifest(config) -> Manifest:
    path = Path(config.get("CODE_DIR") or signing.SHIPPED_KEY_FILE.parents[1]) / "updates" / (
        "manifest.json")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ManifestError(f"{path}: {error.strerror}") from error
    return parse_manifest(raw)


def _check_remote(session: Session, url: str, config) -> Manifest:
    policy = FetchPolicy.from_config(config).until(CHECK_BUDGET_SECONDS)
    key = signing.load_public_key(config.get("UPDATE_PUBLIC_KEY"))
    raw = fetch_bytes(url, max_bytes=MAX_MANIFEST_BYTES, policy=policy)
    try:
        signature = fetch_bytes(_signature_url(url), max_bytes=MAX_SIGNATURE_BYTES,
                                policy=policy)
    except NotFoundOnServerError as error:
        raise MissingSignatureError() from error
    try:
        signature_text = signature.decode("ascii").strip()
    except UnicodeDecodeError as error:
        raise signing.SignatureError() from error
    # Verified before it is even parsed: unsigned bytes are never read as a manifest.
    signing.verify(key, raw, signature_text)
    manifest = parse_manifest(raw)
    stored = _stored_manifest(session, config)
    if stored is not None and stored.newest_version and (
            manifest.newest_version is None
            or parse_version(manifest.newest_version) < parse_version(stored.newest_version)):
        raise StaleManifestError()
    encoded = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    value = json.dumps({"url": url, "signature": signature_text, "manifest": encoded})
    if len(value) > MAX_STORED_CHARS:
        raise ManifestError(f"too large to store ({len(value)} characters compressed)")
    set_setting(session, MANIFEST_KEY, value)
    return manifest


def _signature_url(url: str) -> str:
    if "?" in url or "#" in url:
        base, sep, rest = url.partition("?") if "?" in url else url.partition("#")
        return f"{base}.sig{sep}{rest}"
    return url + ".sig"


def _stored_manifest(session: Session, config) -> Manifest | None:
    """The stored remote manifest, verified again (a changed key or an edited row: ignored)."""
    text = get_setting(session, MANIFEST_KEY)
    if not text:
        return None
    try:
        data = json.loads(text)
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.b64decode(data["manifest"]), MAX_MANIFEST_BYTES + 1)
        if len(raw) > MAX_MANIFEST_BYTES or inflate.unconsumed_tail:
            return None
        key = signing.load_public_key(config.get("UPDATE_PUBLIC_KEY"))
        signing.verify(key, raw, data["signature"])
        return parse_manifest(raw)
    except (ValueError, KeyError, TypeError, zlib.error, UpdateError) as error:
        log.warning("the stored update manifest was ignored: %s", error)
        return None


def _detail(error: UpdateError) -> str | None:
    detail = getattr(error, "detail", None)
    if detail:
        return str(detail)[:300]
    return None

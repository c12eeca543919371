"""A manifest's JSON read into Release objects, refusing anything malformed.

Schema 1 (updates/manifest.json):
    {"schema": 1, "app": "finora", "latest": "1.2.0",
     "releases": [{"version": "1.2.0", "date": "2026-12-01", "channel": "stable",
                   "notes": {"en": "…", "pt": "…", "es": "…"},
                   "min_from": "1.0.0",
                   "package": {"url": "https://…", "sha256": "<64 hex>", "size": 123,
                               "signature": "<base64 Ed25519>"}}]}
"channel" defaults to "stable" for a release and "beta" for a pre-release (1.3.0-beta.1);
a pre-release marked stable is refused. "package" and "min_from" are optional (a release
without a package is announced only). Unknown keys are ignored so a later schema-1 manifest
can add fields; a different schema, another app, a wrong type or a value over its cap
refuses the whole manifest — a half-read manifest is never used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from finora.services.updates.errors import UpdateError
from finora.services.updates.release import PackageRef, Release
from finora.services.updates.versions import parse_version
from finora.translation import lazy_gettext as _l

SCHEMA = 1
APP = "finora"
CHANNELS = ("stable", "beta")
MAX_MANIFEST_BYTES = 256 * 1024
MAX_RELEASES = 500
MAX_NOTES_CHARS = 20_000
MAX_LANGUAGES = 20
MAX_URL_CHARS = 2048
MAX_SIGNATURE_CHARS = 200
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?")


class ManifestError(UpdateError):
    """A manifest that is not valid JSON of schema 1 for this application."""

    message = _l("The update manifest is malformed and was ignored.")
    reason = "manifest"

    def __init__(self, detail: str) -> None:
        super().__init__()
        # Which field and why, untranslated: for the log, the CLI and the maintainers.
        self.detail = detail


class WrongAppError(ManifestError):
    message = _l("The update manifest is for another application and was ignored.")
    reason = "wrong_app"


@dataclass(frozen=True)
class Manifest:
    latest: str | None  # what the maintainers call latest (informative; status computes its own)
    releases: tuple[Release, ...]  # newest first

    @property
    def newest_version(self) -> str | None:
        """The newest version listed on any channel: how two manifests are ordered."""
        return str(max(parse_version(r.version) for r in self.releases)) if self.releases else None


def parse_manifest(raw: bytes | str) -> Manifest:
    """ManifestError (or WrongAppError) unless `raw` is a valid schema-1 Finora manifest."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"larger than {MAX_MANIFEST_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ManifestError(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise ManifestError("not a JSON object")
    schema = data.get("schema")
    if type(schema) is not int or schema != SCHEMA:
        raise ManifestError(f"schema {schema!r}, expected {SCHEMA}")
    if data.get("app") != APP:
        raise WrongAppError(f"app {data.get('app')!r}, expected {APP!r}")
    latest = data.get("latest")
    if latest is not None:
        _version(latest, "latest")
    entries = data.get("releases")
    if not isinstance(entries, list):
        raise ManifestError("releases: not a list")
    if len(entries) > MAX_RELEASES:
        raise ManifestError(f"releases: more than {MAX_RELEASES}")
    releases: list[Release] = []
    seen: set = set()
    for index, entry in enumerate(entries):
        release = _release(entry, f"releases[{index}]")
        key = parse_version(release.version)
        if key in seen:
            raise ManifestError(f"releases[{index}]: version {release.version} listed twice")
        seen.add(key)
        releases.append(release)
    releases.sort(key=lambda r: parse_version(r.version), reverse=True)
    if latest is not None and parse_version(latest) not in seen:
        raise ManifestError(f"latest {latest} is not among the releases")
    return Manifest(latest=latest, releases=tuple(releases))


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _release(entry: object, where: str) -> Release:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: not an object")
    version = _version(entry.get("version"), f"{where}.version")
    prerelease = parse_version(version).is_prerelease
    channel = entry.get("channel", "beta" if prerelease else "stable")
    if channel not in CHANNELS:
        raise ManifestError(f"{where}.channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    if prerelease and channel == "stable":
        raise ManifestError(f"{where}: pre-release {version} cannot be on the stable channel")
    min_from = entry.get("min_from")
    if min_from is not None:
        _version(min_from, f"{where}.min_from")
    package = entry.get("package")
    return Release(
        version=version,
        date=_date(entry.get("date"), f"{where}.date"),
        channel=channel,
        notes=_notes(entry.get("notes"), f"{where}.notes"),
        package=None if package is None else _package(package, f"{where}.package"),
        min_from=min_from,
    )


def _version(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ManifestError(f"{where}: not a string")
    try:
        parse_version(value)
    except ValueError as error:
        raise ManifestError(f"{where}: {value!r} is not a version like 1.2.3") from error
    return value


def _date(value: object, where: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise ManifestError(f"{where}: not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ManifestError(f"{where}: {value!r} is not a YYYY-MM-DD date") from error


def _notes(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_LANGUAGES:
        raise ManifestError(f"{where}: not an object of languages (at most {MAX_LANGUAGES})")
    notes: dict[str, str] = {}
    for language, text in value.items():
        if not _LANGUAGE.fullmatch(language):
            raise ManifestError(f"{where}: {language!r} is not a language code")
        if not isinstance(text, str) or len(text) > MAX_NOTES_CHARS:
            raise ManifestError(f"{where}.{language}: not text of at most {MAX_NOTES_CHARS} chars")
        notes[language] = text
    return notes


def _package(value: object, where: str) -> PackageRef:
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: not an object")
    url, sha256, size, signature = (value.get(key) for key in ("url", "sha256", "size",
                                                                "signature"))
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        raise ManifestError(f"{where}.url: not a URL of at most {MAX_URL_CHARS} chars")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ManifestError(f"{where}.sha256: not 64 hexadecimal digits")
    if type(size) is not int or size <= 0:
        raise ManifestError(f"{where}.size: not a positive whole number of bytes")
    if not isinstance(signature, str) or not signature or len(signature) > MAX_SIGNATURE_CHARS:
        raise ManifestError(f"{where}.signature: missing")
    return PackageRef(url=url, sha256=sha256.lower(), size=size, signature=signature)


def release_entry(release: Release) -> dict:
    """A release as a manifest entry (the build script writes these)."""
    entry: dict = {"version": release.version}
    if release.date is not None:
        entry["date"] = release.date.isoformat()
    entry["channel"] = release.channel
    if release.min_from:
        entry["min_from"] = release.min_from
    if release.notes:
        entry["notes"] = dict(release.notes)
    if release.package is not None:
        entry["package"] = {"url": release.package.url, "sha256": release.package.sha256,
                            "size": release.package.size,
                            "signature": release.package.signature}
    return entry

"""What a verified manifest says about one release: plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class PackageRef:
    """Where a release's package is and what it must be: the apply refuses anything else."""

    url: str  # https://…, http://127.0.0.1… in testing only, or a local path when allowed
    sha256: str  # 64 lower-case hex digits
    size: int  # bytes
    signature: str  # base64 Ed25519 signature of signing.package_statement(...)


@dataclass(frozen=True)
class Release:
    version: str  # "1.2.3" or "1.3.0-beta.1"
    date: date | None
    channel: str  # "stable" | "beta"
    notes: dict[str, str] = field(default_factory=dict)  # language -> text (pt, en, es)
    package: PackageRef | None = None  # None: announced only (nothing to apply)
    # The oldest installed version this release's package may be applied over (None: any).
    min_from: str | None = None

    def notes_for(self, language: str) -> str:
        """The notes in the reader's language, else English, else any."""
        return self.notes.get(language) or self.notes.get("en") or next(iter(self.notes.values()), "")

"""Release version numbers ("1.2.3", "1.3.0-beta.1"): parsed and ordered as Semantic
Versioning orders them, without a third-party dependency.

A pre-release sorts before its release (1.3.0-beta.1 < 1.3.0); its dot-separated parts
compare numerically when both are numbers, else as text, numbers first. Build metadata
("+…") is not accepted: two packages of one version would be indistinguishable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_PATTERN = re.compile(
    r"(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})"
    r"(?:-((?:0|[1-9]\d{0,8}|\d*[A-Za-z-][0-9A-Za-z-]*)"
    r"(?:\.(?:0|[1-9]\d{0,8}|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
)
MAX_LENGTH = 64


@total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[int | str, ...] = ()

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def __str__(self) -> str:
        core = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            core += "-" + ".".join(str(part) for part in self.prerelease)
        return core

    def _key(self) -> tuple:
        # A release (no pre-release) sorts after all its pre-releases.
        pre = tuple((0, part, "") if isinstance(part, int) else (1, 0, part)
                    for part in self.prerelease)
        return (self.major, self.minor, self.patch, not self.prerelease, pre)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()


def parse_version(text: str) -> Version:
    """ValueError unless `text` is MAJOR.MINOR.PATCH with an optional -pre.release."""
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        raise ValueError(f"not a version: {text!r}")
    match = _PATTERN.fullmatch(text.strip())
    if match is None or text != text.strip():
        raise ValueError(f"not a version: {text!r}")
    major, minor, patch, pre = match.groups()
    parts: tuple[int | str, ...] = ()
    if pre:
        parts = tuple(int(part) if part.isdigit() else part for part in pre.split("."))
    return Version(int(major), int(minor), int(patch), parts)


def is_version(text: object) -> bool:
    try:
        parse_version(text)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as `left` is older than, the same as or newer than `right`."""
    a, b = parse_version(left), parse_version(right)
    return (a > b) - (a < b)


def is_newer(candidate: str, than: str) -> bool:
    return parse_version(candidate) > parse_version(than)


def is_prerelease(text: str) -> bool:
    return parse_version(text).is_prerelease

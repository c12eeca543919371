"""The profile's sections: a registry the hub's navigation and overview read.

A section module calls `register(Section(...))` at import time; the views module of the
profile package imports every section module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from finora.models import User


@dataclass(frozen=True)
class Section:
    key: str  # unique, also the id of its overview card
    label: object  # a lazy_gettext string
    endpoint: str  # its page
    icon: str  # a Bootstrap icon name, e.g. "bi-key"
    order: int  # position in the navigation
    # A one-line status for the overview ("On", "2 passkeys"...); None shows nothing.
    summary: Callable[[User], str | None] | None = None
    # Whether this user sees the section at all (e.g. owners only).
    visible: Callable[[User], bool] | None = None


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> Section:
    if section.key in _SECTIONS and _SECTIONS[section.key] != section:
        raise ValueError(f"profile section {section.key!r} registered twice")
    _SECTIONS[section.key] = section
    return section


def sections_for(user: User) -> list[Section]:
    return sorted(
        (s for s in _SECTIONS.values() if s.visible is None or s.visible(user)),
        key=lambda s: s.order,
    )

"""Column-mapping profiles: a household names the way its bank's spreadsheet is read, and
files with the same header are offered it again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.errors import FieldError, NotFoundError
from finora.models import Household, ImportProfile
from finora.services.imports.categories import name_key
from finora.translation import lazy_gettext as _l

NAME_MAX_LENGTH = 80  # import_profiles.name


def header_key(header: Sequence[str]) -> str:
    """The same for the same columns, whatever their case, accents or spacing."""
    return hashlib.sha256("\x1f".join(name_key(str(cell)) for cell in header).encode("utf-8")).hexdigest()


def header_of(table) -> list[str]:
    """The header a profile is saved and found under: the file's own cells, or for a file
    without a header its column count (the made-up "Column 1"… names follow the reader's
    language, which must not hide a profile)."""
    if getattr(table, "has_header", True):
        return list(table.header)
    return [f"#{number}" for number in range(1, len(table.header) + 1)]


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise FieldError("name", _l("Enter a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise FieldError("name", _l("Use at most %(count)d characters.", count=NAME_MAX_LENGTH))
    return name


def profile_settings(profile: ImportProfile) -> tuple[dict, dict]:
    """(reading options, mapping) as saved."""
    settings = json.loads(profile.settings or "{}")
    return settings.get("options") or {}, settings.get("mapping") or {}


def list_profiles(session: Session, household: Household) -> list[ImportProfile]:
    return list(
        session.scalars(
            select(ImportProfile)
            .where(ImportProfile.household_id == household.id)
            .order_by(ImportProfile.name)
        )
    )


def profiles_for_header(session: Session, household: Household, header: Sequence[str]) -> list[ImportProfile]:
    """The household's profiles saved for files with this header, newest first."""
    return list(
        session.scalars(
            select(ImportProfile)
            .where(ImportProfile.household_id == household.id, ImportProfile.header_key == header_key(header))
            .order_by(ImportProfile.updated_at.desc(), ImportProfile.id.desc())
        )
    )


def profile_named(session: Session, household: Household, name: str) -> ImportProfile:
    """The household's profile with this name (spaces and case ignored); NotFoundError."""
    wanted = " ".join((name or "").split()).casefold()
    for profile in list_profiles(session, household):
        if profile.name.casefold() == wanted:
            return profile
    raise NotFoundError()


def save_profile(
    session: Session, household: Household, name: str, header: Sequence[str],
    options: dict, mapping: dict,
) -> ImportProfile:
    """Create the profile, or replace the one of the same name (case ignored)."""
    name = _clean_name(name)
    settings = json.dumps({"options": options or {}, "mapping": mapping or {}}, sort_keys=True)
    # The same name in another case is the same profile, on every database (MariaDB's
    # collation would refuse it as a duplicate; PostgreSQL and SQLite would keep two).
    profile = next(
        (p for p in list_profiles(session, household) if p.name.casefold() == name.casefold()), None
    )
    if profile is None:
        profile = ImportProfile(household_id=household.id, name=name)
        session.add(profile)
    profile.name = name
    profile.header_key = header_key(header)
    profile.settings = settings
    session.flush()
    return profile


def delete_profile(session: Session, profile: ImportProfile) -> None:
    session.delete(profile)
    session.flush()

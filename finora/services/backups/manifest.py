"""The archive's manifest and names: format version 1, what `manifest.json` holds, the
members' names, the migration heads an archive is judged by, and the strict JSON every
member is read with (container.py, archive_writer.py)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from finora.services.backups.errors import (
    ArchiveTooNewError,
    DamagedArchiveError,
    ForeignArchiveError,
)

FORMAT = "finora-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = "database.sqlite"
DATA_PREFIX = "data/"
DATA_SUFFIX = ".jsonl"
SCOPES = ("household", "instance")
STORAGES = ("portable", "sqlite")

TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class MemberInfo:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    format_version: int
    scope: str
    storage: str
    app_version: str
    migration_head: str
    created_at: datetime
    household: dict | None
    counts: dict[str, int]
    members: dict[str, MemberInfo]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "scope": self.scope,
            "storage": self.storage,
            "app_version": self.app_version,
            "migration_head": self.migration_head,
            "created_at": format_time(self.created_at),
            "household": self.household,
            "counts": dict(self.counts),
            "members": {
                name: {"sha256": info.sha256, "size": info.size}
                for name, info in self.members.items()
            },
        }


def data_member(table: str) -> str:
    return f"{DATA_PREFIX}{table}{DATA_SUFFIX}"


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- migration heads -------------------------------------------------------------------


def _migrations_folder() -> str:
    """The app's migrations folder (Flask-Migrate's setting), else the one beside this
    package in the source tree."""
    from flask import current_app

    try:
        return current_app.extensions["migrate"].directory
    except (RuntimeError, KeyError, AttributeError):  # no app: a script or a pure test
        return str(Path(__file__).resolve().parents[3] / "migrations")


def _script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", _migrations_folder())
    return ScriptDirectory.from_config(config)


@lru_cache(maxsize=1)
def code_migration_head() -> str:
    """The alembic head of this code: an archive records it, a reader compares with it."""
    heads = _script_directory().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"backups: expected one migration head, found {heads}")
    return heads[0]


@lru_cache(maxsize=1)
def known_migration_heads() -> frozenset[str]:
    """Every revision in this code's history: an archive naming another one was made by
    a newer Finora."""
    return frozenset(script.revision for script in _script_directory().walk_revisions())


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999
        raise ValueError(f"{text} is out of range")
    return number


# Strict JSON for reading: NaN and Infinity are not JSON (json.loads accepts them, and
# reads 1e999 as infinity), and the text must be UTF-8 (json.loads on bytes lets lone
# surrogates and UTF-16 through).
_decoder = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def strict_loads(raw: bytes) -> Any:
    return _decoder.decode(raw.decode("utf-8"))


def table_of(member: str) -> str | None:
    if member.startswith(DATA_PREFIX) and member.endswith(DATA_SUFFIX):
        return member[len(DATA_PREFIX) : -len(DATA_SUFFIX)]
    return None


def parse_manifest(raw: bytes) -> Manifest:
    try:
        data = strict_loads(raw)
    except (ValueError, RecursionError) as error:
        raise ForeignArchiveError() from error
    if type(data) is not dict or data.get("format") != FORMAT:
        raise ForeignArchiveError()
    version = data.get("format_version")
    if type(version) is not int or version < 1:
        raise DamagedArchiveError()
    if version > FORMAT_VERSION:
        raise ArchiveTooNewError()
    head = data.get("migration_head")
    if type(head) is not str:
        raise DamagedArchiveError()
    if head not in known_migration_heads():
        raise ArchiveTooNewError()
    scope, storage = data.get("scope"), data.get("storage")
    if scope not in SCOPES or storage not in STORAGES or (scope == "household" and storage != "portable"):
        raise DamagedArchiveError()
    app_version = data.get("app_version")
    household = data.get("household")
    counts = data.get("counts")
    members = data.get("members")
    if (
        type(app_version) is not str
        or not (household is None or type(household) is dict)
        or type(counts) is not dict
        or type(members) is not dict
    ):
        raise DamagedArchiveError()
    try:
        # Anything but a string (None included) raises the TypeError caught below.
        stamp = cast(str, data.get("created_at"))
        created_at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError) as error:
        raise DamagedArchiveError() from error
    for table, count in counts.items():
        if type(table) is not str or type(count) is not int or count < 0:
            raise DamagedArchiveError()
    parsed: dict[str, MemberInfo] = {}
    for name, info in members.items():
        if type(info) is not dict:
            raise DamagedArchiveError()
        digest, size = info.get("sha256"), info.get("size")
        if (
            type(digest) is not str
            or not re.fullmatch(r"[0-9a-f]{64}", digest)
            or type(size) is not int
            or size < 0
        ):
            raise DamagedArchiveError()
        if name != DATABASE_MEMBER and not (
            name.startswith(DATA_PREFIX)
            and name.endswith(DATA_SUFFIX)
            and TABLE_NAME.fullmatch(name[len(DATA_PREFIX) : -len(DATA_SUFFIX)])
        ):
            raise ForeignArchiveError()
        parsed[name] = MemberInfo(sha256=digest, size=size)
    if (storage == "sqlite") != (DATABASE_MEMBER in parsed):
        raise DamagedArchiveError()
    if storage == "portable" and set(counts) != {table_of(name) for name in parsed}:
        raise DamagedArchiveError()
    return Manifest(
        format_version=version,
        scope=scope,
        storage=storage,
        app_version=app_version,
        migration_head=head,
        created_at=created_at,
        household=household,
        counts=counts,
        members=parsed,
    )

"""An uploaded file waiting between the import's steps: kept on disk, never in the
database, under DATA_DIR/imports/<household_id>/<token>/ (owner-only), for the user who
uploaded it, until it is committed, discarded or IMPORT_STAGING_HOURS old."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from config import private_dir
from finora.dates import now_utc
from finora.errors import NotFoundError
from finora.models import Household, User
from finora.services.imports.rows import BANK_FORMATS, ImportFileError
from finora.translation import gettext as _

UPLOAD = "upload.bin"
STATE = "state.json"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FILE_NAME_MAX_LENGTH = 255  # import_batches.file_name


@dataclass
class Staged:
    token: str
    household_id: int
    user_id: int
    file_name: str
    format: str
    size: int
    created_at: datetime
    account_id: int | None = None
    options: dict | None = None
    mapping: dict | None = None
    # str(line) -> {"category_id": int|None, "skip": bool, "match": bool}
    decisions: dict[str, dict] = field(default_factory=dict)
    profile_id: int | None = None
    account_number: str | None = None

    def to_json(self) -> str:
        state = asdict(self)
        state["created_at"] = self.created_at.isoformat()
        return json.dumps(state, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Staged:
        state = json.loads(text)
        state["created_at"] = datetime.fromisoformat(state["created_at"])
        return cls(**state)


def _root() -> Path:
    return private_dir(private_dir(Path(current_app.config["DATA_DIR"])) / "imports")


def _folder(household_id: int, token: str) -> Path:
    return _root() / str(int(household_id)) / token


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a sibling file and rename it over the target: a reader sees the old file or
    the new one, never half of one."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def clean_file_name(name: str | None) -> str:
    """The name shown on the batch: the last part of the path the browser sent, without
    control characters, within the column's length."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).strip()
    return base[:FILE_NAME_MAX_LENGTH] or "upload"


def check_size(data: bytes, limit: int | None = None) -> None:
    limit = current_app.config["IMPORT_MAX_BYTES"] if limit is None else limit
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > limit:
        megabytes = limit / (1024 * 1024)
        raise ImportFileError(
            _("The file is larger than the limit of %(limit)s MB.", limit=f"{megabytes:g}")
        )


def inspect_file(data: bytes, staged: Staged) -> None:
    """What the first step learns from the content: the format (never the name), for a
    bank statement the account number it names (parsing it once rejects an unreadable
    file now), for a spreadsheet its reading options."""
    from finora.services.imports.detect import detect_format

    staged.format = detect_format(data)
    if staged.format in BANK_FORMATS:
        from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded, parse_bank

        try:
            parsed = parse_bank(data, staged.format)
        except (DateOrderNeeded, NumberStyleNeeded):
            # Readable: the review asks for the order. The account number needs no parse
            # of the dates; without it the user simply chooses the account.
            return
        staged.account_number = parsed.account_number
    else:
        from finora.services.imports.tabular import sniff_options

        staged.options = sniff_options(data, staged.format).as_dict()


def stage_upload(household: Household, user: User, file_name: str, data: bytes) -> Staged:
    """Check and keep an upload for the next steps (ImportFileError when it cannot be
    imported at all); nothing is written to the database."""
    check_size(data)
    staged = Staged(
        token=secrets.token_urlsafe(24), household_id=household.id, user_id=user.id,
        file_name=clean_file_name(file_name), format="", size=len(data), created_at=now_utc(),
    )
    inspect_file(data, staged)
    folder = _folder(household.id, staged.token)
    private_dir(folder.parent)
    folder.mkdir(mode=0o700)
    _write_atomic(folder / UPLOAD, data)
    _write_atomic(folder / STATE, staged.to_json().encode("utf-8"))
    return staged


def _expired(staged: Staged, now: datetime | None = None) -> bool:
    hours = int(current_app.config["IMPORT_STAGING_HOURS"])
    return (now or now_utc()) - staged.created_at > timedelta(hours=hours)


def load_staged(household: Household, user: User, token: str) -> Staged:
    """The upload of this user in this household; NotFoundError when the token is unknown,
    expired, or another household's or another user's."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise NotFoundError()
    folder = _folder(household.id, token)
    try:
        staged = Staged.from_json((folder / STATE).read_text("utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        raise NotFoundError() from None
    if staged.household_id != household.id or staged.user_id != user.id or staged.token != token:
        raise NotFoundError()
    if _expired(staged) or not (folder / UPLOAD).is_file():
        raise NotFoundError()
    return staged


def save_staged(staged: Staged) -> None:
    folder = _folder(staged.household_id, staged.token)
    if not folder.is_dir():
        raise NotFoundError()
    _write_atomic(folder / STATE, staged.to_json().encode("utf-8"))


def read_staged(staged: Staged) -> bytes:
    try:
        return (_folder(staged.household_id, staged.token) / UPLOAD).read_bytes()
    except OSError:
        raise NotFoundError() from None


def discard_staged(staged: Staged) -> None:
    shutil.rmtree(_folder(staged.household_id, staged.token), ignore_errors=True)


def purge_staging(now: datetime | None = None) -> int:
    """Remove every upload older than IMPORT_STAGING_HOURS (and any folder whose state
    cannot be read); returns how many were removed."""
    root = Path(current_app.config["DATA_DIR"]) / "imports"
    if not root.is_dir():
        return 0
    removed = 0
    for household_dir in root.iterdir():
        if not household_dir.is_dir():
            continue
        for folder in household_dir.iterdir():
            try:
                staged = Staged.from_json((folder / STATE).read_text("utf-8"))
                stale = _expired(staged, now)
            except (OSError, ValueError, TypeError, KeyError):
                # Half-written (a crash between the mkdir and the state): old enough to go?
                try:
                    age = (now or now_utc()).timestamp() - folder.stat().st_mtime
                except OSError:  # removed meanwhile (discarded, or another purge)
                    continue
                stale = age > int(current_app.config["IMPORT_STAGING_HOURS"]) * 3600
            if stale:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        try:
            household_dir.rmdir()  # only when empty
        except OSError:
            pass
    return removed

"""Two-factor backup codes: ten single-use codes, shown once, kept as keyed hashes."""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session

from finora.crypto import keyed_hash
from finora.dates import now_utc
from finora.models import User
from finora.models.security import BackupCode

COUNT = 10
_CODE_BYTES = 5  # 40 bits: 8 base32 characters, shown as "abcd-efgh"
_NOT_CODE = re.compile(r"[^a-z2-7]")
_LOOKALIKES = str.maketrans({"0": "o", "1": "l", "8": "b"})


def normalise_code(code: str) -> str:
    return _NOT_CODE.sub("", (code or "").lower().translate(_LOOKALIKES))


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(_CODE_BYTES)).decode("ascii").lower()
    return f"{raw[:4]}-{raw[4:]}"


def _hash(code: str) -> str:
    return keyed_hash("backup-code:" + normalise_code(code))


def replace_backup_codes(session: Session, user: User) -> list[str]:
    """Delete the user's codes and make ten new ones; returns them to be shown once."""
    delete_backup_codes(session, user)
    codes: list[str] = []
    while len(codes) < COUNT:
        code = _new_code()
        if code not in codes:
            codes.append(code)
    now = now_utc()
    session.add_all(BackupCode(user_id=user.id, code_hash=_hash(c), created_at=now) for c in codes)
    session.flush()
    return codes


def delete_backup_codes(session: Session, user: User) -> None:
    session.execute(delete(BackupCode).where(BackupCode.user_id == user.id))


def use_backup_code(session: Session, user: User, code: str) -> bool:
    """Spend an unused code of this user; False if there is none. One conditional UPDATE,
    so the same code cannot be spent twice, even by two requests at once."""
    if not normalise_code(code):
        return False
    spent = session.execute(
        update(BackupCode)
        .where(
            BackupCode.user_id == user.id,
            BackupCode.code_hash == _hash(code),
            BackupCode.used_at.is_(None),
        )
        .values(used_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", spent).rowcount == 1


def remaining_backup_codes(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(BackupCode)
        .where(BackupCode.user_id == user.id, BackupCode.used_at.is_(None))
    ) or 0

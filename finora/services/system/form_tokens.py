"""One submission per rendered form: signed form tokens, consumed once with the write.

A double click, a browser resending a POST, or a replayed request would otherwise save
the same entry or transfer twice. Each create or edit form carries a token signed for
its household and user; the submission that saves stores the token's random part under
a unique key in the same transaction as its write, so a failed write leaves the token
usable, and a second submission, even one racing the first in another process, finds it
taken and saves nothing.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete
from sqlalchemy.orm import Session

from finora.crypto import keyed_hash, new_token
from finora.dates import now_utc
from finora.errors import FinoraError
from finora.models import Household, UsedFormToken, User
from finora.translation import lazy_gettext as _l

# A form open longer than this is renewed on submit (its values are kept).
TOKEN_LIFETIME = timedelta(days=1)
# Used tokens are kept until theirs could no longer be accepted anyway, then purged.
KEEP_USED = TOKEN_LIFETIME + timedelta(days=1)


class FormTokenError(FinoraError):
    message = _l(
        "This form is too old or could not be checked, so nothing was saved. "
        "Check the values and save again."
    )
    status = 400


def _signature(household_id: int, user_id: int, issued: str, nonce: str) -> str:
    return keyed_hash(f"form-token:{household_id}:{user_id}:{issued}:{nonce}")[:32]


def issue_form_token(household: Household, user: User, now: datetime | None = None) -> str:
    """A new token for one rendered form of this user in this household."""
    issued = str(int((now or now_utc()).timestamp()))
    nonce = new_token(16)
    return f"{issued}.{nonce}.{_signature(household.id, user.id, issued, nonce)}"


def check_form_token(
    token: str | None, household: Household, user: User, now: datetime | None = None
) -> str:
    """The token's random part; FormTokenError if it is malformed, forged, made for
    another household or user, or older than TOKEN_LIFETIME."""
    token = token or ""
    parts = token.split(".")
    # ASCII first: compare_digest refuses other text, and int() reads other digits ("²").
    well_formed = (
        token.isascii() and len(parts) == 3 and parts[0].isdigit() and len(parts[0]) <= 12
        and 16 <= len(parts[1]) <= 32
    )
    if not well_formed:
        raise FormTokenError()
    issued, nonce, signature = parts
    if not hmac.compare_digest(signature, _signature(household.id, user.id, issued, nonce)):
        raise FormTokenError()
    age = (now or now_utc()).timestamp() - int(issued)
    if not -300 <= age <= TOKEN_LIFETIME.total_seconds():  # a little clock skew between workers
        raise FormTokenError()
    return nonce


def consume_form_token(
    session: Session, household: Household, user: User, token: str | None,
    now: datetime | None = None,
) -> bool:
    """Mark the token used; False when it already was (nothing should be saved then).

    Call it before the write it guards, in the same transaction. A concurrent submission
    of the same token waits on the unique key until this transaction ends: it then finds
    the token taken (commit) or takes it itself (rollback)."""
    nonce = check_form_token(token, household, user, now)
    values = {
        "nonce": nonce, "household_id": household.id, "user_id": user.id,
        "used_at": now or now_utc(),
    }
    statement = insert_nonce_once(session, values)
    if session.get_bind().dialect.name in ("postgresql", "sqlite"):
        # rowcount is not reliable there (psycopg reports -1): count the returned row.
        return session.execute(statement.returning(UsedFormToken.id)).first() is not None
    return cast("CursorResult[Any]", session.execute(statement)).rowcount == 1


def purge_used_form_tokens(session: Session, now: datetime | None = None) -> int:
    """Delete used tokens older than KEEP_USED; how many (for the daily job)."""
    cutoff = (now or now_utc()) - KEEP_USED
    result = session.execute(delete(UsedFormToken).where(UsedFormToken.used_at < cutoff))
    return cast("CursorResult[Any]", result).rowcount or 0


def insert_nonce_once(session: Session, values: dict):
    """INSERT of a used-token row that leaves an existing row of the same nonce alone
    (each engine's own insert-or-ignore): the caller reads whether a row was added."""
    table = cast(Table, UsedFormToken.__table__)  # a declarative model's table is a Table
    dialect = session.get_bind().dialect.name
    # Each dialect's insert is imported here (its engine has loaded it already).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).values(values).on_conflict_do_nothing(index_elements=["nonce"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).values(values).on_conflict_do_nothing(index_elements=["nonce"])
    if dialect in ("mysql", "mariadb"):
        # IGNORE would also swallow other errors; the only other key is the foreign keys to
        # this request's own household and user, which exist.
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        return mysql_insert(table).values(values).prefix_with("IGNORE")
    raise NotImplementedError(f"form tokens need an insert-or-ignore for {dialect}")

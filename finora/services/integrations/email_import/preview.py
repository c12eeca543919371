"""Reading the newest matching message and the amount in it: shared by the "Test" button
(preview, which writes nothing) and the scheduler's run (runner)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from finora.dates import now_utc
from finora.services.integrations.email_import.amounts import AmountError, read_amount
from finora.services.integrations.email_import.errors import MailboxError, safe_detail
from finora.services.integrations.email_import.mailbox import (
    FoundMessage,
    MailboxSettings,
    find_newest,
)
from finora.services.integrations.email_import.message_text import (
    find_between,
    message_texts,
    opening_excerpt,
)

WINDOW = timedelta(hours=24)  # how far back a message counts


@dataclass(frozen=True)
class Reading:
    """What one conversation found: the message (None when none matched), the amount in
    it, the text around it, or an error code."""

    message: FoundMessage | None
    amount: Decimal | None = None
    excerpt: str | None = None
    error_code: str | None = None
    error_detail: str | None = None


def read_newest(
    settings: MailboxSettings, *, locale: str, now: datetime, timeout: int, ca_file: str | None,
    wants_content: Callable[[FoundMessage], bool] | None = None,
) -> Reading:
    """The newest message of the last 24 hours and the amount between its delimiters.
    A message `wants_content` declines is returned unread (no amount, no error)."""
    try:
        found = find_newest(settings, since=now - WINDOW, timeout=timeout, ca_file=ca_file,
                            wants_content=wants_content)
    except MailboxError as error:
        return Reading(None, error_code=error.code, error_detail=error.detail)
    if found is None:
        return Reading(None, error_code="no_message")
    if found.message is None:
        return Reading(found)
    texts = message_texts(found.message)
    between = find_between(texts, settings.start_delimiter, settings.end_delimiter)
    if between is None:
        # The start of the message instead: what a person reads to choose the delimiters.
        return Reading(found, excerpt=opening_excerpt(texts), error_code="no_delimiters")
    try:
        amount = read_amount(between.text, locale)
    except AmountError:
        return Reading(found, excerpt=between.excerpt, error_code="no_amount",
                       error_detail=safe_detail(between.text, settings.password, limit=100))
    return Reading(found, amount=amount, excerpt=between.excerpt)


@dataclass(frozen=True)
class Preview:
    """What the newest matching message would set (nothing is written)."""

    found: bool
    message_date: datetime | None  # in the household's time zone
    sender: str | None
    subject: str | None
    excerpt: str | None
    amount: Decimal | None
    error_code: str | None
    error_detail: str | None


def preview(
    settings: MailboxSettings, *, locale: str, time_zone: str, timeout: int, ca_file: str | None,
    now: datetime | None = None,
) -> Preview:
    """Connect, find the newest matching message (the job's search) and read it; a
    mailbox problem is an error code, never an exception. Writes nothing."""
    reading = read_newest(settings, locale=locale, now=now or now_utc(), timeout=timeout,
                          ca_file=ca_file)
    message = reading.message
    return Preview(
        found=message is not None,
        message_date=message.date.astimezone(ZoneInfo(time_zone)) if message else None,
        sender=message.sender if message else None,
        subject=message.subject if message else None,
        excerpt=reading.excerpt,
        amount=reading.amount,
        error_code=reading.error_code,
        error_detail=reading.error_detail,
    )

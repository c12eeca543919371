"""The scheduler's e-mail import: each enabled configuration reads its mailbox and sets its
account's balance from the newest matching message (a balance snapshot with source
"email" and the Message-ID as its external reference, so a message is used once)."""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from finora.crypto import SecretUnreadableError, decrypt_secret
from finora.dates import in_window, now_utc
from finora.models import BalanceSnapshot, Household, JobRun, Membership, User
from finora.models.integrations import EmailImportConfig
from finora.models.user import LOCALES
from finora.services.integrations.email_import.errors import ERROR_MESSAGES, safe_detail
from finora.services.integrations.email_import.mailbox import FoundMessage, MailboxSettings
from finora.services.integrations.email_import.preview import read_newest
from finora.services.ledger.snapshots import set_balance

__all__ = ["ERROR_MESSAGES", "RunResult", "email_import_job", "run_config", "settings_of"]

log = logging.getLogger("finora.email_import")

JOB = "email_import"
_RENEW_EVERY = timedelta(seconds=30)  # a quarter of the scheduler lease's lifetime
_REF_MAX = 255  # BalanceSnapshot.external_ref


def settings_of(config: EmailImportConfig) -> MailboxSettings:
    """The configuration with its password decrypted. SecretUnreadableError when the
    password cannot be read (APP_SECRET changed) or is empty (restored from a household
    backup, which never carries it)."""
    if not config.password_encrypted:
        raise SecretUnreadableError()
    return MailboxSettings(
        host=config.host, port=config.port, security=config.security,
        username=config.username, password=decrypt_secret(config.password_encrypted),
        folder=config.folder, subject=config.subject, allowed_sender=config.allowed_sender,
        start_delimiter=config.start_delimiter, end_delimiter=config.end_delimiter,
    )


@dataclass(frozen=True)
class RunResult:
    """One configuration's run. status: imported (a new snapshot), already_imported (the
    newest message was read before), no_message (nothing new in 24 hours) or error."""

    status: str
    amount: Decimal | None = None
    message_date: date | None = None
    snapshot_id: int | None = None
    error_code: str | None = None
    error_detail: str | None = None


def external_ref(message: FoundMessage) -> str:
    """The Message-ID, or a digest of the message when it has none or it is too long."""
    if message.message_id and len(message.message_id) <= _REF_MAX:
        return message.message_id
    source = message.raw or (message.message_id or "").encode()
    return "sha256:" + hashlib.sha256(source).hexdigest()


def household_locale(session: Session, household_id: int) -> str:
    """The language the household's amounts are read in: its first owner's."""
    locale = session.scalar(
        select(User.locale)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.household_id == household_id, Membership.role == "owner")
        .order_by(Membership.id)
        .limit(1)
    )
    return locale if locale in LOCALES else "pt"


def run_config(
    session: Session, config: EmailImportConfig, *, now: datetime, timeout: int, ca_file: str | None
) -> RunResult:
    """Read the configuration's mailbox once and set the balance from the newest matching
    message; the outcome is kept on the configuration (last_*). Flushes, never commits."""
    config.last_run_at = now
    household = session.get_one(Household, config.household_id)  # a non-null foreign key
    account = config.account
    if account.archived:
        return _failed(session, config, "account_archived")
    try:
        settings = settings_of(config)
    except SecretUnreadableError:
        return _failed(session, config, "secret_unreadable")

    def unseen(found: FoundMessage) -> bool:
        # A message already imported is not downloaded again (the job runs every minute).
        return found.message_id is None or not _imported(session, config, external_ref(found))

    reading = read_newest(settings, locale=household_locale(session, config.household_id),
                          now=now, timeout=timeout, ca_file=ca_file, wants_content=unseen)
    if reading.error_code == "no_message":
        # Not a failure: the bank has not written in the last 24 hours.
        config.last_error_code = config.last_error_detail = None
        session.flush()
        return RunResult("no_message")
    if reading.error_code is not None:
        return _failed(session, config, reading.error_code, reading.error_detail)
    found = cast(FoundMessage, reading.message)  # only a reading with an error has none
    zone = ZoneInfo(household.timezone)
    day = found.date.astimezone(zone).date()
    if not in_window(day):  # a Date header no calendar holds: when the server received it
        day = found.received.astimezone(zone).date()
    ref = external_ref(found)
    if reading.amount is None or _imported(session, config, ref):  # read before
        return _succeeded(session, config, "already_imported", now)
    if day < account.opening_date:
        return _failed(session, config, "before_opening", day.isoformat())
    snapshot = set_balance(session, account, day, reading.amount, source="email", external_ref=ref)
    config.last_amount, config.last_message_date = reading.amount, day
    return _succeeded(session, config, "imported", now, snapshot_id=snapshot.id)


def _imported(session: Session, config: EmailImportConfig, ref: str) -> bool:
    return session.scalar(
        select(BalanceSnapshot.id).where(
            BalanceSnapshot.account_id == config.account_id, BalanceSnapshot.external_ref == ref
        )
    ) is not None


def _succeeded(session: Session, config: EmailImportConfig, status: str, now: datetime,
               snapshot_id: int | None = None) -> RunResult:
    config.last_success_at = now
    config.last_error_code = config.last_error_detail = None
    session.flush()
    return RunResult(status, amount=config.last_amount, message_date=config.last_message_date,
                     snapshot_id=snapshot_id)


def _failed(session: Session, config: EmailImportConfig, code: str, detail: str | None = None) -> RunResult:
    config.last_error_code, config.last_error_detail = code, detail
    session.flush()
    return RunResult("error", error_code=code, error_detail=detail)


def email_import_job(
    session: Session, holder: str, *, renew_lease: Callable[[Session, str], bool] | None = None
) -> int:
    """The job: every enabled configuration, each in its own transaction; one that fails
    (its mailbox, or anything unexpected) is recorded on it and the others carry on.
    Returns the snapshots written. `renew_lease` (the scheduler's) is called between
    configurations so a long run keeps the lease."""
    config = current_app.config
    timeout = int(config["EMAIL_IMPORT_TIMEOUT_SECONDS"])
    ca_file = config.get("EMAIL_IMPORT_CA_FILE") or None
    ids = list(session.scalars(
        select(EmailImportConfig.id).where(EmailImportConfig.enabled.is_(True))
        .order_by(EmailImportConfig.id)
    ))
    session.rollback()  # no transaction held open while mailboxes are read
    imported, renewed = 0, None
    for config_id in ids:
        started = now_utc()
        if renew_lease is not None and (renewed is None or started - renewed >= _RENEW_EVERY):
            if not renew_lease(session, holder):
                raise RuntimeError(f"lease taken by another process after {imported} import(s)")
            renewed = started
        try:
            item = session.get(EmailImportConfig, config_id)
            if item is None or not item.enabled:  # deleted or turned off meanwhile
                session.rollback()
                continue
            result = run_config(session, item, now=started, timeout=timeout, ca_file=ca_file)
            session.commit()
            imported += result.status == "imported"
        except Exception as error:  # noqa: BLE001 - recorded; the others carry on
            session.rollback()
            log.error("e-mail import %s failed: %s", config_id, traceback.format_exc())
            _record_crash(session, holder, config_id, started, error)
    return imported


def _record_crash(session: Session, holder: str, config_id: int, started: datetime,
                  error: Exception) -> None:
    try:
        item = session.get(EmailImportConfig, config_id)
        if item is None:
            return
        item.last_run_at = started
        item.last_error_code = "internal"
        item.last_error_detail = safe_detail(error.__class__.__name__)
        session.add(JobRun(job=JOB, holder=holder, household_id=item.household_id,
                           started_at=started, finished_at=now_utc(), status="error",
                           error=f"{error.__class__.__name__}: {error}"[:2000]))
        session.commit()
    except DBAPIError:  # the configuration went with its household meanwhile
        session.rollback()
        log.warning("could not record the failure of e-mail import %s", config_id)

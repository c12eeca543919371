"""A household's mailbox configurations: create, edit, turn on or off, delete, list, and
the settings a test reads with (the typed values, the stored password when left blank).

Each rule names the form field it belongs to (FieldError), so a page shows it there. The
password is a Fernet token at rest (finora.crypto), never shown again; a blank one on an
edit keeps the stored one, unless that one can no longer be read (restored from a backup,
which never carries it, or APP_SECRET changed)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from typing import cast

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.crypto import SecretUnreadableError, decrypt_secret, encrypt_secret
from finora.errors import FieldError, FinoraError
from finora.models import Account, Household
from finora.models.integrations import IMAP_SECURITY, EmailImportConfig
from finora.services.integrations.email_import.mailbox import MailboxSettings
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

NAME_MAX = 80
TEXT_MAX = 255
SENDER_MAX = 254
DELIMITER_MAX = 100
PASSWORD_MAX = 1024
# One DNS label: letters (any script), digits and inner hyphens.
_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]*[^\W_])?$")


class DuplicateConfigError(FinoraError):
    message = _l("Another e-mail import already has this name.")
    status = 409
    field = "name"


class PasswordNeededError(FinoraError):
    message = _l(
        "The stored password can no longer be read (backups never carry it, and it is lost "
        "when the app's secret changes): enter it again."
    )
    field = "password"


class AccountArchivedError(FinoraError):
    message = _l("Its account is archived: choose an active account before turning it on.")


@dataclass(frozen=True)
class ConfigData:
    """What a person types. `password` blank on an edit keeps the stored one."""

    name: str
    account_id: int | None
    host: str
    port: int | None
    security: str
    username: str
    password: str
    folder: str
    subject: str
    allowed_sender: str
    start_delimiter: str
    end_delimiter: str
    enabled: bool = True


def _text(value: str | None, field: str, missing, limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise FieldError(field, missing)
    if len(text) > limit:
        raise FieldError(field, _l("Use at most %(count)d characters.", count=limit))
    return text


def _host(value: str | None) -> str:
    host = _text(value, "host", _l("Enter the IMAP server, such as imap.gmail.com."))
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host.strip("[]")
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(_LABEL.match(label) and len(label) <= 63 for label in labels):
        raise FieldError("host", _l("Enter the server's name only, such as imap.gmail.com (no “imap://”, port or spaces)."))
    return host.rstrip(".").lower()


def _sender(value: str | None) -> str:
    text = _text(
        value, "allowed_sender",
        _l("Enter the bank's sending address: only its messages may set the balance."),
        SENDER_MAX,
    )
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise FieldError("allowed_sender", _l("Enter one valid e-mail address, such as alerts@bank.com.")) from error


def _delimiter(value: str | None, field: str) -> str:
    # Kept as typed (the engine ignores case and runs of spaces when it looks for it).
    text = value or ""
    if not text.strip():
        raise FieldError(field, _l("Enter the text that comes right before the amount.")
                         if field == "start_delimiter" else
                         _l("Enter the text that comes right after the amount."))
    if len(text) > DELIMITER_MAX:
        raise FieldError(field, _l("Use at most %(count)d characters.", count=DELIMITER_MAX))
    if any(ord(char) < 32 for char in text):
        raise FieldError(field, _l("Write this on one line, without line breaks."))
    return text


def _mailbox(data: ConfigData) -> ConfigData:
    """The mailbox part checked and tidied (everything but the name, account and password)."""
    if data.port is None or not 1 <= data.port <= 65535:
        raise FieldError("port", _l("Enter a port from 1 to 65535 (usually 993, or 143 with STARTTLS)."))
    if data.security not in IMAP_SECURITY:
        raise FieldError("security", _l("Choose SSL/TLS or STARTTLS."))
    return replace(
        data,
        host=_host(data.host),
        username=_text(data.username, "username", _l("Enter the mailbox's user name.")),
        folder=_text(data.folder, "folder", _l("Enter the folder to read, such as INBOX.")),
        subject=_text(data.subject, "subject", _l("Enter the subject of the bank's messages.")),
        allowed_sender=_sender(data.allowed_sender),
        start_delimiter=_delimiter(data.start_delimiter, "start_delimiter"),
        end_delimiter=_delimiter(data.end_delimiter, "end_delimiter"),
    )


def _checked(session: Session, household: Household, data: ConfigData, config: EmailImportConfig | None) -> ConfigData:
    name = _text(data.name, "name", _l("Name this e-mail import."), NAME_MAX)
    # Compared in Python, as account names are: the same rule on every engine.
    names = session.execute(
        select(EmailImportConfig.id, EmailImportConfig.name).where(EmailImportConfig.household_id == household.id)
    )
    if any(other.strip().casefold() == name.casefold() and id_ != (config and config.id) for id_, other in names):
        raise DuplicateConfigError()
    account = session.get(Account, data.account_id) if data.account_id else None
    if account is None or account.household_id != household.id or account.archived:
        raise FieldError("account_id", _l("Choose one of the household’s active accounts."))
    if len(data.password or "") > PASSWORD_MAX:
        raise FieldError("password", _l("Use at most %(count)d characters.", count=PASSWORD_MAX))
    if config is None and not data.password:
        raise FieldError("password", _l("Enter the mailbox's password."))
    if config is not None and not data.password:
        stored_password(config)  # blank keeps it: it must still be readable
    return replace(_mailbox(data), name=name)


def stored_password(config: EmailImportConfig) -> str:
    """The saved password; PasswordNeededError when there is none that can be read."""
    if not config.password_encrypted:
        raise PasswordNeededError()
    try:
        return decrypt_secret(config.password_encrypted)
    except SecretUnreadableError as error:
        raise PasswordNeededError() from error


def _apply(config: EmailImportConfig, data: ConfigData) -> None:
    for field in ("name", "account_id", "host", "port", "security", "username", "folder", "subject",
                  "allowed_sender", "start_delimiter", "end_delimiter", "enabled"):
        setattr(config, field, getattr(data, field))
    if data.password:
        config.password_encrypted = encrypt_secret(data.password)


def _flush(session: Session) -> None:
    """A clash on the unique name (an accent-blind collation, a concurrent save) reads as
    the duplicate-name error, not a crash."""
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateConfigError() from error


def _record(session: Session, action: str, config: EmailImportConfig, **details) -> None:
    # Never the password, nor anything read from the mailbox.
    audit.record(
        session, action, household_id=config.household_id, object_type="email_import",
        object_id=config.id, details={"name": config.name, **details},
    )


def list_configs(session: Session, household: Household) -> list[EmailImportConfig]:
    return list(session.scalars(
        select(EmailImportConfig).where(EmailImportConfig.household_id == household.id)
        .order_by(EmailImportConfig.name, EmailImportConfig.id)
    ))


def create_config(session: Session, household: Household, data: ConfigData) -> EmailImportConfig:
    data = _checked(session, household, data, None)
    config = EmailImportConfig(household_id=household.id)
    _apply(config, data)
    session.add(config)
    _flush(session)
    _record(session, "email_import.created", config, account_id=config.account_id)
    return config


def update_config(session: Session, config: EmailImportConfig, data: ConfigData) -> None:
    household = session.get_one(Household, config.household_id)
    data = _checked(session, household, data, config)
    _apply(config, data)
    _flush(session)
    _record(session, "email_import.updated", config, account_id=config.account_id,
            **({"password_changed": True} if data.password else {}))


def set_config_enabled(session: Session, config: EmailImportConfig, enabled: bool) -> None:
    """On or off; turning on an import whose account was archived since is refused."""
    if enabled and config.account.archived:
        raise AccountArchivedError()
    if config.enabled == enabled:
        return
    config.enabled = enabled
    session.flush()
    _record(session, "email_import.turned_on" if enabled else "email_import.turned_off", config)


def delete_config(session: Session, config: EmailImportConfig) -> None:
    """The configuration goes; the balances it set stay on the account."""
    _record(session, "email_import.deleted", config)
    session.delete(config)
    session.flush()


def trial_settings(session: Session, household: Household, data: ConfigData,
                  config: EmailImportConfig | None = None) -> MailboxSettings:
    """The settings a test connects with: the typed values (checked like a save, but the
    name and account play no part), the stored password when the field is left blank.
    Writes nothing."""
    data = _mailbox(data)
    if len(data.password or "") > PASSWORD_MAX:
        raise FieldError("password", _l("Use at most %(count)d characters.", count=PASSWORD_MAX))
    password = data.password
    if not password:
        if config is None:
            raise FieldError("password", _l("Enter the mailbox's password."))
        password = stored_password(config)
    return MailboxSettings(
        host=data.host, port=cast(int, data.port), security=data.security, username=data.username,
        password=password, folder=data.folder, subject=data.subject,
        allowed_sender=data.allowed_sender, start_delimiter=data.start_delimiter,
        end_delimiter=data.end_delimiter,
    )

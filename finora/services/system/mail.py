"""Outgoing e-mail over SMTP; with no server configured, the mail is written to the log."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, replace
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, cast

from flask import current_app
from sqlalchemy.orm import Session

from finora.crypto import decrypt_secret, encrypt_secret
from finora.errors import FinoraError
from finora.logs import indented_block, one_line
from finora.services.system.settings import get_setting, set_setting
from finora.translation import lazy_gettext as _l

logger = logging.getLogger("finora.mail")
# Every control character (tab included) and the Unicode line and paragraph separators.
_HEADER_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

SMTP_TIMEOUT_SECONDS = 10  # MAIL_TIMEOUT_SECONDS' default
SECURITIES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
# Keys in the `settings` table; smtp_password holds a Fernet token (finora.crypto).
SMTP_KEYS = (
    "smtp_host", "smtp_port", "smtp_username", "smtp_password", "smtp_sender", "smtp_security"
)


class MailDeliveryError(FinoraError):
    message = _l("The e-mail could not be sent. Check the SMTP settings and try again.")
    status = 502


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none | starttls | ssl
    username: str = ""
    password: str = ""
    sender: str = ""
    sender_name: str = ""  # MAIL_FROM_NAME: the From header's display name
    timeout: int = SMTP_TIMEOUT_SECONDS

    @property
    def from_address(self) -> str:
        """The From header: the sender as given when it names itself ("Ana <a@b.c>"),
        else the address with MAIL_FROM_NAME before it (quoted when it must be)."""
        address = self.sender or self.username or "finora@localhost"
        own_name, bare = parseaddr(address)
        name = header_value(self.sender_name)
        if own_name or not name or "@" not in bare:
            return address
        try:
            return str(Address(display_name=name, addr_spec=bare))
        except (ValueError, IndexError, HeaderParseError):  # an address the parser refuses
            return address


@dataclass(frozen=True)
class MailResult:
    """delivered: handed to the SMTP server; logged: no server, written to the log."""

    delivered: bool
    logged: bool


def stored_smtp_settings(session: Session) -> SmtpSettings | None:
    """The admin's settings from the database (password decrypted), None if no host."""
    host = (get_setting(session, "smtp_host") or "").strip()
    if not host:
        return None
    security = get_setting(session, "smtp_security") or "starttls"
    port = int(get_setting(session, "smtp_port") or 0) or DEFAULT_PORTS[security]
    token = get_setting(session, "smtp_password") or ""
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        username=get_setting(session, "smtp_username") or "",
        password=decrypt_secret(token) if token else "",
        sender=get_setting(session, "smtp_sender") or "",
    )


def store_smtp_settings(
    session: Session,
    *,
    host: str,
    port: int | None,
    security: str,
    username: str = "",
    password: str | None = None,
    sender: str = "",
) -> None:
    """Save the admin's SMTP settings; password None keeps the stored one, "" clears it.
    An empty host turns the stored settings off (the configuration applies again)."""
    if security not in SECURITIES:
        raise ValueError(f"unknown SMTP security {security!r}")
    set_setting(session, "smtp_host", host.strip())
    set_setting(session, "smtp_port", str(port or ""))
    set_setting(session, "smtp_security", security)
    set_setting(session, "smtp_username", username.strip())
    set_setting(session, "smtp_sender", sender.strip())
    if password is not None:
        set_setting(session, "smtp_password", encrypt_secret(password) if password else "")


def smtp_settings(session: Session) -> SmtpSettings | None:
    """The settings in force: the admin's, else MAIL_* from the configuration, else None.
    MAIL_FROM_NAME and MAIL_TIMEOUT_SECONDS apply to either."""
    config = current_app.config
    extras: dict[str, Any] = {
        "sender_name": (config.get("MAIL_FROM_NAME") or "").strip(),
        "timeout": int(config.get("MAIL_TIMEOUT_SECONDS") or SMTP_TIMEOUT_SECONDS),
    }
    stored = stored_smtp_settings(session)
    if stored is not None:
        return replace(stored, **extras)
    host = (config.get("MAIL_SERVER") or "").strip()
    if not host:
        return None
    security = config.get("MAIL_SECURITY") or "starttls"
    return SmtpSettings(
        host=host,
        port=int(config.get("MAIL_PORT") or 0) or DEFAULT_PORTS[security],
        security=security,
        username=config.get("MAIL_USERNAME") or "",
        password=config.get("MAIL_PASSWORD") or "",
        sender=config.get("MAIL_SENDER") or "",
        **extras,
    )


def mail_configured(session: Session) -> bool:
    """Whether e-mails are really sent (else they go to the server log)."""
    if (get_setting(session, "smtp_host") or "").strip():
        return True
    return bool((current_app.config.get("MAIL_SERVER") or "").strip())


def header_value(value: str) -> str:
    """A header value on one line: any line break or other control character becomes a
    space, so a name or subject typed by a user can never add a header of its own (and
    the email package, which refuses such values, never turns a mail into an error)."""
    return " ".join(_HEADER_BREAKS.sub(" ", value).split())


def build_message(
    settings: SmtpSettings, to: str, subject: str, text: str, html: str | None = None
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = header_value(settings.from_address)
    message["To"] = header_value(to)
    message["Subject"] = header_value(subject)
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(message["From"])[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def send_mail(
    to: str, subject: str, text: str, html: str | None = None, *, session: Session | None = None
) -> MailResult:
    """Send one e-mail, or write it to the log (logger "finora.mail") when no SMTP server is
    configured. Raises MailDeliveryError if the server refuses or cannot be reached."""
    if session is None:
        from finora.extensions import db

        session = cast(Session, db.session)  # the scoped session stands in for its Session
    settings = smtp_settings(session)
    if settings is None:
        # Values are escaped and the body indented: a name or subject with line breaks
        # cannot forge a record of its own in the log (see finora.logs).
        logger.info(
            "No SMTP server configured; e-mail not sent.\n    To: %s\n    Subject: %s\n%s",
            one_line(to), one_line(subject), indented_block(text),
        )
        return MailResult(delivered=False, logged=True)
    message = build_message(settings, to, subject, text, html)
    try:
        _deliver(settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning(
            "Sending e-mail to %s via %s:%s failed: %s",
            one_line(to), one_line(settings.host), settings.port, one_line(exc),
        )
        raise MailDeliveryError() from exc
    logger.info("E-mail sent to %s: %s", one_line(to), one_line(subject))
    return MailResult(delivered=True, logged=False)


def _deliver(settings: SmtpSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if settings.security == "starttls":
            # Raises SMTPNotSupportedError rather than sending credentials in the clear.
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            client.login(settings.username, settings.password)
        client.send_message(message)

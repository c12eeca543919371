"""One IMAP conversation: connect over SSL/TLS or STARTTLS with the certificate verified,
sign in, open the folder read-only, search on the server (since, from, subject) and read
the newest matching message. Every failure is a MailboxError with a code."""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from typing import Any

from finora.services.integrations.email_import.errors import MailboxError, safe_detail

MAX_CANDIDATES = 50  # the newest matches whose headers are read
MAX_MESSAGE_BYTES = 2 * 1024 * 1024  # a bank's e-mail is far smaller; the rest is not read
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"'
)
_UID = re.compile(rb"UID (\d+)")


@dataclass
class MailboxSettings:
    """Where and what to read (the password in clear: decrypted only for the conversation)."""

    host: str
    port: int
    security: str  # "ssl" or "starttls"
    username: str
    password: str
    folder: str
    subject: str
    allowed_sender: str
    start_delimiter: str
    end_delimiter: str


@dataclass
class FoundMessage:
    """The newest matching message: its headers, and its content once fetched."""

    uid: bytes
    received: datetime  # the server's INTERNALDATE (UTC)
    date: datetime  # the Date header (aware), else `received`
    sender: str
    subject: str
    message_id: str | None
    message: EmailMessage | None = None
    raw: bytes | None = None


def find_newest(
    settings: MailboxSettings, *, since: datetime, timeout: int, ca_file: str | None,
    wants_content: Callable[[FoundMessage], bool] | None = None,
) -> FoundMessage | None:
    """The newest message received since `since` from exactly the allowed sender with the
    subject, its content fetched unless `wants_content` says no; None when there is none."""
    with _conversation(settings, timeout, ca_file) as conn:
        _select(conn, settings)
        uids = _search(conn, settings, since)
        if not uids:
            return None
        found = [
            header for header in _headers(conn, settings, uids[-MAX_CANDIDATES:])
            if header.received >= since and same_address(header.sender, settings.allowed_sender)
        ]
        if not found:
            return None
        newest = max(found, key=lambda header: (header.received, int(header.uid)))
        if wants_content is None or wants_content(newest):
            newest.raw = _content(conn, settings, newest.uid)
            newest.message = BytesParser(policy=policy.default).parsebytes(newest.raw)
        return newest


def same_address(sender: str, allowed: str) -> bool:
    """The whole address, case aside: IMAP's FROM matches any substring, so a server-side
    match alone would let "bank.example.evil.test" through."""
    return bool(sender) and sender.strip().casefold() == (allowed or "").strip().casefold()


@contextmanager
def _conversation(settings: MailboxSettings, timeout: int, ca_file: str | None) -> Iterator[imaplib.IMAP4]:
    conn: imaplib.IMAP4 | None = None
    finished = False
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
        if settings.security == "ssl":
            conn = imaplib.IMAP4_SSL(settings.host, settings.port, ssl_context=context, timeout=timeout)
        else:
            conn = imaplib.IMAP4(settings.host, settings.port, timeout=timeout)
            if "STARTTLS" not in conn.capabilities:
                raise MailboxError("tls_failed", "the server does not offer STARTTLS")
            conn.starttls(ssl_context=context)
        _sign_in(conn, settings)
        yield conn
        finished = True
    except MailboxError:
        raise
    except TimeoutError as error:
        raise MailboxError("timeout", safe_detail(error, settings.password)) from error
    except ssl.SSLCertVerificationError as error:
        raise MailboxError("tls_failed", safe_detail(error.verify_message, settings.password)) from error
    except ssl.SSLError as error:
        raise MailboxError("tls_failed", safe_detail(error.reason or error, settings.password)) from error
    except imaplib.IMAP4.abort as error:
        raise MailboxError("connect_failed", safe_detail(error, settings.password)) from error
    except imaplib.IMAP4.error as error:
        raise MailboxError("server_error", safe_detail(error, settings.password)) from error
    except (OSError, UnicodeError) as error:  # refused, no route, unknown host, bad host name
        raise MailboxError("connect_failed", safe_detail(error, settings.password)) from error
    finally:
        if conn is not None:
            # A polite LOGOUT after a conversation that went well; otherwise the socket is
            # just closed (a server that stopped answering would make LOGOUT wait again).
            try:
                conn.logout() if finished else conn.shutdown()
            except (OSError, imaplib.IMAP4.error):
                pass


def _sign_in(conn: imaplib.IMAP4, settings: MailboxSettings) -> None:
    try:
        if settings.username.isascii() and settings.password.isascii():
            conn.login(settings.username, settings.password)
        else:  # LOGIN's quoted strings are ASCII; SASL PLAIN carries UTF-8
            credentials = f"\0{settings.username}\0{settings.password}".encode()
            conn.authenticate("PLAIN", lambda _challenge: credentials)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as error:
        raise MailboxError("auth_failed", safe_detail(error, settings.password)) from error


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(folder: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            encoded = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(encoded).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _select(conn: imaplib.IMAP4, settings: MailboxSettings) -> None:
    folder = (settings.folder or "INBOX").strip() or "INBOX"
    status, detail = conn.select(_quoted(_utf7(folder)), readonly=True)
    if status != "OK":
        raise MailboxError("folder_missing", safe_detail(detail, settings.password))


def _search(conn: imaplib.IMAP4, settings: MailboxSettings, since: datetime) -> list[bytes]:
    """UIDs (oldest first) the server finds. SINCE compares dates in the server's zone,
    so it asks from the day before; the exact 24 hours are checked on INTERNALDATE."""
    day = (since - timedelta(days=1)).date()
    criteria = ["SINCE", f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"]
    sender = (settings.allowed_sender or "").strip()
    if sender.isascii() and sender:  # a non-ASCII address is only checked on the headers
        criteria += ["FROM", _quoted(sender)]
    subject = " ".join((settings.subject or "").split())
    charset: list[str] = []
    if subject.isascii() and subject:
        criteria += ["SUBJECT", _quoted(subject)]
    elif subject:  # sent as a UTF-8 literal, the last argument
        charset = ["CHARSET", "UTF-8"]
        criteria += ["SUBJECT"]
        conn.literal = subject.encode("utf-8")  # type: ignore[assignment]  # imaplib sends bytes
    status, data = conn.uid("SEARCH", *charset, *criteria)
    if status != "OK":
        raise MailboxError("server_error", safe_detail(data, settings.password))
    return sorted((uid for line in data if line for uid in line.split()), key=int)


def _headers(conn: imaplib.IMAP4, settings: MailboxSettings, uids: list[bytes]) -> list[FoundMessage]:
    status, data = conn.uid(
        "FETCH", b",".join(uids).decode(),
        "(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM DATE SUBJECT MESSAGE-ID)])",
    )
    if status != "OK":
        raise MailboxError("server_error", safe_detail(data, settings.password))
    found = []
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, header_bytes = item
        uid, received = _UID.search(meta), _received(meta)
        if uid is None or received is None:
            continue
        found.append(_from_headers(uid.group(1), received, header_bytes))
    return found


def _received(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == b"-" else 1)
        return datetime(int(year), _MONTHS.index(month.decode().title()) + 1, int(day), int(hour),
                        int(minute), int(second), tzinfo=timezone(offset)).astimezone(UTC)
    except ValueError:
        return None


def _from_headers(uid: bytes, received: datetime, header_bytes: bytes) -> FoundMessage:
    headers = BytesHeaderParser(policy=policy.default).parsebytes(header_bytes)
    sender = subject = ""
    date = received
    try:
        addresses: tuple[Any, ...] = headers["From"].addresses if headers["From"] is not None else ()
        sender = addresses[0].addr_spec if len(addresses) == 1 else ""
    except (AttributeError, IndexError, ValueError, TypeError):
        sender = ""
    try:
        subject = str(headers["Subject"] or "")
    except (ValueError, TypeError):
        subject = ""
    try:
        stated = headers["Date"].datetime if headers["Date"] is not None else None
        if stated is not None:
            date = stated if stated.tzinfo is not None else stated.replace(tzinfo=UTC)
    except (AttributeError, ValueError, TypeError):
        pass
    message_id = str(headers.get("Message-ID") or "").strip() or None
    return FoundMessage(uid, received, date, sender, subject, message_id)


def _content(conn: imaplib.IMAP4, settings: MailboxSettings, uid: bytes) -> bytes:
    status, data = conn.uid("FETCH", uid.decode(), f"(BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>)")
    if status != "OK":
        raise MailboxError("server_error", safe_detail(data, settings.password))
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise MailboxError("no_message", "the message was removed while it was read")

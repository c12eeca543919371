"""Logging: console plus a rotating file, every line tagged with the request id."""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Mapping
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask, g, has_request_context, request

from config import private_dir

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Control characters (C0 but tab, DEL, C1) and Unicode line breaks: a terminal or a log
# viewer may act on them, and CR, NEL or U+2028 can make text look like a new line.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# A line that does not start with a blank, other than a record's first line.
_UNINDENTED_LINE = re.compile(r"\n(?=[^ \t\n])")
CONTINUATION_INDENT = "    "


def _escape(match: re.Match) -> str:
    char = match.group()
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(value: object) -> str:
    """`value` as text on one line: line breaks and other control characters are written
    as escapes (\\n, \\r, \\x1b), so a value typed by a user cannot start a log line."""
    return _CONTROL.sub(_escape, str(value))


def indented_block(text: str) -> str:
    """Several lines (a mail body) for a log record: control characters escaped but line
    breaks kept, every line indented so none can pass for a record of its own."""
    body = _CONTROL_BUT_NEWLINE.sub(_escape, text.replace("\r\n", "\n"))
    return "\n".join(CONTINUATION_INDENT + line for line in body.split("\n"))


class SafeFormatter(logging.Formatter):
    """Each record starts at the beginning of a line and nothing inside it can: control
    characters are escaped, and a continuation line (a traceback, a multi-line message)
    always starts with a blank, while a record starts with its timestamp."""

    def format(self, record: logging.LogRecord) -> str:
        text = _CONTROL_BUT_NEWLINE.sub(_escape, super().format(record))
        return _UNINDENTED_LINE.sub("\n" + CONTINUATION_INDENT, text)


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files are created readable by their owner only (0600), whatever
    the process umask: logs name users and, without SMTP, hold sign-in links."""

    def _open(self):
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=_private_opener,
        )


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (
            getattr(g, "request_id", "-") if has_request_context() else "-"
        )
        return True


def log_file_path(config: Mapping) -> Path:
    """The current log file: LOG_DIR/LOG_FILE (rotated copies add .1, .2...); LOG_DIR is
    <DATA_DIR>/logs unless set (LOG_DIRECTORY and LOG_FILE_NAME are the seed's names)."""
    folder = config.get("LOG_DIR") or Path(config["DATA_DIR"]) / "logs"
    return Path(folder) / (config.get("LOG_FILE") or "finora.log")


def configure_logging(app: Flask) -> None:
    logger = logging.getLogger("finora")
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = SafeFormatter(FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if app.config["LOG_TO_FILE"]:
        path = log_file_path(app.config)
        if path.parent.parent == Path(app.config["DATA_DIR"]).resolve():
            private_dir(path.parent.parent)  # the default, <DATA_DIR>/logs: both owner-only
        private_dir(path.parent)
        handlers.append(
            PrivateRotatingFileHandler(
                path,
                maxBytes=app.config["LOG_FILE_MAX_BYTES"],
                backupCount=app.config["LOG_FILE_BACKUP_COUNT"],
                encoding="utf-8",
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    app.logger.handlers = logger.handlers
    app.logger.setLevel(app.config["LOG_LEVEL"])
    logging.getLogger("sqlalchemy.engine").setLevel(
        app.config.get("SQLALCHEMY_LOG_LEVEL")
        or ("INFO" if app.config.get("LOG_SQL") else "WARNING")
    )
    # The MT940 library logs the statement lines it cannot read: account data that has no
    # place in a log. Finora reports the problem to the user instead (services/imports).
    logging.getLogger("mt940").setLevel(logging.CRITICAL)
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)


def _assign_request_id() -> None:
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if _REQUEST_ID.match(sent) else secrets.token_hex(8)


def _echo_request_id(response):
    response.headers["X-Request-ID"] = getattr(g, "request_id", "-")
    return response

"""Logging: console plus a rotating file, every line tagged with the request id."""

from __future__ import annotations

import logging
import re
import secrets
from logging.handlers import RotatingFileHandler

from flask import Flask, g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = (
            getattr(g, "request_id", "-") if has_request_context() else "-"
        )
        return True


def configure_logging(app: Flask) -> None:
    logger = logging.getLogger("finora")
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if app.config["LOG_TO_FILE"]:
        log_dir = app.config["DATA_DIR"] / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            RotatingFileHandler(
                log_dir / "finora.log",
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
        logging.INFO if app.config["LOG_SQL"] else logging.WARNING
    )
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)


def _assign_request_id() -> None:
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if _REQUEST_ID.match(sent) else secrets.token_hex(8)


def _echo_request_id(response):
    response.headers["X-Request-ID"] = getattr(g, "request_id", "-")
    return response

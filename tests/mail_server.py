"""A real SMTP server for tests (aiosmtpd on 127.0.0.1): the `smtp_server` fixture."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class CapturedMail:
    """What the server received: parsed messages, envelopes and sign-ins."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    # (username, password) the server accepts; None accepts any AUTH.
    credentials: tuple[str, str] | None = None

    def last(self) -> EmailMessage:
        assert self.messages, "no e-mail was received"
        return self.messages[-1]


class _Handler:
    def __init__(self, captured: CapturedMail) -> None:
        self.captured = captured

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.captured.messages.append(parsed)
        self.captured.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _authenticator(captured: CapturedMail):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        pair = (auth_data.login.decode(), auth_data.password.decode())
        captured.logins.append(pair)
        # handled=False: let aiosmtpd answer 235 or 535 itself.
        return AuthResult(success=captured.credentials in (None, pair), handled=False)

    return check


@pytest.fixture
def smtp_server(app):
    """Start an SMTP server (no TLS, AUTH allowed) and point the app's MAIL_* at it."""
    captured = CapturedMail(host="127.0.0.1", port=_free_port())
    controller = Controller(
        _Handler(captured),
        hostname=captured.host,
        port=captured.port,
        authenticator=_authenticator(captured),
        auth_require_tls=False,
    )
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_SECURITY")}
    app.config.update(MAIL_SERVER=captured.host, MAIL_PORT=captured.port, MAIL_SECURITY="none")
    try:
        yield captured
    finally:
        app.config.update(saved)
        controller.stop()

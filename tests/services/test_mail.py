"""Outgoing e-mail against a real SMTP server, and the log fallback without one."""

from __future__ import annotations

import logging

import pytest

from config import ConfigError, load_config
from finora.crypto import decrypt_secret
from finora.extensions import db
from finora.services.system.mail import (
    MailDeliveryError,
    mail_configured,
    send_mail,
    smtp_settings,
    store_smtp_settings,
)
from finora.services.system.settings import get_setting


@pytest.fixture
def mail_log(caplog):
    """Records of the "finora.mail" logger (the "finora" logger does not propagate)."""
    logger = logging.getLogger("finora.mail")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="finora.mail")
    yield caplog
    logger.removeHandler(caplog.handler)


def test_without_a_server_the_mail_is_written_to_the_log(app, mail_log):
    assert not mail_configured(db.session)
    result = send_mail(
        "ana@example.com", "Reset your password", "Open https://finora.test/reset/abc123"
    )
    assert result.logged and not result.delivered
    record = next(r for r in mail_log.records if r.name == "finora.mail")
    assert record.levelno == logging.INFO
    text = record.getMessage()
    assert "ana@example.com" in text
    assert "Reset your password" in text
    assert "https://finora.test/reset/abc123" in text


def test_sends_a_plain_text_mail(app, smtp_server, mail_log):
    app.config["MAIL_SENDER"] = "Finora <finora@example.org>"
    assert mail_configured(db.session)
    result = send_mail("bia@example.com", "Você foi convidada", "Olá, Bia! Link: https://x/1")
    assert result.delivered and not result.logged
    message = smtp_server.last()
    assert message["To"] == "bia@example.com"
    assert message["From"] == "Finora <finora@example.org>"
    assert message["Subject"] == "Você foi convidada"
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content().strip() == "Olá, Bia! Link: https://x/1"
    assert smtp_server.envelopes == [("finora@example.org", ["bia@example.com"])]
    # No credentials configured: no AUTH, and the body is not written to the log.
    assert smtp_server.logins == []
    assert "https://x/1" not in mail_log.text


def test_html_goes_as_an_alternative_to_the_text(app, smtp_server):
    send_mail("c@example.com", "Hi", "plain words", html="<p>rich <b>words</b></p>")
    message = smtp_server.last()
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == "plain words"
    assert "<b>words</b>" in message.get_body(("html",)).get_content()


def test_the_admins_settings_win_and_the_password_is_stored_encrypted(app, smtp_server):
    app.config["MAIL_PORT"] = 1  # the configuration would fail: the stored settings are used
    smtp_server.credentials = ("mailer", "s3cret pass")
    store_smtp_settings(
        db.session,
        host="127.0.0.1",
        port=smtp_server.port,
        security="none",
        username="mailer",
        password="s3cret pass",
        sender="admin@example.net",
    )
    db.session.commit()
    stored = get_setting(db.session, "smtp_password")
    assert "s3cret" not in stored and decrypt_secret(stored) == "s3cret pass"

    send_mail("d@example.com", "Subject", "Body")
    assert smtp_server.logins == [("mailer", "s3cret pass")]
    assert smtp_server.last()["From"] == "admin@example.net"


def test_saving_without_a_password_keeps_the_stored_one(app):
    store_smtp_settings(db.session, host="mx.example", port=None, security="ssl", password="p1")
    store_smtp_settings(db.session, host="mx.example", port=2525, security="starttls", username="u")
    settings = smtp_settings(db.session)
    assert (settings.port, settings.security, settings.password) == (2525, "starttls", "p1")
    store_smtp_settings(db.session, host="mx.example", port=None, security="ssl", password="")
    settings = smtp_settings(db.session)
    assert (settings.port, settings.password) == (465, "")
    store_smtp_settings(db.session, host="", port=None, security="none")
    assert smtp_settings(db.session) is None and not mail_configured(db.session)


def test_wrong_credentials_are_a_delivery_error(app, smtp_server):
    smtp_server.credentials = ("mailer", "right")
    app.config.update(MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")
    with pytest.raises(MailDeliveryError):
        send_mail("e@example.com", "S", "B")
    assert smtp_server.messages == []


def test_starttls_is_required_when_asked_for(app, smtp_server):
    """A server without STARTTLS gets neither the password nor the mail in the clear."""
    app.config.update(MAIL_SECURITY="starttls", MAIL_USERNAME="mailer", MAIL_PASSWORD="pw")
    with pytest.raises(MailDeliveryError):
        send_mail("f@example.com", "S", "B")
    assert smtp_server.logins == [] and smtp_server.messages == []


def test_an_unreachable_server_is_a_delivery_error(app, smtp_server, mail_log):
    smtp_server_port = smtp_server.port
    app.config["MAIL_PORT"] = smtp_server_port + 1 if smtp_server_port < 65535 else 1
    with pytest.raises(MailDeliveryError):
        send_mail("g@example.com", "S", "B")
    assert any(r.levelno == logging.WARNING for r in mail_log.records)


def test_mail_security_must_be_known(monkeypatch):
    monkeypatch.setenv("MAIL_SECURITY", "tls-please")
    config = load_config("testing")
    with pytest.raises(ConfigError, match="MAIL_SECURITY"):
        config.finalise()

"""The Finora seed's setting names read as aliases of ours; ours win when both are set."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from config import ConfigError, load_config
from finora.logs import log_file_path
from finora.services.system.mail import SmtpSettings, build_message

NAMES = (
    "LOG_FILE_MAX_BYTES", "LOG_MAX_BYTES", "LOG_FILE_BACKUP_COUNT", "LOG_BACKUP_COUNT",
    "LOG_DIR", "LOG_DIRECTORY", "LOG_FILE", "LOG_FILE_NAME", "LOG_SQL", "SQLALCHEMY_LOG_LEVEL",
    "MAIL_SECURITY", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_SENDER", "MAIL_DEFAULT_SENDER",
    "MAIL_FROM_NAME", "MAIL_TIMEOUT_SECONDS", "BACKUP_STORAGE_DIR", "ENABLE_BACKUP_SCHEDULER",
    "WEBAUTHN_RP_ID", "PASSKEY_RP_ID", "WEBAUTHN_RP_NAME", "PASSKEY_RP_NAME",
    "WEBAUTHN_ORIGIN", "PASSKEY_ORIGIN", "APP_BASE_URL", "FINORA_ENV",
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINORA_DATA_DIR", str(tmp_path))
    return monkeypatch


def _config():
    config = load_config("development")
    config.finalise()
    return config


# (our name, the seed's alias, a value for ours, a value for the alias, attribute, what
# ours reads as, what the alias reads as)
PAIRS = [
    ("LOG_FILE_MAX_BYTES", "LOG_MAX_BYTES", "4096", "8192", "LOG_FILE_MAX_BYTES", 4096, 8192),
    ("LOG_FILE_BACKUP_COUNT", "LOG_BACKUP_COUNT", "3", "9", "LOG_FILE_BACKUP_COUNT", 3, 9),
    ("LOG_FILE", "LOG_FILE_NAME", "ours.log", "seed.log", "LOG_FILE", "ours.log", "seed.log"),
    ("MAIL_SENDER", "MAIL_DEFAULT_SENDER", "ours@example.com", "seed@example.com",
     "MAIL_SENDER", "ours@example.com", "seed@example.com"),
    ("WEBAUTHN_RP_ID", "PASSKEY_RP_ID", "ours.example", "Seed.Example", "WEBAUTHN_RP_ID",
     "ours.example", "seed.example"),
    ("WEBAUTHN_RP_NAME", "PASSKEY_RP_NAME", "Ours", "Seed", "WEBAUTHN_RP_NAME", "Ours", "Seed"),
    ("WEBAUTHN_ORIGIN", "PASSKEY_ORIGIN", "https://ours.example", "https://seed.example/",
     "WEBAUTHN_ORIGIN", "https://ours.example", "https://seed.example"),
]


@pytest.mark.parametrize(("ours", "alias", "our_value", "alias_value", "attr", "as_ours", "as_alias"), PAIRS)
def test_each_alias_is_read_and_our_name_wins(env, ours, alias, our_value, alias_value, attr, as_ours, as_alias):
    env.setenv(alias, alias_value)
    assert getattr(_config(), attr) == as_alias
    env.setenv(ours, our_value)
    assert getattr(_config(), attr) == as_ours


def test_a_blank_name_of_ours_leaves_the_alias_in_force(env):
    env.setenv("LOG_FILE_MAX_BYTES", "  ")
    env.setenv("LOG_MAX_BYTES", "1234")
    assert _config().LOG_FILE_MAX_BYTES == 1234


def test_a_bad_alias_value_names_the_alias(env):
    env.setenv("LOG_BACKUP_COUNT", "many")
    with pytest.raises(ConfigError, match="LOG_BACKUP_COUNT must be a whole number"):
        _config()


def test_log_directory_alias_and_the_default_folder(env, tmp_path):
    assert _config().LOG_DIR == (tmp_path / "logs").resolve()
    env.setenv("LOG_DIRECTORY", str(tmp_path / "seed-logs"))
    env.setenv("LOG_FILE_NAME", "seed.log")
    config = _config()
    assert config.LOG_DIR == (tmp_path / "seed-logs").resolve()
    assert log_file_path(vars(config)) == (tmp_path / "seed-logs" / "seed.log").resolve()
    env.setenv("LOG_DIR", str(tmp_path / "ours"))
    assert _config().LOG_DIR == (tmp_path / "ours").resolve()


@pytest.mark.parametrize("name", ["../finora.log", "logs/finora.log", ".."])
def test_a_log_file_name_with_a_folder_is_refused(env, name):
    env.setenv("LOG_FILE_NAME", name)
    with pytest.raises(ConfigError, match="LOG_FILE must be a file name"):
        _config()


def test_the_app_writes_its_log_where_the_aliases_say(app_factory, env, tmp_path):
    folder = tmp_path / "elsewhere"
    app_factory(LOG_TO_FILE=True, LOG_DIR=folder, LOG_FILE="seed.log")
    logging.getLogger("finora.test").info("written to the seed's log file")
    for handler in logging.getLogger("finora").handlers:
        handler.flush()
    assert "written to the seed's log file" in (folder / "seed.log").read_text()
    assert (folder.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize(
    ("log_sql", "level", "expected"),
    [("", "", "WARNING"), ("1", "", "INFO"), ("", "debug", "DEBUG"), ("1", "ERROR", "ERROR")],
)
def test_sqlalchemy_log_level_and_log_sql(env, log_sql, level, expected):
    env.setenv("LOG_SQL", log_sql)
    env.setenv("SQLALCHEMY_LOG_LEVEL", level)
    assert _config().SQLALCHEMY_LOG_LEVEL == expected


def test_an_unknown_sqlalchemy_log_level_is_refused(env):
    env.setenv("SQLALCHEMY_LOG_LEVEL", "chatty")
    with pytest.raises(ConfigError, match="SQLALCHEMY_LOG_LEVEL must be one of"):
        _config()


def test_the_engine_logger_takes_the_level(app_factory):
    app_factory(SQLALCHEMY_LOG_LEVEL="DEBUG")
    assert logging.getLogger("sqlalchemy.engine").level == logging.DEBUG
    app_factory(SQLALCHEMY_LOG_LEVEL="WARNING")
    assert logging.getLogger("sqlalchemy.engine").level == logging.WARNING


@pytest.mark.parametrize(
    ("tls", "ssl", "expected"),
    [
        (None, None, "starttls"),  # our default
        ("1", None, "starttls"),
        ("true", "0", "starttls"),
        (None, "1", "ssl"),
        ("0", "yes", "ssl"),
        ("0", None, "none"),  # the seed's plain connection
        ("0", "0", "none"),
        (None, "0", "starttls"),  # only SSL said off: the default stays
    ],
)
def test_mail_use_tls_and_ssl_give_the_mail_security(env, tls, ssl, expected):
    if tls is not None:
        env.setenv("MAIL_USE_TLS", tls)
    if ssl is not None:
        env.setenv("MAIL_USE_SSL", ssl)
    assert _config().MAIL_SECURITY == expected


def test_mail_security_wins_over_the_seed_flags(env):
    env.setenv("MAIL_USE_SSL", "1")
    env.setenv("MAIL_SECURITY", "starttls")
    assert _config().MAIL_SECURITY == "starttls"
    env.setenv("MAIL_USE_TLS", "1")  # a contradiction nobody reads: MAIL_SECURITY decides
    assert _config().MAIL_SECURITY == "starttls"


def test_tls_and_ssl_both_on_is_refused_with_a_clear_message(env):
    env.setenv("MAIL_USE_TLS", "1")
    env.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(ConfigError) as raised:
        _config()
    message = str(raised.value)
    assert "MAIL_USE_TLS and MAIL_USE_SSL are both on" in message
    assert "MAIL_SECURITY" in message


def test_mail_timeout_seconds(env):
    assert _config().MAIL_TIMEOUT_SECONDS == 10
    env.setenv("MAIL_TIMEOUT_SECONDS", "45")
    assert _config().MAIL_TIMEOUT_SECONDS == 45
    env.setenv("MAIL_TIMEOUT_SECONDS", "0")
    with pytest.raises(ConfigError, match="MAIL_TIMEOUT_SECONDS must be from 1 to 300"):
        _config()


def test_mail_from_name_is_the_from_headers_display_name(env):
    env.setenv("MAIL_FROM_NAME", "Finança da Casa")
    env.setenv("MAIL_DEFAULT_SENDER", "casa@example.com")
    config = _config()
    settings = SmtpSettings(
        host="mail.example.com", port=587, security="starttls",
        sender=config.MAIL_SENDER, sender_name=config.MAIL_FROM_NAME,
    )
    message = build_message(settings, "ana@example.com", "Hi", "Body")
    assert message["From"].addresses[0].display_name == "Finança da Casa"
    assert message["From"].addresses[0].addr_spec == "casa@example.com"
    # A sender that names itself keeps its own name.
    named = SmtpSettings(host="h", port=25, security="none", sender="Ana <ana@example.com>",
                         sender_name="Finora")
    assert build_message(named, "b@example.com", "s", "t")["From"] == "Ana <ana@example.com>"


def test_backup_storage_dir_and_enable_backup_scheduler(env, tmp_path):
    config = _config()
    assert config.BACKUP_STORAGE_DIR == (tmp_path / "backups").resolve()
    assert config.ENABLE_BACKUP_SCHEDULER is True
    env.setenv("BACKUP_STORAGE_DIR", str(tmp_path / "archive"))
    env.setenv("ENABLE_BACKUP_SCHEDULER", "0")
    config = _config()
    assert config.BACKUP_STORAGE_DIR == Path(tmp_path / "archive").resolve()
    assert config.ENABLE_BACKUP_SCHEDULER is False


def test_a_sent_mail_carries_the_from_name_and_uses_the_timeout(app, smtp_server, monkeypatch):
    from finora.extensions import db
    from finora.services.system import mail

    app.config.update(MAIL_SENDER="casa@example.org", MAIL_FROM_NAME="Finora da Casa",
                      MAIL_TIMEOUT_SECONDS=7)
    timeouts = []
    real_smtp = mail.smtplib.SMTP

    def recording_smtp(host, port, timeout):
        timeouts.append(timeout)
        return real_smtp(host, port, timeout=timeout)

    monkeypatch.setattr(mail.smtplib, "SMTP", recording_smtp)
    assert mail.send_mail("bia@example.com", "Olá", "Texto", session=db.session).delivered
    assert smtp_server.last()["From"] == "Finora da Casa <casa@example.org>"
    assert smtp_server.envelopes[-1][0] == "casa@example.org"
    assert timeouts == [7]


def test_log_sql_turned_on_by_an_override_still_logs_the_statements(app_factory):
    app_factory(LOG_SQL=True)
    assert logging.getLogger("sqlalchemy.engine").level == logging.INFO

"""The e-mail import configurations service: every rule beside its field, the password
encrypted and kept when left blank, audited without it, and the settings a test reads
with."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from finora.crypto import decrypt_secret, encrypt_secret
from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.models import AuditEvent, EmailImportConfig
from finora.services.integrations.email_import.configs import (
    AccountArchivedError,
    ConfigData,
    DuplicateConfigError,
    PasswordNeededError,
    create_config,
    delete_config,
    list_configs,
    set_config_enabled,
    trial_settings,
    update_config,
)
from finora.services.system.audit_trail import action_label
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, make_account


@pytest.fixture
def home(user):
    return household_of(user)


def data(home, **changes) -> ConfigData:
    base = ConfigData(
        name="Bank balance", account_id=checking_account(home).id, host="imap.example.com",
        port=993, security="ssl", username="family@example.com", password="mailbox secret",
        folder="INBOX", subject="Saldo disponível", allowed_sender="alerts@bank.example",
        start_delimiter="Saldo: ", end_delimiter=" em", enabled=True,
    )
    return replace(base, **changes)


def field_of(call) -> str:
    with pytest.raises(FinoraError) as caught:
        call()
    db.session.rollback()
    return caught.value.field


def test_a_configuration_is_saved_with_its_password_encrypted(home):
    config = create_config(db.session, home, data(home, host=" IMAP.Example.com ", name=" Bank balance "))
    db.session.commit()
    saved = db.session.get(EmailImportConfig, config.id)
    assert saved.password_encrypted != "mailbox secret"
    assert decrypt_secret(saved.password_encrypted) == "mailbox secret"
    assert (saved.name, saved.host, saved.start_delimiter, saved.end_delimiter) == (
        "Bank balance", "imap.example.com", "Saldo: ", " em")  # delimiters kept as typed
    assert list_configs(db.session, home) == [saved]


@pytest.mark.parametrize(("changes", "field"), [
    ({"name": "  "}, "name"),
    ({"host": ""}, "host"),
    ({"host": "imap://imap.example.com"}, "host"),
    ({"host": "imap.example.com:993"}, "host"),
    ({"host": "imap example.com"}, "host"),
    ({"port": 0}, "port"),
    ({"port": 65536}, "port"),
    ({"port": None}, "port"),
    ({"security": "plain"}, "security"),
    ({"username": ""}, "username"),
    ({"password": ""}, "password"),
    ({"folder": " "}, "folder"),
    ({"subject": ""}, "subject"),
    ({"allowed_sender": ""}, "allowed_sender"),
    ({"allowed_sender": "the bank"}, "allowed_sender"),
    ({"allowed_sender": "Bank <alerts@bank.example>"}, "allowed_sender"),
    ({"start_delimiter": ""}, "start_delimiter"),
    ({"end_delimiter": "   "}, "end_delimiter"),
    ({"end_delimiter": "a\rb"}, "end_delimiter"),
    ({"end_delimiter": "\n"}, "end_delimiter"),
    ({"account_id": None}, "account_id"),
])
def test_each_rule_names_its_field(home, changes, field):
    assert field_of(lambda: create_config(db.session, home, data(home, **changes))) == field
    assert db.session.scalar(select(EmailImportConfig.id)) is None


def test_the_account_must_be_the_households_and_active(home):
    other = household_of(create_user(name="Other", household_name="Other home"))
    theirs = checking_account(other).id
    archived = make_account(home, archived=True).id
    assert field_of(lambda: create_config(db.session, home, data(home, account_id=theirs))) == "account_id"
    assert field_of(lambda: create_config(db.session, home, data(home, account_id=archived))) == "account_id"


def test_an_ip_address_is_accepted(home):
    config = create_config(db.session, home, data(home, host="[::1]"))
    assert config.host == "::1"
    config = create_config(db.session, home, data(home, name="Second", host="127.0.0.1"))
    assert config.host == "127.0.0.1"


def test_names_are_unique_in_a_household_whatever_the_case(home):
    create_config(db.session, home, data(home))
    db.session.commit()
    with pytest.raises(DuplicateConfigError):
        create_config(db.session, home, data(home, name="BANK BALANCE"))
    db.session.rollback()
    other = household_of(create_user(name="Other", household_name="Other home"))
    create_config(db.session, other, data(other))  # another household may use the name
    db.session.commit()


def test_a_blank_password_on_an_edit_keeps_the_stored_one(home):
    config = create_config(db.session, home, data(home))
    db.session.commit()
    token = config.password_encrypted
    update_config(db.session, config, data(home, password="", subject="Novo saldo"))
    db.session.commit()
    assert config.password_encrypted == token and config.subject == "Novo saldo"
    update_config(db.session, config, data(home, password="new secret"))
    db.session.commit()
    assert decrypt_secret(config.password_encrypted) == "new secret"


@pytest.mark.parametrize("stored", ["", "not-a-fernet-token"])
def test_a_password_that_cannot_be_read_must_be_typed_again(home, stored):
    """A configuration restored from a backup has none; a changed APP_SECRET loses it."""
    config = create_config(db.session, home, data(home))
    config.password_encrypted = stored
    db.session.commit()
    with pytest.raises(PasswordNeededError) as caught:
        update_config(db.session, config, data(home, password=""))
    assert caught.value.field == "password"
    db.session.rollback()
    update_config(db.session, config, data(home, password="typed again"))
    assert decrypt_secret(config.password_encrypted) == "typed again"


def test_changes_are_audited_without_the_password(home):
    config = create_config(db.session, home, data(home))
    update_config(db.session, config, data(home, password="another secret"))
    set_config_enabled(db.session, config, False)
    set_config_enabled(db.session, config, False)  # already off: nothing more recorded
    set_config_enabled(db.session, config, True)
    delete_config(db.session, config)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events if e.action.startswith("email_import.")]
    assert actions == ["email_import.created", "email_import.updated", "email_import.turned_off",
                       "email_import.turned_on", "email_import.deleted"]
    for event in events:
        assert event.household_id == home.id and event.details["name"] == "Bank balance"
        assert "secret" not in str(event.details)
    assert all(action_label(action) != action for action in actions)
    assert db.session.scalar(select(EmailImportConfig.id)) is None


def test_an_import_on_an_archived_account_cannot_be_turned_on(home):
    account = make_account(home)
    config = create_config(db.session, home, data(home, account_id=account.id, enabled=False))
    account.archived = True
    db.session.commit()
    with pytest.raises(AccountArchivedError):
        set_config_enabled(db.session, config, True)


def test_the_settings_for_a_test_use_the_typed_values_and_the_stored_password(home):
    config = create_config(db.session, home, data(home))
    db.session.commit()
    typed = data(home, name="", account_id=None, password="", host="127.0.0.1", port=10993,
                 security="starttls", end_delimiter=".")
    settings = trial_settings(db.session, home, typed, config)
    assert (settings.host, settings.port, settings.security, settings.password, settings.end_delimiter) == (
        "127.0.0.1", 10993, "starttls", "mailbox secret", ".")
    assert trial_settings(db.session, home, replace(typed, password="typed"), config).password == "typed"
    with pytest.raises(FieldError) as caught:
        trial_settings(db.session, home, typed, None)  # a new one has no stored password
    assert caught.value.field == "password"
    config.password_encrypted = encrypt_secret("x", app_secret="another instance's secret")
    with pytest.raises(PasswordNeededError):
        trial_settings(db.session, home, typed, config)

"""The e-mail import pages through the test client: an honest empty page; the owner adds
an import (the password encrypted, never shown again), sees mistakes beside their fields
with what was typed kept, edits with the password left blank, turns it off and on, deletes
after a confirmation; each import's last run, success, error (translated) and amount show
on the list; another household's import is a 404 on every route. The role matrix
(tests/web/test_roles.py) refuses editors and viewers."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from finora.crypto import decrypt_secret, encrypt_secret
from finora.extensions import db
from finora.models import AuditEvent, BalanceSnapshot, EmailImportConfig
from tests.factories import create_user
from tests.imap_server import bank_message, imap_server, mail_user  # noqa: F401 - fixtures
from tests.ledger_factories import (
    checking_account,
    field_error,
    field_tag,
    household_of,
    input_value,
    make_account,
)

BASE = "/household/email-import"


@pytest.fixture
def home(user):
    return household_of(user)


def form(home, **changes) -> dict:
    values = {
        "name": "Bank balance", "account_id": str(checking_account(home).id),
        "host": "imap.example.com", "security": "ssl", "port": "993",
        "username": "family@example.com", "password": "mailbox secret", "folder": "INBOX",
        "subject": "Saldo disponível", "allowed_sender": "alerts@bank.example",
        "start_delimiter": "Saldo: ", "end_delimiter": " em", "enabled": "y",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def saved(home, **changes) -> EmailImportConfig:
    values = dict(
        household_id=home.id, account_id=checking_account(home).id, name="Bank balance",
        host="imap.example.com", port=993, security="ssl", username="family@example.com",
        password_encrypted=encrypt_secret("mailbox secret"), folder="INBOX",
        subject="Saldo disponível", allowed_sender="alerts@bank.example",
        start_delimiter="Saldo: ", end_delimiter=" em",
    )
    values.update(changes)
    config = EmailImportConfig(**values)
    db.session.add(config)
    db.session.commit()
    return config


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(EmailImportConfig))


def test_the_empty_page_says_what_it_does_and_offers_the_button(signed_in):
    page = signed_in.get(f"{BASE}/").text
    empty = page[page.index('id="no-email-imports"'):]
    assert "No e-mail imports yet" in empty
    assert "sets the account’s balance from them, every minute, so" in page
    assert f'href="{BASE}/new"' in empty


def test_the_page_names_the_configured_interval(app, signed_in):
    app.config["EMAIL_IMPORT_INTERVAL_MINUTES"] = 15
    assert "from them, every 15 minutes, so" in signed_in.get(f"{BASE}/").text


def test_the_new_page_explains_the_password_and_the_sender(signed_in, home):
    page = signed_in.get(f"{BASE}/new").text
    assert "Stored encrypted and never shown again." in page
    assert "anyone who can send an e-mail to this mailbox could set the account's balance" in page.replace("&#39;", "'")
    assert input_value(page, "port") == "993" and input_value(page, "folder") == "INBOX"
    assert 'autocomplete="new-password"' in field_tag(page, "password")


def test_the_owner_adds_an_import_and_sees_it_on_the_list(signed_in, home):
    response = signed_in.post(f"{BASE}/new", data=form(home))
    assert response.status_code == 302, response.text[:500]
    [config] = db.session.scalars(select(EmailImportConfig)).all()
    assert decrypt_secret(config.password_encrypted) == "mailbox secret"
    assert (config.start_delimiter, config.end_delimiter, config.enabled) == ("Saldo: ", " em", True)
    page = signed_in.get(f"{BASE}/").text
    card = page[page.index(f'data-config="{config.id}"'):]
    assert "Bank balance" in card and checking_account(home).name in card
    assert "alerts@bank.example" in card and "Saldo disponível" in card
    assert re.search(r'class="badge text-bg-success config-state">On<', card)
    assert "Not yet" in card  # never run
    assert "mailbox secret" not in page and config.password_encrypted not in page


def test_mistakes_show_beside_their_fields_and_keep_what_was_typed(signed_in, home):
    response = signed_in.post(f"{BASE}/new", data=form(home, allowed_sender="the bank", host="imap.mybank.com"))
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "allowed_sender") == "Enter one valid e-mail address, such as alerts@bank.com."
    assert input_value(page, "allowed_sender") == "the bank"
    assert input_value(page, "host") == "imap.mybank.com"
    assert input_value(page, "start_delimiter") == "Saldo: "  # the space kept
    assert input_value(page, "password") == "mailbox secret"  # typed now: not asked twice
    response = signed_in.post(f"{BASE}/new", data=form(home, port="99999"))
    assert response.status_code == 422 and "from 1 to 65535" in field_error(response.text, "port")
    assert count() == 0


def test_another_households_or_an_archived_account_is_refused(signed_in, home):
    other = household_of(create_user(name="Other", household_name="Other home"))
    for account_id in (checking_account(other).id, make_account(home, archived=True).id):
        response = signed_in.post(f"{BASE}/new", data=form(home, account_id=str(account_id)))
        assert response.status_code == 422
        assert field_error(response.text, "account_id") == "Choose one of the household’s active accounts."
    assert count() == 0


def test_the_same_name_twice_is_refused_beside_the_name(signed_in, home):
    saved(home)
    response = signed_in.post(f"{BASE}/new", data=form(home, name="bank BALANCE"))
    assert response.status_code == 422
    assert field_error(response.text, "name") == "Another e-mail import already has this name."
    assert count() == 1


def test_the_edit_page_never_shows_the_password_and_blank_keeps_it(signed_in, home):
    config = saved(home)
    token = config.password_encrypted
    page = signed_in.get(f"{BASE}/{config.id}/edit").text
    assert input_value(page, "password") is None or input_value(page, "password") == ""
    assert "Leave blank to keep the saved password." in page
    assert "mailbox secret" not in page and token not in page
    assert input_value(page, "end_delimiter") == " em"
    response = signed_in.post(f"{BASE}/{config.id}/edit", data=form(
        home, password="", subject="Seu saldo", end_delimiter="."))
    assert response.status_code == 302, response.text[:500]
    db.session.expire_all()
    config = db.session.get(EmailImportConfig, config.id)
    assert (config.password_encrypted, config.subject, config.end_delimiter) == (token, "Seu saldo", ".")


def test_a_restored_import_asks_for_its_password_again(signed_in, home):
    config = saved(home, password_encrypted="")  # a backup never carries it
    response = signed_in.post(f"{BASE}/{config.id}/edit", data=form(home, password="", subject="Changed"))
    assert response.status_code == 422
    assert "enter it again" in field_error(response.text, "password")
    db.session.expire_all()
    assert db.session.get(EmailImportConfig, config.id).subject == "Saldo disponível"


def test_on_and_off(signed_in, home):
    config = saved(home)
    for value, expected in (("0", False), ("0", False), ("1", True)):
        response = signed_in.post(f"{BASE}/{config.id}/switch", data={"enabled": value})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(EmailImportConfig, config.id).enabled is expected
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("email_import.%")).order_by(AuditEvent.id)).all()
    assert actions == ["email_import.turned_off", "email_import.turned_on"]


def test_an_import_on_an_archived_account_stays_off_with_a_message(signed_in, home):
    account = make_account(home)
    config = saved(home, account_id=account.id, enabled=False)
    account.archived = True
    db.session.commit()
    response = signed_in.post(f"{BASE}/{config.id}/switch", data={"enabled": "1"}, follow_redirects=True)
    assert "Its account is archived" in response.text
    db.session.expire_all()
    assert db.session.get(EmailImportConfig, config.id).enabled is False


def test_delete_asks_first(signed_in, home):
    config = saved(home)
    page = signed_in.get(f"{BASE}/{config.id}/delete").text
    assert "Delete this e-mail import?" in page and "The balances it already set stay" in page
    assert count() == 1
    response = signed_in.post(f"{BASE}/{config.id}/delete")
    assert response.status_code == 302
    assert count() == 0


def test_the_list_shows_the_last_run_translated(signed_in, home):
    saved(home, last_run_at=datetime(2026, 3, 15, 12, 1, tzinfo=UTC),
          last_success_at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
          last_error_code="auth_failed", last_error_detail="[AUTHENTICATIONFAILED] Authentication failed.",
          last_amount=Decimal("1234.56"), last_message_date=date(2026, 3, 14))
    page = signed_in.get(f"{BASE}/").text
    error = re.search(r'config-last-error">(.*?)</dd>', page, re.S).group(1)
    assert "The mail server refused the user name or the password." in error
    assert "AUTHENTICATIONFAILED" in error
    assert "1,234.56" in re.search(r'config-last-amount">(.*?)</dd>', page, re.S).group(1)
    assert "Mar 14, 2026" in page and "auth_failed" not in page


def test_another_households_import_is_404_on_every_route(signed_in, home):
    other = household_of(create_user(name="Other", household_name="Other home"))
    theirs = saved(other)
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for method, path in (("GET", "edit"), ("POST", "edit"), ("POST", "test"), ("POST", "switch"),
                         ("GET", "delete"), ("POST", "delete")):
        response = signed_in.open(f"{BASE}/{theirs.id}/{path}", method=method, data=form(home))
        assert response.status_code == 404, (method, path)
    db.session.expire_all()
    assert db.session.get(EmailImportConfig, theirs.id).enabled is True
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


# The Test button, against a real IMAP server (dovecot on loopback, tests/imap_server.py).


@pytest.fixture
def mailbox(app, request):
    """A fresh mailbox (tests/imap_server.py's mail_user) on a server this app trusts (its
    certificate is signed by a test CA)."""
    user = request.getfixturevalue("mail_user")
    app.config["EMAIL_IMPORT_CA_FILE"] = user.server.ca_file
    app.config["EMAIL_IMPORT_TIMEOUT_SECONDS"] = 10
    return user


def typed(home, user, **changes) -> dict:
    values = {"host": "127.0.0.1", "port": str(user.server.ssl_port), "username": user.username,
              "password": user.password, **changes}
    return form(home, **values)


def everything() -> dict:
    db.session.expire_all()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (EmailImportConfig, BalanceSnapshot, AuditEvent)}


def shown(page: str, element: str) -> str | None:
    match = re.search(rf'id="{element}"[^>]*>(.*?)</(?:dd|div)>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def test_a_test_shows_what_the_newest_message_would_set_and_saves_nothing(signed_in, home, mailbox):
    mailbox.deliver(bank_message(text="Olá, Ana.\nSaldo disponível: R$ 9,00 em conta.\n"),
                    received=datetime.now(UTC) - timedelta(hours=2))
    mailbox.deliver(bank_message(text="Olá, Ana.\nSaldo disponível: R$ 1.234,56 em conta.\n"))
    before = everything()
    response = signed_in.post(f"{BASE}/test", data=typed(
        home, mailbox, name="", start_delimiter="Saldo disponível:", end_delimiter="em conta"))
    assert response.status_code == 200, response.text[:500]
    page = response.text
    assert shown(page, "preview-sender") == "alerts@bank.example"
    assert shown(page, "preview-subject") == "Saldo disponível"
    assert "R$ 1.234,56" in shown(page, "preview-excerpt")
    assert shown(page, "preview-amount") == "R$1,234.56"
    assert shown(page, "preview-date")  # when it was received
    assert "Nothing was saved" in page and 'id="preview-error"' not in page
    assert input_value(page, "password") == mailbox.password  # the form as typed, ready to save
    assert everything() == before


def test_a_saved_import_tests_with_its_stored_password_when_the_field_is_blank(signed_in, home, mailbox):
    """Over STARTTLS on the plain port, with the values typed on the edit page."""
    mailbox.deliver(bank_message(html="<p>Seu saldo: <b>-1.234,56</b> hoje</p>"))
    config = saved(home, host="127.0.0.1", port=mailbox.server.ssl_port, username=mailbox.username,
                   password_encrypted=encrypt_secret(mailbox.password), start_delimiter="saldo:",
                   end_delimiter="hoje")
    before = everything()
    response = signed_in.post(f"{BASE}/{config.id}/test", data=typed(
        home, mailbox, password="", security="starttls", port=str(mailbox.server.plain_port),
        start_delimiter="Seu saldo:", end_delimiter="hoje"))
    assert response.status_code == 200, response.text[:500]
    assert shown(response.text, "preview-amount") == "-R$1,234.56"
    assert everything() == before
    db.session.expire_all()
    assert db.session.get(EmailImportConfig, config.id).port == mailbox.server.ssl_port  # not saved


@pytest.mark.parametrize(("changes", "message"), [
    ({"password": "not the password"}, "The mail server refused the user name or the password."),
    ({"allowed_sender": "someone@else.example"},
     "No message from the allowed sender with this subject in the last 24 hours."),
    ({"start_delimiter": "Limite:"},
     "The newest matching message does not contain the start and end texts."),
])
def test_a_test_that_fails_says_why_in_words(signed_in, home, mailbox, changes, message):
    mailbox.deliver(bank_message(text="Saldo disponível: R$ 10,00 em conta."))
    before = everything()
    changes = {"start_delimiter": "Saldo disponível:", "end_delimiter": "em conta", **changes}
    response = signed_in.post(f"{BASE}/test", data=typed(home, mailbox, **changes))
    assert response.status_code == 200
    assert shown(response.text, "preview-error").startswith(message)
    assert "not the password" not in (shown(response.text, "preview-error") or "")
    assert everything() == before


def test_a_test_checks_the_mailbox_fields_but_not_the_name(signed_in, home):
    response = signed_in.post(f"{BASE}/test", data=form(home, name="", account_id="", host="", password=""))
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "host") == "Enter the IMAP server, such as imap.gmail.com."
    assert field_error(page, "name") is None and 'id="email-preview"' not in page

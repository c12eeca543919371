"""The e-mail import against a real IMAP server (dovecot on loopback, tests/imap_server.py):
the Test button's preview and one configuration's run, with messages the tests deliver
(plain and HTML, each amount style, wrong sender or subject, too old, the same message
twice) and each way a mailbox can fail."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from finora.crypto import SecretUnreadableError, encrypt_secret
from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.services.integrations.email_import.mailbox import MailboxSettings
from finora.services.integrations.email_import.preview import preview
from finora.services.integrations.email_import.runner import (
    household_locale,
    run_config,
    settings_of,
)
from tests import imap_server as imap
from tests.email_import_factories import (
    SENDER,
    SUBJECT,
    bank_text,
    mailbox_settings,
    make_config,
    snapshots_of,
)
from tests.imap_server import bank_message
from tests.ledger_factories import make_account

imap_server, mail_user = imap.imap_server, imap.mail_user  # the fixtures


def _run(config, server, *, now=None):
    result = run_config(db.session, config, now=now or datetime.now(UTC), timeout=10,
                        ca_file=server.ca_file)
    db.session.commit()
    return result


def _preview(user, **overrides):
    return preview(mailbox_settings(user, **overrides), locale="pt", time_zone="America/Sao_Paulo",
                   timeout=10, ca_file=user.server.ca_file)


# The Test button


def test_preview_shows_the_newest_message_and_its_amount_and_writes_nothing(app, household, mail_user):
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    mail_user.deliver(bank_message(text=bank_text("R$ 1.111,11"), date=sent - timedelta(hours=2)),
                      received=sent - timedelta(hours=2))
    mail_user.deliver(bank_message(text=bank_text("R$ 1.234,56"), date=sent), received=sent)
    count_before = db.session.scalar(select(func.count(BalanceSnapshot.id)))

    shown = _preview(mail_user)

    assert shown.found and shown.error_code is None
    assert shown.amount == Decimal("1234.56")
    assert shown.sender == SENDER and shown.subject == SUBJECT
    assert shown.message_date == sent.astimezone(ZoneInfo("America/Sao_Paulo"))
    assert shown.message_date.utcoffset() == timedelta(hours=-3)
    assert "Saldo disponível: R$ 1.234,56 em conta" in shown.excerpt and len(shown.excerpt) < 200
    assert db.session.scalar(select(func.count(BalanceSnapshot.id))) == count_before


def test_preview_without_delimiters_shows_the_start_of_the_message(app, mail_user):
    mail_user.deliver(bank_message(text="Seu extrato chegou. Total R$ 5,00."))

    shown = _preview(mail_user)

    assert shown.found and shown.amount is None and shown.error_code == "no_delimiters"
    assert shown.excerpt.startswith("Seu extrato chegou.")


def test_preview_with_nothing_between_the_delimiters_that_is_an_amount(app, mail_user):
    mail_user.deliver(bank_message(text=bank_text("indisponível")))

    shown = _preview(mail_user)

    assert shown.found and shown.error_code == "no_amount" and shown.error_detail == "indisponível"


def test_preview_reports_a_bad_password_as_a_code_without_the_password(app, mail_user):
    shown = _preview(mail_user, password="wrong-Secret-42")

    assert not shown.found and shown.error_code == "auth_failed"
    assert "wrong-Secret-42" not in (shown.error_detail or "")
    # The server's words as text, not Python's bytes repr (b'[AUTHENTICATIONFAILED] ...').
    assert shown.error_detail and not shown.error_detail.startswith("b'")
    assert "AUTHENTICATIONFAILED" in shown.error_detail


def test_preview_of_a_folder_that_does_not_exist(app, mail_user):
    assert _preview(mail_user, folder="Bancos/Extratos").error_code == "folder_missing"


def test_a_message_in_another_folder_with_a_non_ascii_name_is_found(app, mail_user):
    mail_user.deliver(bank_message(text=bank_text("R$ 7,00")), folder="Notifica&AOcA9Q-es")
    assert _preview(mail_user, folder="Notificações").amount == Decimal("7.00")


def test_a_certificate_not_trusted_is_refused(app, mail_user):
    # The system's authorities do not know the test server's CA.
    settings = mailbox_settings(mail_user)
    for security, port in (("ssl", mail_user.server.ssl_port), ("starttls", mail_user.server.plain_port)):
        shown = preview(MailboxSettings(**{**settings.__dict__, "security": security, "port": port}),
                        locale="pt", time_zone="UTC", timeout=10, ca_file=None)
        assert shown.error_code == "tls_failed", security
        assert "certificate" in (shown.error_detail or "").lower()


def test_ssl_spoken_to_the_plain_port_is_a_tls_failure(app, mail_user):
    assert _preview(mail_user, port=mail_user.server.plain_port).error_code == "tls_failed"


def test_a_server_that_never_answers_times_out(app, mail_user):
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        shown = preview(mailbox_settings(mail_user, port=port), locale="pt", time_zone="UTC",
                        timeout=1, ca_file=mail_user.server.ca_file)
    assert shown.error_code == "timeout"


def test_a_server_down_cannot_be_reached(app, mail_user):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    assert _preview(mail_user, port=port).error_code == "connect_failed"
    assert _preview(mail_user, host="no-such-host.invalid").error_code == "connect_failed"


def test_a_non_ascii_subject_and_password_work(app, imap_server):
    user = imap_server.new_user(password="sênha-çom-acento")
    user.deliver(bank_message(subject="Notificação de saldo", text=bank_text("R$ 3,21")))
    shown = preview(mailbox_settings(user, subject="notificação DE saldo"), locale="pt",
                    time_zone="UTC", timeout=10, ca_file=imap_server.ca_file)
    assert shown.error_code is None and shown.amount == Decimal("3.21")


# One configuration's run


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("R$ 1.234,56", "1234.56"),
        ("-1.234,56", "-1234.56"),
        ("1,234.56", "1234.56"),
        ("(1,234.56)", "-1234.56"),
        ("USD 1,234.56", "1234.56"),
    ],
)
def test_each_amount_style_sets_the_balance(app, household, mail_user, written, expected):
    config = make_config(household, mail_user)
    mail_user.deliver(bank_message(text=bank_text(written)))

    result = _run(config, mail_user.server)

    assert result.status == "imported", result
    [snapshot] = snapshots_of(config.account_id)
    assert snapshot.amount == Decimal(expected) and snapshot.source == "email"
    assert config.last_amount == Decimal(expected) and config.last_error_code is None


def test_an_html_message_over_starttls_is_dated_in_the_households_time_zone(app, household, mail_user):
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    # A zone where the bank's day and the UTC day differ at that moment.
    household.timezone = "Pacific/Kiritimati" if sent.hour >= 10 else "Pacific/Pago_Pago"
    db.session.commit()
    config = make_config(household, mail_user, security="starttls")
    message = bank_message(html="<p>Olá</p><table><tr><td>Saldo disponível:</td>"
                                "<td><b>R$&nbsp;2.500,00</b></td><td>em conta</td></tr></table>",
                           date=sent)
    mail_user.deliver(message)

    result = _run(config, mail_user.server)

    assert result.status == "imported", result
    [snapshot] = snapshots_of(config.account_id)
    local_day = sent.astimezone(ZoneInfo(household.timezone)).date()
    assert local_day != sent.date()
    assert snapshot.date == local_day == config.last_message_date
    assert snapshot.amount == Decimal("2500.00")
    assert snapshot.external_ref == message["Message-ID"]


def test_the_households_locale_reads_the_amount(app, household, user, mail_user):
    user.locale = "es"
    db.session.commit()
    assert household_locale(db.session, household.id) == "es"
    config = make_config(household, mail_user)
    mail_user.deliver(bank_message(text=bank_text("EUR 1.234,5")))

    assert _run(config, mail_user.server).status == "imported"
    assert snapshots_of(config.account_id)[0].amount == Decimal("1234.50")


def test_the_same_message_twice_makes_one_snapshot(app, household, mail_user):
    config = make_config(household, mail_user)
    message = bank_message(text=bank_text("R$ 10,00"))
    mail_user.deliver(message)
    mail_user.deliver(message)  # delivered again: the same Message-ID

    assert _run(config, mail_user.server).status == "imported"
    second = _run(config, mail_user.server)

    assert second.status == "already_imported" and second.amount == Decimal("10.00")
    assert len(snapshots_of(config.account_id)) == 1
    assert config.last_success_at is not None and config.last_error_code is None


def test_a_message_without_a_message_id_is_used_once_too(app, household, mail_user):
    config = make_config(household, mail_user)
    message = bank_message(text=bank_text("R$ 11,00"))
    del message["Message-ID"]
    mail_user.deliver(message)

    assert _run(config, mail_user.server).status == "imported"
    assert _run(config, mail_user.server).status == "already_imported"  # its digest matches
    [snapshot] = snapshots_of(config.account_id)
    assert snapshot.external_ref.startswith("sha256:")


@pytest.mark.parametrize(
    "message",
    [
        bank_message(sender="someone@else.example", text=bank_text("R$ 1,00")),
        # IMAP's FROM matches a part of the address: the whole address must be the same.
        bank_message(sender="fake-alerts@bank.example", text=bank_text("R$ 1,00")),
        bank_message(subject="Promoção imperdível", text=bank_text("R$ 1,00")),
    ],
    ids=["another-sender", "sender-containing-the-address", "another-subject"],
)
def test_a_message_from_another_sender_or_with_another_subject_is_ignored(app, household, mail_user, message):
    config = make_config(household, mail_user)
    mail_user.deliver(message)

    result = _run(config, mail_user.server)

    assert result.status == "no_message"
    assert snapshots_of(config.account_id) == []
    assert config.last_run_at is not None and config.last_success_at is None
    assert config.last_error_code is None


def test_a_message_older_than_24_hours_is_ignored(app, household, mail_user):
    config = make_config(household, mail_user)
    now = datetime.now(UTC)
    for age in (timedelta(days=3), timedelta(hours=25)):
        mail_user.deliver(bank_message(text=bank_text("R$ 1,00"), date=now - age), received=now - age)

    assert _run(config, mail_user.server, now=now).status == "no_message"

    mail_user.deliver(bank_message(text=bank_text("R$ 2,00"), date=now - timedelta(hours=23)),
                      received=now - timedelta(hours=23))
    assert _run(config, mail_user.server, now=now).status == "imported"
    assert [s.amount for s in snapshots_of(config.account_id)] == [Decimal("2.00")]


def test_a_message_dated_before_the_account_opened_is_refused(app, household, mail_user):
    account = make_account(household, opening_date=date(2199, 1, 1))
    config = make_config(household, mail_user, account=account)
    mail_user.deliver(bank_message(text=bank_text("R$ 1,00")))

    result = _run(config, mail_user.server)

    assert result.error_code == "before_opening" and snapshots_of(account.id) == []


def test_settings_of_refuses_an_empty_or_unreadable_password(app, household, mail_user):
    config = make_config(household, mail_user)
    assert settings_of(config).password == mail_user.password
    for stored in ("", encrypt_secret("x", app_secret="another-app-secret")):
        config.password_encrypted = stored
        with pytest.raises(SecretUnreadableError):
            settings_of(config)


def test_a_date_header_no_calendar_holds_gives_way_to_the_servers_receipt(app, household, mail_user):
    config = make_config(household, mail_user)
    received = datetime.now(UTC) - timedelta(minutes=1)
    mail_user.deliver(bank_message(text=bank_text("R$ 8,00"), date=datetime(2400, 1, 1, tzinfo=UTC)),
                      received=received)

    assert _run(config, mail_user.server).status == "imported"
    [snapshot] = snapshots_of(config.account_id)
    assert snapshot.date == received.astimezone(ZoneInfo(household.timezone)).date()


def test_a_server_without_starttls_never_receives_the_password(app, mail_user):
    import threading

    received = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def serve():  # an IMAP server that offers no STARTTLS and records what it is sent
            conn, _address = listener.accept()
            with conn:
                conn.sendall(b"* OK ready\r\n")
                conn.settimeout(2)
                try:
                    while chunk := conn.recv(4096):
                        received.append(chunk)
                        tag, _space, command = chunk.partition(b" ")
                        if command.strip().upper() == b"CAPABILITY":
                            conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                except OSError:
                    pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        shown = preview(mailbox_settings(mail_user, security="starttls", port=listener.getsockname()[1]),
                        locale="pt", time_zone="UTC", timeout=5, ca_file=mail_user.server.ca_file)
        thread.join(5)

    assert shown.error_code == "tls_failed"
    assert mail_user.password.encode() not in b"".join(received)
    assert [line.split(b" ", 1)[1].strip() for line in received] == [b"CAPABILITY"]

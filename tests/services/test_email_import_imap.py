"""The e-mail import against a real IMAP server (dovecot on loopback, tests/imap_server.py):
the Test button's preview, one configuration's run and the scheduler's job, with messages
the tests deliver (plain and HTML, each amount style, wrong sender or subject, too old,
the same message twice) and broken configurations beside a good one."""

from __future__ import annotations

import itertools
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from finora.crypto import encrypt_secret
from finora.extensions import db
from finora.jobs import JOBS, job_interval, run_job
from finora.models import BalanceSnapshot
from finora.models.integrations import EmailImportConfig
from finora.services.integrations.email_import.mailbox import MailboxSettings
from finora.services.integrations.email_import.preview import preview
from finora.services.integrations.email_import.runner import (
    household_locale,
    run_config,
    settings_of,
)
from tests import imap_server as imap
from tests.imap_server import bank_message
from tests.ledger_factories import make_account

SENDER = "alerts@bank.example"
SUBJECT = "Saldo disponível"
START, END = "Saldo disponível:", "em conta"
_counter = itertools.count(1)
imap_server, mail_user = imap.imap_server, imap.mail_user  # the fixtures


def _text(amount: str) -> str:
    return f"Olá!\n\nSaldo disponível: {amount} em conta corrente.\n\nBanco Exemplo"


def _config(household, user, *, security="ssl", port=None, account=None, **overrides) -> EmailImportConfig:
    server = user.server
    values = dict(
        household_id=household.id,
        account_id=(account or make_account(household, name=f"Bank {next(_counter)}")).id,
        name=f"Bank mail {next(_counter)}", host=server.host,
        port=port or (server.ssl_port if security == "ssl" else server.plain_port),
        security=security, username=user.username,
        password_encrypted=encrypt_secret(user.password), folder="INBOX", subject=SUBJECT,
        allowed_sender=SENDER, start_delimiter=START, end_delimiter=END,
    )
    values.update(overrides)
    config = EmailImportConfig(**values)
    db.session.add(config)
    db.session.commit()
    return config


def _run(config, server, *, now=None, ca_file="default"):
    result = run_config(db.session, config, now=now or datetime.now(UTC), timeout=10,
                        ca_file=server.ca_file if ca_file == "default" else ca_file)
    db.session.commit()
    return result


def _snapshots(account_id: int) -> list[BalanceSnapshot]:
    return list(db.session.scalars(
        select(BalanceSnapshot).where(BalanceSnapshot.account_id == account_id)
        .order_by(BalanceSnapshot.id)))


def _settings(user, **overrides) -> MailboxSettings:
    values = dict(host=user.server.host, port=user.server.ssl_port, security="ssl",
                  username=user.username, password=user.password, folder="INBOX",
                  subject=SUBJECT, allowed_sender=SENDER, start_delimiter=START, end_delimiter=END)
    values.update(overrides)
    return MailboxSettings(**values)


def _preview(user, **overrides):
    return preview(_settings(user, **overrides), locale="pt", time_zone="America/Sao_Paulo",
                   timeout=10, ca_file=user.server.ca_file)


# The Test button


def test_preview_shows_the_newest_message_and_its_amount_and_writes_nothing(app, household, mail_user):
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    mail_user.deliver(bank_message(text=_text("R$ 1.111,11"), date=sent - timedelta(hours=2)),
                      received=sent - timedelta(hours=2))
    mail_user.deliver(bank_message(text=_text("R$ 1.234,56"), date=sent), received=sent)
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
    mail_user.deliver(bank_message(text=_text("indisponível")))

    shown = _preview(mail_user)

    assert shown.found and shown.error_code == "no_amount" and shown.error_detail == "indisponível"


def test_preview_reports_a_bad_password_as_a_code_without_the_password(app, mail_user):
    shown = _preview(mail_user, password="wrong-Secret-42")

    assert not shown.found and shown.error_code == "auth_failed"
    assert "wrong-Secret-42" not in (shown.error_detail or "")


def test_preview_of_a_folder_that_does_not_exist(app, mail_user):
    assert _preview(mail_user, folder="Bancos/Extratos").error_code == "folder_missing"


def test_a_message_in_another_folder_with_a_non_ascii_name_is_found(app, mail_user):
    mail_user.deliver(bank_message(text=_text("R$ 7,00")), folder="Notifica&AOcA9Q-es")
    assert _preview(mail_user, folder="Notificações").amount == Decimal("7.00")


def test_a_certificate_not_trusted_is_refused(app, mail_user):
    # The system's authorities do not know the test server's CA.
    settings = _settings(mail_user)
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
        shown = preview(_settings(mail_user, port=port), locale="pt", time_zone="UTC",
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
    user.deliver(bank_message(subject="Notificação de saldo", text=_text("R$ 3,21")))
    shown = preview(_settings(user, subject="notificação DE saldo"), locale="pt",
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
    config = _config(household, mail_user)
    mail_user.deliver(bank_message(text=_text(written)))

    result = _run(config, mail_user.server)

    assert result.status == "imported", result
    [snapshot] = _snapshots(config.account_id)
    assert snapshot.amount == Decimal(expected) and snapshot.source == "email"
    assert config.last_amount == Decimal(expected) and config.last_error_code is None


def test_an_html_message_over_starttls_is_dated_in_the_households_time_zone(app, household, mail_user):
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    # A zone where the bank's day and the UTC day differ at that moment.
    household.timezone = "Pacific/Kiritimati" if sent.hour >= 10 else "Pacific/Pago_Pago"
    db.session.commit()
    config = _config(household, mail_user, security="starttls")
    message = bank_message(html="<p>Olá</p><table><tr><td>Saldo disponível:</td>"
                                "<td><b>R$&nbsp;2.500,00</b></td><td>em conta</td></tr></table>",
                           date=sent)
    mail_user.deliver(message)

    result = _run(config, mail_user.server)

    assert result.status == "imported", result
    [snapshot] = _snapshots(config.account_id)
    local_day = sent.astimezone(ZoneInfo(household.timezone)).date()
    assert local_day != sent.date()
    assert snapshot.date == local_day == config.last_message_date
    assert snapshot.amount == Decimal("2500.00")
    assert snapshot.external_ref == message["Message-ID"]


def test_the_households_locale_reads_the_amount(app, household, user, mail_user):
    user.locale = "es"
    db.session.commit()
    assert household_locale(db.session, household.id) == "es"
    config = _config(household, mail_user)
    mail_user.deliver(bank_message(text=_text("EUR 1.234,5")))

    assert _run(config, mail_user.server).status == "imported"
    assert _snapshots(config.account_id)[0].amount == Decimal("1234.50")


def test_the_same_message_twice_makes_one_snapshot(app, household, mail_user):
    config = _config(household, mail_user)
    message = bank_message(text=_text("R$ 10,00"))
    mail_user.deliver(message)
    mail_user.deliver(message)  # delivered again: the same Message-ID

    assert _run(config, mail_user.server).status == "imported"
    second = _run(config, mail_user.server)

    assert second.status == "already_imported" and second.amount == Decimal("10.00")
    assert len(_snapshots(config.account_id)) == 1
    assert config.last_success_at is not None and config.last_error_code is None


def test_a_message_without_a_message_id_is_used_once_too(app, household, mail_user):
    config = _config(household, mail_user)
    message = bank_message(text=_text("R$ 11,00"))
    del message["Message-ID"]
    mail_user.deliver(message)

    assert _run(config, mail_user.server).status == "imported"
    assert _run(config, mail_user.server).status == "already_imported"  # its digest matches
    [snapshot] = _snapshots(config.account_id)
    assert snapshot.external_ref.startswith("sha256:")


@pytest.mark.parametrize(
    "message",
    [
        bank_message(sender="someone@else.example", text=_text("R$ 1,00")),
        # IMAP's FROM matches a part of the address: the whole address must be the same.
        bank_message(sender="fake-alerts@bank.example", text=_text("R$ 1,00")),
        bank_message(subject="Promoção imperdível", text=_text("R$ 1,00")),
    ],
    ids=["another-sender", "sender-containing-the-address", "another-subject"],
)
def test_a_message_from_another_sender_or_with_another_subject_is_ignored(app, household, mail_user, message):
    config = _config(household, mail_user)
    mail_user.deliver(message)

    result = _run(config, mail_user.server)

    assert result.status == "no_message"
    assert _snapshots(config.account_id) == []
    assert config.last_run_at is not None and config.last_success_at is None
    assert config.last_error_code is None


def test_a_message_older_than_24_hours_is_ignored(app, household, mail_user):
    config = _config(household, mail_user)
    now = datetime.now(UTC)
    for age in (timedelta(days=3), timedelta(hours=25)):
        mail_user.deliver(bank_message(text=_text("R$ 1,00"), date=now - age), received=now - age)

    assert _run(config, mail_user.server, now=now).status == "no_message"

    mail_user.deliver(bank_message(text=_text("R$ 2,00"), date=now - timedelta(hours=23)),
                      received=now - timedelta(hours=23))
    assert _run(config, mail_user.server, now=now).status == "imported"
    assert [s.amount for s in _snapshots(config.account_id)] == [Decimal("2.00")]


def test_a_message_dated_before_the_account_opened_is_refused(app, household, mail_user):
    from datetime import date

    account = make_account(household, opening_date=date(2199, 1, 1))
    config = _config(household, mail_user, account=account)
    mail_user.deliver(bank_message(text=_text("R$ 1,00")))

    result = _run(config, mail_user.server)

    assert result.error_code == "before_opening" and _snapshots(account.id) == []


def test_settings_of_refuses_an_empty_or_unreadable_password(app, household, mail_user):
    from finora.crypto import SecretUnreadableError

    config = _config(household, mail_user)
    assert settings_of(config).password == mail_user.password
    for stored in ("", encrypt_secret("x", app_secret="another-app-secret")):
        config.password_encrypted = stored
        with pytest.raises(SecretUnreadableError):
            settings_of(config)


# The scheduler's job


def test_a_broken_configuration_never_stops_a_good_one(app_factory, imap_server):
    from tests.factories import create_user
    from tests.ledger_factories import household_of

    app = app_factory(EMAIL_IMPORT_CA_FILE=imap_server.ca_file, EMAIL_IMPORT_TIMEOUT_SECONDS=5)
    with app.app_context():
        household = household_of(create_user())
        good, other = imap_server.new_user(), imap_server.new_user()
        for user in (good, other):
            user.deliver(bank_message(text=_text("R$ 42,00")))
        other.deliver(bank_message(text="Sem delimitadores aqui: R$ 1,00"))  # its newest
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        broken = {
            "auth_failed": _config(household, good,
                                   password_encrypted=encrypt_secret("not the password")),
            "connect_failed": _config(household, good, port=closed_port),
            "secret_unreadable": _config(
                household, good, password_encrypted=encrypt_secret("x", app_secret="other")),
            "no_delimiters": _config(household, other),
        }
        restored = _config(household, good, password_encrypted="")  # from a household backup
        archived_account = make_account(household, archived=True)
        archived = _config(household, good, account=archived_account)
        switched_off = _config(household, good, enabled=False)
        working = _config(household, good)

        run = run_job(db.session, "email_import", "here")

        assert run.status == "success", run.error
        assert run.items == 1
        db.session.expire_all()
        for code, config in broken.items():
            config = db.session.get(EmailImportConfig, config.id)
            assert config.last_error_code == code, (code, config.last_error_detail)
            assert config.last_run_at is not None and config.last_success_at is None
            assert _snapshots(config.account_id) == []
        assert "not the password" not in (broken["auth_failed"].last_error_detail or "")
        assert db.session.get(EmailImportConfig, restored.id).last_error_code == "secret_unreadable"
        assert db.session.get(EmailImportConfig, archived.id).last_error_code == "account_archived"
        assert db.session.get(EmailImportConfig, switched_off.id).last_run_at is None
        working = db.session.get(EmailImportConfig, working.id)
        assert working.last_error_code is None and working.last_success_at is not None
        assert [s.amount for s in _snapshots(working.account_id)] == [Decimal("42.00")]

        again = run_job(db.session, "email_import", "here")
        assert again.status == "success" and again.items == 0
        assert len(_snapshots(working.account_id)) == 1


def test_an_unexpected_failure_is_recorded_on_the_configuration_and_the_others_run(
    app_factory, imap_server, monkeypatch
):
    from finora.models import JobRun
    from finora.services.integrations.email_import import runner
    from tests.factories import create_user
    from tests.ledger_factories import household_of

    app = app_factory(EMAIL_IMPORT_CA_FILE=imap_server.ca_file)
    with app.app_context():
        household = household_of(create_user())
        user = imap_server.new_user()
        user.deliver(bank_message(text=_text("R$ 5,00")))
        first, second = _config(household, user), _config(household, user)
        real = runner.run_config

        def crash_first(session, config, **kwargs):
            if config.id == first.id:
                raise RuntimeError("boom")
            return real(session, config, **kwargs)

        monkeypatch.setattr(runner, "run_config", crash_first)
        run = run_job(db.session, "email_import", "here")

        assert run.status == "success" and run.items == 1
        db.session.expire_all()
        assert db.session.get(EmailImportConfig, first.id).last_error_code == "internal"
        assert len(_snapshots(second.account_id)) == 1
        failure = db.session.scalar(select(JobRun).where(JobRun.household_id == household.id))
        assert failure.job == "email_import" and failure.status == "error" and "boom" in failure.error


def test_the_job_runs_every_configured_number_of_minutes(app_factory):
    assert "email_import" in JOBS
    with app_factory().app_context():
        assert job_interval("email_import") == timedelta(minutes=1)
    with app_factory(EMAIL_IMPORT_INTERVAL_MINUTES=5).app_context():
        assert job_interval("email_import") == timedelta(minutes=5)
        assert job_interval("post_recurring") == timedelta(minutes=15)  # fixed ones unchanged
        assert job_interval("check_for_updates") == timedelta(hours=24)

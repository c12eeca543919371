"""The scheduler's e-mail import against a real IMAP server (tests/imap_server.py): every
enabled configuration in its own transaction, a broken one beside a good one (each error
kept as a code), an unexpected failure recorded, and the interval read from the config."""

from __future__ import annotations

import socket
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from finora.crypto import encrypt_secret
from finora.extensions import db
from finora.jobs import JOBS, job_interval, run_job
from finora.models.integrations import EmailImportConfig
from tests import imap_server as imap
from tests.email_import_factories import bank_text, make_config, snapshots_of
from tests.imap_server import bank_message
from tests.ledger_factories import make_account

imap_server = imap.imap_server  # the fixture


def test_a_broken_configuration_never_stops_a_good_one(app_factory, imap_server):
    from tests.factories import create_user
    from tests.ledger_factories import household_of

    app = app_factory(EMAIL_IMPORT_CA_FILE=imap_server.ca_file, EMAIL_IMPORT_TIMEOUT_SECONDS=5)
    with app.app_context():
        household = household_of(create_user())
        good, other = imap_server.new_user(), imap_server.new_user()
        for user in (good, other):
            user.deliver(bank_message(text=bank_text("R$ 42,00")))
        other.deliver(bank_message(text="Sem delimitadores aqui: R$ 1,00"))  # its newest
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        broken = {
            "auth_failed": make_config(household, good,
                                   password_encrypted=encrypt_secret("not the password")),
            "connect_failed": make_config(household, good, port=closed_port),
            "secret_unreadable": make_config(
                household, good, password_encrypted=encrypt_secret("x", app_secret="other")),
            "no_delimiters": make_config(household, other),
        }
        restored = make_config(household, good, password_encrypted="")  # from a household backup
        archived_account = make_account(household, archived=True)
        archived = make_config(household, good, account=archived_account)
        switched_off = make_config(household, good, enabled=False)
        working = make_config(household, good)

        run = run_job(db.session, "email_import", "here")

        assert run.status == "success", run.error
        assert run.items == 1
        db.session.expire_all()
        for code, config in broken.items():
            config = db.session.get(EmailImportConfig, config.id)
            assert config.last_error_code == code, (code, config.last_error_detail)
            assert config.last_run_at is not None and config.last_success_at is None
            assert snapshots_of(config.account_id) == []
        assert "not the password" not in (broken["auth_failed"].last_error_detail or "")
        assert db.session.get(EmailImportConfig, restored.id).last_error_code == "secret_unreadable"
        assert db.session.get(EmailImportConfig, archived.id).last_error_code == "account_archived"
        assert db.session.get(EmailImportConfig, switched_off.id).last_run_at is None
        working = db.session.get(EmailImportConfig, working.id)
        assert working.last_error_code is None and working.last_success_at is not None
        assert [s.amount for s in snapshots_of(working.account_id)] == [Decimal("42.00")]

        again = run_job(db.session, "email_import", "here")
        assert again.status == "success" and again.items == 0
        assert len(snapshots_of(working.account_id)) == 1


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
        user.deliver(bank_message(text=bank_text("R$ 5,00")))
        first, second = make_config(household, user), make_config(household, user)
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
        assert len(snapshots_of(second.account_id)) == 1
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

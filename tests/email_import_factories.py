"""Rows and messages for the e-mail import tests (with tests/imap_server.py's server): a
configuration pointing at a test mailbox, the bank's text, the account's snapshots."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from finora.crypto import encrypt_secret
from finora.extensions import db
from finora.models import BalanceSnapshot
from finora.models.integrations import EmailImportConfig
from finora.services.integrations.email_import.mailbox import MailboxSettings
from tests.ledger_factories import make_account

SENDER = "alerts@bank.example"
SUBJECT = "Saldo disponível"
START, END = "Saldo disponível:", "em conta"
_counter = itertools.count(1)


def bank_text(amount: str) -> str:
    """A bank's balance e-mail with `amount` between START and END."""
    return f"Olá!\n\nSaldo disponível: {amount} em conta corrente.\n\nBanco Exemplo"


def make_config(household, user, *, security="ssl", port=None, account=None, **overrides) -> EmailImportConfig:
    """A configuration reading `user`'s test mailbox (a new account unless one is given);
    committed."""
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


def mailbox_settings(user, **overrides) -> MailboxSettings:
    """Settings reading `user`'s test mailbox over SSL/TLS."""
    values = dict(host=user.server.host, port=user.server.ssl_port, security="ssl",
                  username=user.username, password=user.password, folder="INBOX",
                  subject=SUBJECT, allowed_sender=SENDER, start_delimiter=START, end_delimiter=END)
    values.update(overrides)
    return MailboxSettings(**values)


def snapshots_of(account_id: int) -> list[BalanceSnapshot]:
    return list(db.session.scalars(
        select(BalanceSnapshot).where(BalanceSnapshot.account_id == account_id)
        .order_by(BalanceSnapshot.id)))

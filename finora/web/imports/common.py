"""What the import pages share: the staged upload of this user, the account choice and
why an account was pre-selected."""

from __future__ import annotations

import re

from flask import abort, redirect, url_for
from flask_login import current_user

from finora.extensions import db
from finora.models import Account
from finora.services.imports.accounts import account_for_number
from finora.services.imports.rows import TABULAR_FORMATS
from finora.services.imports.staging import load_staged
from finora.services.ledger.accounts import list_accounts
from finora.tenancy import require_household
from finora.translation import gettext as _

# A staging token as the staging service makes them; anything else names nothing.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


def staged_or_404(token: str):
    """This user's staged upload in this household, else 404 (expired, discarded, another's)."""
    if not TOKEN.fullmatch(token or ""):
        abort(404)
    return load_staged(require_household(), current_user._get_current_object(), token)


def active_accounts(household) -> list[Account]:
    return list_accounts(db.session, household, include_archived=False)


def account_choices(form_field, accounts: list[Account]) -> None:
    form_field.choices = [(str(account.id), account.name) for account in accounts]


def chosen_account(field, accounts: list[Account]) -> Account | None:
    """The account the field names among the household's active ones; an error beside the
    field otherwise."""
    by_id = {account.id: account for account in accounts}
    account = by_id.get(field.data)
    if account is None:
        field.errors = [*field.errors, _("Choose one of the household’s active accounts.")]
    return account


def number_note(household, staged, account_id: int | None) -> str | None:
    """Why the account is pre-selected, when the file names the account's number."""
    if not staged.account_number or account_id is None:
        return None
    found = account_for_number(db.session, household, staged.account_number)
    if found is None or found.id != account_id:
        return None
    return _(
        "Chosen because the file names account …%(digits)s.", digits=staged.account_number[-4:]
    )


def next_step(staged):
    if staged.format in TABULAR_FORMATS:
        return redirect(url_for("imports.mapping", token=staged.token))
    return redirect(url_for("imports.review", token=staged.token))

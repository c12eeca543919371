"""Accounts (docs/api.md, "Accounts, entries and transfers"): each with its balance today
from the balance service the accounts page uses; created, edited, archived and restored
through the same services as the page."""

from __future__ import annotations

from finora.api import bp
from finora.api import ledger_json as out
from finora.api.access import caller
from finora.api.body import read_json
from finora.api.envelope import many, one
from finora.api.ledger_json import AccountOut
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.schemas_ledger import AccountBody, AccountUpdateBody
from finora.api.spec import documented
from finora.dates import today
from finora.extensions import db
from finora.models import Account, Household
from finora.services.ledger.account_archive import archive_account
from finora.services.ledger.accounts import (
    AccountData,
    account_balances,
    create_account,
    list_accounts,
    set_account_archived,
    update_account,
)
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Accounts"


def _household() -> Household:
    return caller().membership.household


def _account_json(household: Household, account: Account) -> dict:
    day = today(household)
    balances = account_balances(db.session, household, day)
    return out.account(account, balances.get(account.id, account.opening_balance), day)


def _payer_id(value: int | None) -> int | None:
    """A card's paying account named in the body: the caller's household's account, else a
    422 on `payment_account_id` (docs/api.md, "Ids"); the service checks the rest."""
    payer = owned_ref(Account, value, "payment_account_id")
    return payer.id if payer is not None else None


@bp.get("/accounts")
@documented(_l("The household's accounts with their balances today"), tag=TAG,
            response=AccountOut, many=True)
def list_account_items():
    household = _household()
    accounts = list_accounts(db.session, household)  # active first, then archived; by name
    day = today(household)
    balances = account_balances(db.session, household, day)
    page = page_params()
    return many([out.account(a, balances[a.id], day) for a in page.cut(accounts)],
                total=len(accounts), limit=page.limit, offset=page.offset)


@bp.get("/accounts/<int:account_id>")
@documented(_l("One account"), tag=TAG, response=AccountOut)
def get_account(account_id: int):
    account = get_owned_or_404(Account, account_id)
    return one(_account_json(_household(), account))


@bp.post("/accounts")
@documented(_l("Add an account"), tag=TAG, body=AccountBody, response=AccountOut, status=201)
def create_account_item():
    household = _household()
    body = read_json(AccountBody)
    data = AccountData(
        name=body.name,
        kind=body.kind,
        opening_balance=body.opening_balance,
        opening_date=body.opening_date or today(household),
        include_in_forecast=body.include_in_forecast,
        closing_day=body.closing_day,
        due_day=body.due_day,
        credit_limit=body.credit_limit,
        payment_account_id=_payer_id(body.payment_account_id),
    )
    account = create_account(db.session, household, data)
    db.session.commit()
    return one(_account_json(household, account), 201)


@bp.put("/accounts/<int:account_id>")
@documented(_l("Change, archive or restore an account"), tag=TAG, body=AccountUpdateBody,
            response=AccountOut)
def update_account_item(account_id: int):
    account = get_owned_or_404(Account, account_id)
    household = _household()
    body = read_json(AccountUpdateBody)
    sent = body.model_fields_set - {"archived", "confirm"}
    if sent:
        kind = body.kind or account.kind
        include = account.include_in_forecast
        if "include_in_forecast" in sent:
            include = body.include_in_forecast  # null: by kind again
        data = AccountData(
            name=body.name or account.name,
            kind=kind,
            opening_balance=(body.opening_balance if body.opening_balance is not None
                             else account.opening_balance),
            opening_date=body.opening_date or account.opening_date,
            include_in_forecast=include,
            # Card fields left out are kept, or cleared when the account stops being a card.
            **{
                field: getattr(body, field) if field in sent
                else (getattr(account, field) if kind == "credit_card" else None)
                for field in ("closing_day", "due_day", "credit_limit", "payment_account_id")
            },
        )
        _payer_id(data.payment_account_id)
        update_account(db.session, account, data)
    if body.archived is True and not account.archived:
        # As the page: an account still holding money is archived only once confirmed
        # (409 otherwise, and nothing of this request is saved).
        archive_account(db.session, account, today(household), confirmed=body.confirm)
    elif body.archived is False and account.archived:
        set_account_archived(db.session, account, False)
    db.session.commit()
    return one(_account_json(household, account))

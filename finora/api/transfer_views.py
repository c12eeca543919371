"""Transfers between two of the household's accounts (docs/api.md, "Accounts, entries and
transfers"): a month's list paged in SQL; added, edited and deleted through the transfers
service the page calls."""

from __future__ import annotations

from sqlalchemy import func, select

from finora.api import bp
from finora.api import ledger_json as out
from finora.api.access import caller
from finora.api.body import read_json, read_query
from finora.api.envelope import many, no_content, one
from finora.api.ledger_json import TransferOut
from finora.api.pagination import page_params
from finora.api.schemas_ledger import MonthQuery, TransferBody, TransferUpdateBody
from finora.api.spec import documented
from finora.dates import today
from finora.extensions import db
from finora.models import Household, Transfer
from finora.services.ledger.transfers import (
    TransferData,
    create_transfer,
    delete_transfer,
    update_transfer,
)
from finora.services.planning.periods import month_bounds
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Transfers"


def _household() -> Household:
    return caller().membership.household


@bp.get("/transfers")
@documented(_l("A month's transfers"), tag=TAG, query=MonthQuery, response=TransferOut,
            many=True)
def list_transfer_items():
    household = _household()
    query = read_query(MonthQuery)
    page = page_params()
    day = today(household)
    start, end = month_bounds(query.year or day.year, query.month or day.month)
    conditions = [Transfer.household_id == household.id, Transfer.date >= start,
                  Transfer.date <= end]
    total = db.session.scalar(select(func.count(Transfer.id)).where(*conditions))
    rows = db.session.scalars(
        select(Transfer).where(*conditions).order_by(Transfer.date.desc(), Transfer.id.desc())
        .limit(page.limit).offset(page.offset)
    ).unique()
    return many([out.transfer(row) for row in rows], total=total, limit=page.limit,
                offset=page.offset)


@bp.get("/transfers/<int:transfer_id>")
@documented(_l("One transfer"), tag=TAG, response=TransferOut)
def get_transfer(transfer_id: int):
    return one(out.transfer(get_owned_or_404(Transfer, transfer_id)))


@bp.post("/transfers")
@documented(_l("Move money between two accounts"), tag=TAG, body=TransferBody,
            response=TransferOut, status=201)
def create_transfer_item():
    household = _household()
    body = read_json(TransferBody)
    data = TransferData(
        from_account_id=body.from_account_id,
        to_account_id=body.to_account_id,
        amount=body.amount,
        date=body.date or today(household),
        description=body.description,
    )
    transfer = create_transfer(db.session, household, data, user=caller().user)
    db.session.commit()
    return one(out.transfer(transfer), 201)


@bp.put("/transfers/<int:transfer_id>")
@documented(_l("Change a transfer"), tag=TAG, body=TransferUpdateBody, response=TransferOut)
def update_transfer_item(transfer_id: int):
    transfer = get_owned_or_404(Transfer, transfer_id)
    body = read_json(TransferUpdateBody)
    data = TransferData(
        from_account_id=body.from_account_id or transfer.from_account_id,
        to_account_id=body.to_account_id or transfer.to_account_id,
        amount=body.amount or transfer.amount,
        date=body.date or transfer.date,
        description=(body.description if "description" in body.model_fields_set
                     else transfer.description),
    )
    update_transfer(db.session, transfer, data)
    db.session.commit()
    return one(out.transfer(transfer))


@bp.delete("/transfers/<int:transfer_id>")
@documented(_l("Delete a transfer"), tag=TAG)
def delete_transfer_item(transfer_id: int):
    delete_transfer(db.session, get_owned_or_404(Transfer, transfer_id))
    db.session.commit()
    return no_content()

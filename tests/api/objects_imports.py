"""The role matrix's import objects (tests/api/test_api_roles.py): a committed batch and a
staged upload of the household's owner (a staged upload is its uploader's alone)."""

from __future__ import annotations

from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry, ImportBatch, Membership, User
from finora.services.imports.staging import stage_upload
from tests.ledger_factories import checking_account

COUNTED = (ImportBatch, Entry)

STATEMENT = "Data;Histórico;Valor\n15/01/2026;PAG*Padaria Sol;-12,30\n".encode("cp1252")


def objects(household) -> dict[str, int]:
    owner = db.session.scalar(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.household_id == household.id, Membership.role == "owner")
        .order_by(User.id))
    batch = ImportBatch(household_id=household.id, account_id=checking_account(household).id,
                        file_name="extrato.csv", format="csv", created_by_id=owner.id)
    db.session.add(batch)
    db.session.commit()
    staged = stage_upload(household, owner, "extrato.csv", STATEMENT)
    return {"batch_id": batch.id, "import_token": staged.token}

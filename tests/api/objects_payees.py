"""Payees and tags for the API's role matrix (tests/api/test_api_roles.py): one payee with
a tag on its entry per household."""

from __future__ import annotations

from finora.extensions import db
from finora.models import EntryTag, Payee, PayeePattern, Tag
from tests.ledger_factories import make_entry

COUNTED = (Payee, PayeePattern, Tag, EntryTag)


def objects(household) -> dict[str, int]:
    payee = Payee(household_id=household.id, name="API matrix payee", name_key="api matrix payee")
    tag = Tag(household_id=household.id, name="API matrix tag", name_key="api matrix tag")
    entry = make_entry(household, description="API matrix payee entry", commit=False)
    entry.payee, entry.tags = payee, [tag]
    db.session.add_all([payee, tag])
    db.session.commit()
    return {"payee_id": payee.id, "tag_id": tag.id}

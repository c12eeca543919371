"""Categorisation rules for the API's role matrix (tests/api/test_api_roles.py)."""

from __future__ import annotations

from finora.extensions import db
from finora.models import CategorisationRule
from finora.services.ledger.categorisation import RuleInput, create_rule

COUNTED = (CategorisationRule,)


def objects(household) -> dict[str, int]:
    rule = create_rule(db.session, household, RuleInput(name="API matrix rule", pattern="matrix",
                                                        payment_method="cash"))
    db.session.commit()
    return {"catrule_id": rule.id}

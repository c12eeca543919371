"""Categorisation rules (docs/api.md): list them in order, add one (last), replace one,
delete one. The same services as the page (services/ledger/categorisation.py); applying a
rule to past entries is a page action (with its Undo button) only."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from finora.api import bp
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.schemas import Body
from finora.api.schemas_planning import read_amount
from finora.api.serialize import money
from finora.api.spec import Money, Out, documented
from finora.errors import FieldError
from finora.extensions import db
from finora.models import CategorisationRule
from finora.models.categorisation_rule import RULE_NAME_MAX, RULE_PATTERN_MAX
from finora.models.tag import PAYEE_NAME_MAX
from finora.services.ledger.categorisation import (
    RuleInput,
    create_rule,
    delete_rule,
    list_rules,
    update_rule,
)
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Categorisation rules"
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Amount = Annotated[Decimal, BeforeValidator(read_amount)]
# The JSON names of the service's fields, where they differ.
_FIELDS = {"payee_name": "payee", "entry_kind": "type"}


class RuleOut(Out):
    id: int
    position: int  # the order rules run in (1 first)
    name: str
    enabled: bool
    match_field: str  # description | payee | either
    match_kind: str  # contains | starts_with | regex
    pattern: str
    min_amount: Money | None
    max_amount: Money | None
    account_id: int | None
    type: str  # any | expense | income
    category_id: int | None  # a category or a subcategory
    payee: str | None
    payment_method: str | None
    tags: list[str]  # added to imported entries


class RuleBody(Body):
    """POST /categorisation-rules and PUT /categorisation-rules/<id> (the whole rule)."""

    name: str = Field(min_length=1, max_length=RULE_NAME_MAX)
    pattern: str = Field(min_length=1, max_length=RULE_PATTERN_MAX)
    match_field: Literal["description", "payee", "either"] = "description"
    match_kind: Literal["contains", "starts_with", "regex"] = "contains"
    min_amount: Amount | None = None
    max_amount: Amount | None = None
    account_id: Id | None = None
    type: Literal["any", "expense", "income"] = "any"
    category_id: Id | None = None
    payee: str | None = Field(default=None, max_length=PAYEE_NAME_MAX)
    payment_method: str | None = None
    enabled: bool = True
    tags: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=20)

    def rule_input(self) -> RuleInput:
        return RuleInput(
            name=self.name, pattern=self.pattern, match_field=self.match_field, match_kind=self.match_kind,
            min_amount=self.min_amount, max_amount=self.max_amount, account_id=self.account_id,
            entry_kind=self.type, category_id=self.category_id, payee_name=self.payee,
            payment_method=self.payment_method, enabled=self.enabled, tags=", ".join(self.tags) or None,
        )


def _json(rule: CategorisationRule) -> dict:
    return {
        "id": rule.id, "position": rule.position, "name": rule.name, "enabled": rule.enabled,
        "match_field": rule.match_field, "match_kind": rule.match_kind, "pattern": rule.pattern,
        "min_amount": money(rule.min_amount) if rule.min_amount is not None else None,
        "max_amount": money(rule.max_amount) if rule.max_amount is not None else None,
        "account_id": rule.account_id, "type": rule.entry_kind, "category_id": rule.category_id,
        "payee": rule.payee_name, "payment_method": rule.payment_method,
        "tags": [name.strip() for name in (rule.tags or "").split(",") if name.strip()],
    }


def _refused(error: FieldError) -> ApiValidationError:
    name = _FIELDS.get(error.field or "", error.field or "name")
    return ApiValidationError({name: error.message}, error.message)


@bp.get("/categorisation-rules")
@documented(_l("The household's categorisation rules, in order"), tag=TAG, response=RuleOut, many=True)
def list_catrule_items():
    page = page_params()
    rules = list_rules(db.session, caller().membership.household)
    return many([_json(rule) for rule in page.cut(rules)], total=len(rules), limit=page.limit, offset=page.offset)


@bp.post("/categorisation-rules")
@documented(_l("Add a categorisation rule (it runs last)"), tag=TAG, body=RuleBody, response=RuleOut, status=201)
def create_catrule_item():
    body = read_json(RuleBody)
    try:
        rule = create_rule(db.session, caller().membership.household, body.rule_input())
    except FieldError as error:
        db.session.rollback()
        raise _refused(error) from None
    db.session.commit()
    return one(_json(rule), 201)


@bp.put("/categorisation-rules/<int:catrule_id>")
@documented(_l("Replace a categorisation rule"), tag=TAG, body=RuleBody, response=RuleOut)
def update_catrule_item(catrule_id: int):
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    body = read_json(RuleBody)
    try:
        update_rule(db.session, caller().membership.household, rule, body.rule_input())
    except FieldError as error:
        db.session.rollback()
        raise _refused(error) from None
    db.session.commit()
    return one(_json(rule))


@bp.delete("/categorisation-rules/<int:catrule_id>")
@documented(_l("Delete a categorisation rule"), tag=TAG)
def delete_catrule_item(catrule_id: int):
    delete_rule(db.session, get_owned_or_404(CategorisationRule, catrule_id))
    db.session.commit()
    return no_content()

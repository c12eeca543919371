"""Categorisation rules (docs/api.md): list them in order, add one (last), replace one,
delete one, move one up or down, see which past entries one would change and apply it to
them. The same services as the page (services/ledger/categorisation.py,
services/undo/categorisation.py); the API's apply keeps no undo record (no message to show
an Undo button in, as the API's deletions)."""

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
    move_rule,
    update_rule,
)
from finora.services.ledger.categorisation_preview import preview_rule
from finora.services.undo.categorisation import apply_rule
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


class MoveBody(Body):
    """POST /categorisation-rules/<id>/move: -1 runs it one place earlier, 1 one later."""

    step: Literal[-1, 1]


class PreviewOut(Out):
    count: int  # the entries applying the rule would change
    scanned: int  # the candidates looked at (the newest 20 000 at most)
    limited: bool  # there were more candidates than that
    entry_ids: list[int]  # the newest of them, 10 at most


class AppliedOut(Out):
    changed: int  # the entries that were changed


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


@bp.post("/categorisation-rules/<int:catrule_id>/move")
@documented(_l("Move a categorisation rule one place up or down"), tag=TAG, body=MoveBody, response=RuleOut,
            description=_l("`step` -1 runs it before the rule above it, 1 after the rule below it; "
                           "the first stays first and the last stays last. Positions are renumbered 1…n."))
def move_catrule_item(catrule_id: int):
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    body = read_json(MoveBody)
    move_rule(db.session, caller().membership.household, rule, body.step)
    db.session.commit()
    return one(_json(rule))


@bp.get("/categorisation-rules/<int:catrule_id>/preview")
@documented(_l("The past entries a categorisation rule would change"), tag=TAG, response=PreviewOut,
            description=_l("What `POST …/apply` would change now; nothing is written."))
def preview_catrule_item(catrule_id: int):
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    preview = preview_rule(db.session, caller().membership.household, rule)
    return one({"count": preview.count, "scanned": preview.scanned, "limited": preview.limited,
                "entry_ids": [change.entry_id for change in preview.sample]})


@bp.post("/categorisation-rules/<int:catrule_id>/apply")
@documented(_l("Apply a categorisation rule to the past entries it would change"), tag=TAG,
            response=AppliedOut,
            description=_l("Every matched entry gets what the rule sets (category, payee, payment method) "
                           "and the rule's tags it lacks, even what was set before; a rule with a category "
                           "leaves split entries alone. The API keeps no undo for it."))
def apply_catrule_item(catrule_id: int):
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    applied = apply_rule(db.session, caller().membership.household, rule)
    db.session.commit()
    return one({"changed": applied.count if applied else 0})

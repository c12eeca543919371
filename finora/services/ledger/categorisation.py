"""Categorisation rules: "when the description (or payee) contains, starts with or matches
…, the amount is in a range, the account is …, then set the category, the payee and the
payment method".

Rules run in `position` order. Each action field (category, payee, payment method) is set
by the FIRST enabled rule that matches and sets it: a later rule fills only the fields the
earlier ones left unset, it never overrides them. A rule whose category is of one kind
(income or expense) only matches entries of that kind.

Text matching is case- and accent-insensitive. A regex is compiled once, at most
RULE_PATTERN_MAX characters long, refused when it nests repetitions ("(a+)+", the usual
catastrophic backtracking), and run on the first TEXT_CAP characters of the text only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import Account, CategorisationRule, Category, Household
from finora.models.categorisation_rule import (
    ENTRY_KINDS,
    MATCH_FIELDS,
    MATCH_KINDS,
    RULE_NAME_MAX,
    RULE_PATTERN_MAX,
    RULE_TAGS_MAX,
)
from finora.models.entry import PAYMENT_METHODS
from finora.services.ledger.payees import _plain, clean_payee_name
from finora.services.ledger.tags import parse_tags
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

TEXT_CAP = 300
# A group holding a repetition, itself repeated: "(a+)+", "(\w*)*", "(x+|y)+{2,}".
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
ACTION_FIELDS = ("category", "payee", "payment_method", "tags")


def _fold(text: str | None) -> str:
    return _plain(text or "")[:TEXT_CAP].casefold()


def compile_pattern(kind: str, pattern: str) -> re.Pattern[str] | None:
    """The compiled regex for `regex` rules (None for the others); FieldError when refused."""
    if kind != "regex":
        return None
    if len(pattern) > RULE_PATTERN_MAX:
        raise FieldError("pattern", _l("Use at most %(count)d characters.", count=RULE_PATTERN_MAX))
    if _NESTED.search(pattern):
        raise FieldError("pattern", _l("This pattern repeats a repetition, which can take too long: simplify it."))
    try:
        return re.compile(_fold(pattern) if pattern.isascii() else _plain(pattern).casefold())
    except re.error:
        raise FieldError("pattern", _l("This is not a valid regular expression.")) from None


@dataclass
class Matcher:
    """One rule, ready to test entries (plain values, no database)."""

    rule_id: int
    name: str
    match_field: str
    match_kind: str
    pattern: str
    regex: re.Pattern[str] | None
    min_amount: Decimal | None
    max_amount: Decimal | None
    account_id: int | None
    kind: str | None
    actions: dict[str, object] = field(default_factory=dict)

    def matches(self, *, description: str, payee: str | None, amount: Decimal, account_id: int, kind: str) -> bool:
        if self.kind is not None and kind != self.kind:
            return False
        if self.account_id is not None and account_id != self.account_id:
            return False
        if self.min_amount is not None and amount < self.min_amount:
            return False
        if self.max_amount is not None and amount > self.max_amount:
            return False
        texts = {"description": [description], "payee": [payee or ""], "either": [description, payee or ""]}
        return any(self._text_matches(_fold(text)) for text in texts[self.match_field] if text)

    def _text_matches(self, text: str) -> bool:
        if self.regex is not None:
            return self.regex.search(text) is not None
        if self.match_kind == "starts_with":
            return text.startswith(self.pattern)
        return self.pattern in text


@dataclass
class Outcome:
    """What the rules set for one entry, and which rule set each field."""

    values: dict[str, object] = field(default_factory=dict)
    rule_names: dict[str, str] = field(default_factory=dict)

    @property
    def category_rule(self) -> str | None:
        return self.rule_names.get("category")


def matcher_for(rule: CategorisationRule, category: Category | None) -> Matcher:
    actions: dict[str, object] = {}
    kind = None if rule.entry_kind == "any" else rule.entry_kind
    if category is not None:
        actions["category"] = category.id
        kind = category.kind
    if rule.payee_name:
        actions["payee"] = rule.payee_name
    if rule.payment_method:
        actions["payment_method"] = rule.payment_method
    if rule.tags:
        actions["tags"] = tuple(parse_tags(rule.tags))
    return Matcher(
        rule_id=rule.id, name=rule.name, match_field=rule.match_field, match_kind=rule.match_kind,
        pattern=_fold(rule.pattern), regex=compile_pattern(rule.match_kind, rule.pattern),
        min_amount=rule.min_amount, max_amount=rule.max_amount, account_id=rule.account_id,
        kind=kind, actions=actions,
    )


def household_matchers(session: Session, household: Household) -> list[Matcher]:
    """The household's enabled rules in order (read once per import or form)."""
    result = []
    for rule in list_rules(session, household):
        if not rule.enabled:
            continue
        category = session.get(Category, rule.category_id) if rule.category_id else None
        if category is not None and category.archived:
            category = None
        try:
            result.append(matcher_for(rule, category))
        except FieldError:  # a pattern saved before a stricter check: the rule is skipped
            continue
    return result


def categorise(
    matchers: list[Matcher], *, description: str, payee: str | None, amount: Decimal, account_id: int, kind: str,
) -> Outcome:
    """First matching rule wins per action field (module docstring)."""
    outcome = Outcome()
    for matcher in matchers:
        missing = [name for name in matcher.actions if name not in outcome.values]
        if not missing:
            continue
        if matcher.matches(description=description, payee=payee, amount=amount, account_id=account_id, kind=kind):
            for name in missing:
                outcome.values[name] = matcher.actions[name]
                outcome.rule_names[name] = matcher.name
        if len(outcome.values) == len(ACTION_FIELDS):
            break
    return outcome


# -- the rules themselves ------------------------------------------------------------------

def list_rules(session: Session, household: Household) -> list[CategorisationRule]:
    return list(session.scalars(
        select(CategorisationRule).where(CategorisationRule.household_id == household.id)
        .order_by(CategorisationRule.position, CategorisationRule.id)
    ))


@dataclass
class RuleInput:
    name: str
    pattern: str
    match_field: str = "description"
    match_kind: str = "contains"
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    account_id: int | None = None
    entry_kind: str = "any"
    category_id: int | None = None
    payee_name: str | None = None
    payment_method: str | None = None
    enabled: bool = True
    tags: str | None = None


def _checked(session: Session, household: Household, data: RuleInput) -> RuleInput:
    name = " ".join((data.name or "").split())
    if not name:
        raise FieldError("name", _l("Enter a name."))
    if len(name) > RULE_NAME_MAX:
        raise FieldError("name", _l("Use at most %(count)d characters.", count=RULE_NAME_MAX))
    pattern = (data.pattern or "").strip()
    if not pattern:
        raise FieldError("pattern", _l("Enter the text to look for."))
    if len(pattern) > RULE_PATTERN_MAX:
        raise FieldError("pattern", _l("Use at most %(count)d characters.", count=RULE_PATTERN_MAX))
    if data.match_field not in MATCH_FIELDS:
        raise FieldError("match_field", _l("Choose where to look."))
    if data.match_kind not in MATCH_KINDS:
        raise FieldError("match_kind", _l("Choose how to compare."))
    if data.entry_kind not in ENTRY_KINDS:
        raise FieldError("entry_kind", _l("Choose a kind."))
    compile_pattern(data.match_kind, pattern)
    for name_, value in (("min_amount", data.min_amount), ("max_amount", data.max_amount)):
        if value is not None and value < 0:
            raise FieldError(name_, _l("Enter an amount of zero or more."))
    if data.min_amount is not None and data.max_amount is not None and data.min_amount > data.max_amount:
        raise FieldError("max_amount", _l("The largest amount must not be below the smallest."))
    if data.account_id is not None:
        account = session.get(Account, data.account_id)
        if account is None or account.household_id != household.id:
            raise FieldError("account_id", _l("Choose an account."))
    if data.category_id is not None:
        category = session.get(Category, data.category_id)
        if category is None or category.household_id != household.id or category.archived:
            raise FieldError("category_id", _l("Choose a category."))
        if data.entry_kind != "any" and data.entry_kind != category.kind:
            raise FieldError("category_id", _l("Choose a category of the rule's kind."))
    payee_name = clean_payee_name(data.payee_name, "payee_name") or None
    if data.payment_method is not None and data.payment_method not in PAYMENT_METHODS:
        raise FieldError("payment_method", _l("Choose a payment method."))
    tags = ", ".join(parse_tags(data.tags)) or None
    if tags is not None and len(tags) > RULE_TAGS_MAX:
        raise FieldError("tags", _l("Use at most %(count)d characters.", count=RULE_TAGS_MAX))
    data.tags = tags
    if data.category_id is None and payee_name is None and data.payment_method is None and tags is None:
        raise FieldError("category_id", _l("Choose at least one thing the rule sets."))
    data.name, data.pattern, data.payee_name = name, pattern, payee_name
    return data


def _assign(rule: CategorisationRule, data: RuleInput) -> None:
    for name in ("name", "pattern", "match_field", "match_kind", "min_amount", "max_amount", "account_id",
                 "entry_kind", "category_id", "payee_name", "payment_method", "enabled", "tags"):
        setattr(rule, name, getattr(data, name))


def create_rule(session: Session, household: Household, data: RuleInput) -> CategorisationRule:
    data = _checked(session, household, data)
    last = session.scalar(
        select(func.max(CategorisationRule.position)).where(CategorisationRule.household_id == household.id)
    )
    rule = CategorisationRule(household_id=household.id, position=(last or 0) + 1)
    _assign(rule, data)
    session.add(rule)
    session.flush()
    audit.record(session, "categorisation_rule.created", object=rule)
    return rule


def update_rule(session: Session, household: Household, rule: CategorisationRule, data: RuleInput) -> None:
    data = _checked(session, household, data)
    _assign(rule, data)
    session.flush()
    audit.record(session, "categorisation_rule.updated", object=rule)


def delete_rule(session: Session, rule: CategorisationRule) -> None:
    audit.record(session, "categorisation_rule.deleted", object=rule, details={"name": rule.name})
    session.delete(rule)
    session.flush()


def move_rule(session: Session, household: Household, rule: CategorisationRule, step: int) -> None:
    """Move the rule one place up (step -1) or down (+1); positions are renumbered 1..n."""
    rules = list_rules(session, household)
    index = next(i for i, r in enumerate(rules) if r.id == rule.id)
    target = index + step
    if 0 <= target < len(rules):
        rules[index], rules[target] = rules[target], rules[index]
    for position, row in enumerate(rules, start=1):
        row.position = position
    session.flush()


def draft_rule(session: Session, household: Household, data: RuleInput) -> CategorisationRule:
    """A checked rule that is never saved (not added to the session): for a preview."""
    rule = CategorisationRule(household_id=household.id, enabled=True)
    _assign(rule, _checked(session, household, data))
    return rule


def rule_payee(
    session: Session, household: Household, *, description: str, amount: Decimal, account_id: int, kind: str,
) -> str | None:
    """The payee the household's rules give a new entry typed without one (only the payee:
    the category and payment method a person picks in a form are never overridden)."""
    matchers = [m for m in household_matchers(session, household) if "payee" in m.actions]
    if not matchers:
        return None
    outcome = categorise(matchers, description=description, payee=None, amount=amount,
                         account_id=account_id, kind=kind)
    value = outcome.values.get("payee")
    return str(value) if value else None


def category_labels(session: Session, household: Household) -> dict[int, str]:
    """category id -> "Food › Groceries", for showing what rules set."""
    rows = list(session.scalars(select(Category).where(Category.household_id == household.id)))
    by_id = {c.id: c for c in rows}
    return {
        c.id: (f"{by_id[c.parent_id].label} › {c.label}" if c.parent_id in by_id else str(c.label)) for c in rows
    }

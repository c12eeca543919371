"""PyCashFlow's planning endpoints on Finora's recurring rules (docs/api.md, "Schedules,
scenarios, holds and skips"): schedules are ledger rules, scenarios what-if rules, a hold
is a rule paused (RecurringRule.hold_until), a skip one occurrence left out. Each view
calls the service the rules and forecast pages call, then commits."""

from __future__ import annotations

from datetime import date

from flask import abort

from finora.api import bp
from finora.api import planning_json as out
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.responses_planning import HoldOut, ScheduleOut, SkipOut
from finora.api.schemas_planning import HoldBody, ScheduleBody, ScheduleUpdateBody, SkipBody
from finora.api.spec import documented
from finora.dates import date_window, in_window, today, window_message
from finora.errors import FieldError
from finora.extensions import db
from finora.forecast.recurrence import occurrences
from finora.models import Household, RecurringRule, Skip
from finora.services.imports.suggest import default_pair
from finora.services.ledger.accounts import primary_account
from finora.services.ledger.catalogue import category_tree
from finora.services.planning.posting import post_rule_now, rule_spec
from finora.services.planning.rules import (
    RuleData,
    calendar_of,
    create_rule,
    delete_rule,
    list_rules,
    list_scenarios,
    next_occurrences,
    pause_rule,
    resume_rule,
    skips_by_rule,
    update_rule,
)
from finora.services.planning.skips import (
    is_occurrence,
    list_skips,
    restore_occurrence,
    skip_occurrence,
)
from finora.tenancy import get_owned_or_404
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

# Body field names (PyCashFlow's) for the service's (Finora's) field names in its errors.
_FIELD_NAMES = {"kind": "type", "anchor_date": "first_date"}

HOLD_IN_THE_PAST = _l("A hold must last until a day after today.")


def _household() -> Household:
    return caller().membership.household


# ---- schedules and scenarios ---------------------------------------------------------


def _owned_rule(rule_id: int, *, scenario: bool) -> RecurringRule:
    """The caller's household's rule of that sort (a schedule is not a scenario): else 404."""
    rule = get_owned_or_404(RecurringRule, rule_id)
    if bool(rule.is_scenario) != scenario:
        abort(404)
    return rule


def _start_dates(household: Household, rules: list[RecurringRule]) -> dict[int, date]:
    """Each rule's start_date: its next occurrence not yet past (nominal), else its anchor."""
    on, calendar = today(household), calendar_of(household)
    skips = skips_by_rule(db.session, household)
    starts: dict[int, date] = {}
    for rule in rules:
        upcoming = next_occurrences(rule, on, calendar, count=1, skips=skips.get(rule.id, frozenset()))
        starts[rule.id] = upcoming[0].nominal if upcoming else rule.anchor_date
    return starts


def _schedule_json(household: Household, rule: RecurringRule) -> dict:
    return out.schedule(rule, _start_dates(household, [rule])[rule.id])


def _listed(rules: list[RecurringRule]):
    household = _household()
    page = page_params()
    shown = page.cut(rules)
    starts = _start_dates(household, shown)
    return many([out.schedule(rule, starts[rule.id]) for rule in shown],
                total=len(rules), limit=page.limit, offset=page.offset)


def _default_category(household: Household, kind: str) -> tuple[int | None, int | None]:
    """The kind's catch-all category, as imports choose it (PyCashFlow has no categories)."""
    categories = []
    for node in category_tree(db.session, household, kind):
        categories.append(node.category)
        categories.extend(node.children)
    return default_pair(categories, kind) or (None, None)


def _saved(rule_call):
    """Run a service call, naming the body's fields in what it refuses."""
    from finora.errors import FieldError

    try:
        return rule_call()
    except FieldError as error:
        if error.field:
            field = _FIELD_NAMES.get(error.field, error.field)
            raise ApiValidationError({field: error.message}, error.message) from None
        raise


def _create(scenario: bool):
    household = _household()
    body = read_json(ScheduleBody)
    anchor = body.first_date or body.start_date
    if anchor is None:
        raise ApiValidationError({"start_date": _("Enter the date of the first occurrence.")})
    account_id = body.account_id
    if account_id is None:
        primary = primary_account(db.session, household)
        account_id = primary.id if primary is not None else None
    category_id, subcategory_id = body.category_id, body.subcategory_id
    if category_id is None:
        category_id, subcategory_id = _default_category(household, body.type)
    data = RuleData(
        name=body.name, kind=body.type, amount=body.amount, account_id=account_id,
        category_id=category_id, subcategory_id=subcategory_id, frequency=body.frequency,
        anchor_date=anchor, end_date=body.end_date,
    )
    rule = _saved(lambda: create_rule(db.session, household, data, scenario=scenario))
    post_rule_now(db.session, rule)  # due occurrences reach the ledger now, as on the page
    db.session.commit()
    return one(_schedule_json(household, rule), 201)


def _update(rule: RecurringRule):
    household = _household()
    body = read_json(ScheduleUpdateBody)
    sent = body.model_fields_set
    anchor = rule.anchor_date
    if body.first_date is not None:
        anchor = body.first_date
    elif body.start_date is not None:
        # A start date other than the one shown moves the schedule to start there.
        if body.start_date != _start_dates(household, [rule])[rule.id]:
            anchor = body.start_date
    kind = body.type or rule.kind
    category_id, subcategory_id = rule.category_id, rule.subcategory_id
    if "category_id" in sent:
        category_id, subcategory_id = body.category_id, body.subcategory_id
    elif "subcategory_id" in sent:
        subcategory_id = body.subcategory_id
    if kind != rule.kind and "category_id" not in sent:
        category_id, subcategory_id = _default_category(household, kind)
    data = RuleData(
        name=body.name or rule.name,
        kind=kind,
        amount=body.amount or rule.amount,
        account_id=body.account_id or rule.account_id,
        category_id=category_id,
        subcategory_id=subcategory_id,
        payment_method=rule.payment_method,
        frequency=body.frequency or rule.frequency,
        anchor_date=anchor,
        end_date=body.end_date if "end_date" in sent else rule.end_date,
        business_day_policy="default" if kind != rule.kind else rule.business_day_policy,
        auto_post=rule.auto_post,
        mark_paid=rule.mark_paid,
    )
    _saved(lambda: update_rule(db.session, rule, data))
    post_rule_now(db.session, rule)
    db.session.commit()
    return one(_schedule_json(household, rule))


def _delete(rule: RecurringRule):
    delete_rule(db.session, rule)
    db.session.commit()
    return no_content()


@bp.get("/schedules")
@documented(_l("The schedules"), tag="Schedules", response=ScheduleOut, many=True)
def list_schedules():
    return _listed(list_rules(db.session, _household()))


@bp.post("/schedules")
@documented(_l("Create a schedule"), tag="Schedules", body=ScheduleBody, response=ScheduleOut, status=201)
def create_schedule():
    return _create(scenario=False)


@bp.put("/schedules/<int:rule_id>")
@documented(_l("Change a schedule"), tag="Schedules", body=ScheduleUpdateBody, response=ScheduleOut)
def update_schedule(rule_id: int):
    return _update(_owned_rule(rule_id, scenario=False))


@bp.delete("/schedules/<int:rule_id>")
@documented(_l("Delete a schedule"), tag="Schedules")
def delete_schedule(rule_id: int):
    return _delete(_owned_rule(rule_id, scenario=False))


@bp.get("/scenarios")
@documented(_l("The scenarios (what-if rules)"), tag="Scenarios", response=ScheduleOut, many=True)
def list_scenario_items():
    return _listed(list_scenarios(db.session, _household()))


@bp.post("/scenarios")
@documented(_l("Create a scenario"), tag="Scenarios", body=ScheduleBody, response=ScheduleOut, status=201)
def create_scenario():
    return _create(scenario=True)


@bp.put("/scenarios/<int:rule_id>")
@documented(_l("Change a scenario"), tag="Scenarios", body=ScheduleUpdateBody, response=ScheduleOut)
def update_scenario(rule_id: int):
    return _update(_owned_rule(rule_id, scenario=True))


@bp.delete("/scenarios/<int:rule_id>")
@documented(_l("Delete a scenario"), tag="Scenarios")
def delete_scenario(rule_id: int):
    return _delete(_owned_rule(rule_id, scenario=True))


# ---- holds -----------------------------------------------------------------------------


def _indefinitely() -> date:
    """A hold with no end: until the last day Finora accepts (shown as `until: null`)."""
    return date_window()[1]


def _held(household: Household) -> list[RecurringRule]:
    """Schedules paused now: a hold whose day has come holds nothing more."""
    on = today(household)
    return [r for r in list_rules(db.session, household) if r.hold_until is not None and r.hold_until > on]


@bp.get("/holds")
@documented(_l("The schedules paused now"), tag="Holds", response=HoldOut, many=True)
def list_holds():
    held = _held(_household())
    page = page_params()
    indefinite = _indefinitely()
    return many([out.hold(rule, indefinite=indefinite) for rule in page.cut(held)],
                total=len(held), limit=page.limit, offset=page.offset)


@bp.post("/holds")
@documented(_l("Pause a schedule"), tag="Holds", body=HoldBody, response=HoldOut, status=201)
def create_hold():
    body = read_json(HoldBody)
    rule = _owned_rule(body.schedule_id, scenario=False)
    if body.until is not None and body.until <= today(_household()):
        # A hold ends the day before `until`: one ending today or earlier would hold nothing.
        raise FieldError("until", HOLD_IN_THE_PAST)
    until = body.until or _indefinitely()
    _saved(lambda: pause_rule(db.session, rule, until))
    db.session.commit()
    return one(out.hold(rule, indefinite=_indefinitely()), 201)


def _release(rule: RecurringRule) -> None:
    resume_rule(db.session, rule)
    post_rule_now(db.session, rule)  # as the page's "Resume": what is due now is posted


@bp.delete("/holds/<int:hold_id>")
@documented(_l("Resume a schedule"), tag="Holds")
def delete_hold(hold_id: int):
    rule = _owned_rule(hold_id, scenario=False)
    if rule not in _held(_household()):
        abort(404)
    _release(rule)
    db.session.commit()
    return no_content()


@bp.delete("/holds")
@documented(_l("Resume every paused schedule"), tag="Holds")
def delete_all_holds():
    for rule in _held(_household()):
        _release(rule)
    db.session.commit()
    return no_content()


# ---- skips -----------------------------------------------------------------------------


def _skip_json(row: Skip, household: Household) -> dict:
    return out.skip(row, db.session.get(RecurringRule, row.rule_id), calendar_of(household))


@bp.get("/skips")
@documented(_l("The skipped occurrences"), tag="Skips", response=SkipOut, many=True)
def list_skip_items():
    household = _household()
    rows = list_skips(db.session, household)
    rules = {rule.id: rule for rule in list_rules(db.session, household)}
    rows = [row for row in rows if row.rule_id in rules]  # schedules' skips, not scenarios'
    page = page_params()
    calendar = calendar_of(household)
    return many([out.skip(row, rules[row.rule_id], calendar) for row in page.cut(rows)],
                total=len(rows), limit=page.limit, offset=page.offset)


def _occurrence_on(household: Household, rule: RecurringRule, day: date | None) -> date:
    """The nominal date to skip: `day` itself when it is one of the rule's dates, else the
    occurrence shown on `day` (after the business-day rule); none given: the next one."""
    calendar = calendar_of(household)
    if day is None:
        skips = skips_by_rule(db.session, household).get(rule.id, frozenset())
        upcoming = next_occurrences(rule, today(household), calendar, count=1, skips=skips)
        if not upcoming:
            raise ApiValidationError({"schedule_id": _("This schedule has no occurrence ahead to skip.")})
        return upcoming[0].nominal
    if not in_window(day):
        raise ApiValidationError({"date": window_message()})
    if is_occurrence(rule, day):
        return day
    shown = [o for o in occurrences(rule_spec(rule), day, day, calendar) if o.date == day]
    if not shown:
        raise ApiValidationError({"date": _("That date is not an occurrence of this schedule.")})
    return shown[0].nominal


@bp.post("/skips")
@documented(_l("Skip one occurrence"), tag="Skips", body=SkipBody, response=SkipOut, status=201)
def create_skip():
    household = _household()
    body = read_json(SkipBody)
    rule = _owned_rule(body.schedule_id, scenario=False)
    nominal = _occurrence_on(household, rule, body.date)
    skip_occurrence(db.session, rule, nominal)
    db.session.commit()
    row = next(r for r in list_skips(db.session, household)
               if r.rule_id == rule.id and r.occurrence_date == nominal)
    return one(_skip_json(row, household), 201)


@bp.delete("/skips/<int:skip_id>")
@documented(_l("Count a skipped occurrence again"), tag="Skips")
def delete_skip(skip_id: int):
    row = get_owned_or_404(Skip, skip_id)
    rule = db.session.get(RecurringRule, row.rule_id)
    if rule.is_scenario:  # /skips is about schedules only
        abort(404)
    restore_occurrence(db.session, rule, row.occurrence_date)
    db.session.commit()
    return no_content()


@bp.delete("/skips")
@documented(_l("Count every skipped occurrence again"), tag="Skips")
def delete_all_skips():
    household = _household()
    rules = {rule.id: rule for rule in list_rules(db.session, household)}
    for row in list_skips(db.session, household):
        if row.rule_id in rules:
            restore_occurrence(db.session, rules[row.rule_id], row.occurrence_date)
    db.session.commit()
    return no_content()

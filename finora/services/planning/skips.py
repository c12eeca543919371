"""Skipping one occurrence of a rule, and restoring it. An occurrence is keyed by the rule
and its unadjusted (nominal) date — never by name or position (DESIGN §4)."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.forecast.recurrence import nominal_dates_between
from finora.models import Household, RecurringRule, Skip
from finora.services.planning.posting import rule_spec
from finora.translation import lazy_gettext as _l


def is_occurrence(rule: RecurringRule, nominal: date) -> bool:
    """Whether `nominal` is one of the rule's own (unadjusted) dates."""
    # The rule's own schedule; holds and skips do not change which dates are occurrences.
    return nominal_dates_between(rule_spec(rule), nominal, nominal) == [nominal]


def skip_occurrence(session: Session, rule: RecurringRule, nominal: date) -> None:
    """Leave the occurrence out of the forecast and of posting. Skipping twice is harmless."""
    if not is_occurrence(rule, nominal):
        raise FinoraError(_l("That date is not an occurrence of this rule."))
    exists = session.scalar(
        select(Skip.id).where(Skip.rule_id == rule.id, Skip.occurrence_date == nominal)
    )
    if exists is not None:
        return
    try:
        with session.begin_nested():
            session.add(Skip(household_id=rule.household_id, rule_id=rule.id, occurrence_date=nominal))
    except IntegrityError:
        return  # skipped at the same moment by another request: the same result


def restore_occurrence(session: Session, rule: RecurringRule, nominal: date) -> bool:
    """Count the occurrence again; False when it was not skipped."""
    result = session.execute(
        delete(Skip).where(Skip.rule_id == rule.id, Skip.occurrence_date == nominal)
    )
    return bool(cast("CursorResult[Any]", result).rowcount)


def list_skips(session: Session, household: Household) -> list[Skip]:
    """The household's skipped occurrences, soonest first (the API's /skips)."""
    return list(
        session.scalars(
            select(Skip)
            .where(Skip.household_id == household.id)
            .order_by(Skip.occurrence_date, Skip.id)
        )
    )

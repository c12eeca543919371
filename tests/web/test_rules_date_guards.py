"""Rule dates a slip would get wrong: pausing until a day already past is refused beside the
field, and neither the rule form's last date nor the list's "End on" starts at today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from finora.models import RecurringRule
from tests.ledger_factories import field_error, field_tag, input_value, reload
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_pausing_until_a_past_date_is_refused_beside_the_field(signed_in, household):
    rule = make_rule(household)
    response = signed_in.post(f"/rules/{rule.id}/hold", data={"until": "2026-01-14"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        field_error(page, f"until-{rule.id}")
        == "Choose today or a later date: the pause starts now."
    )
    assert input_value(page, f"until-{rule.id}") == "2026-01-14"  # kept to correct
    assert reload(RecurringRule, rule.id).hold_until is None


def test_pausing_until_today_or_later_is_accepted(signed_in, household):
    rule = make_rule(household)
    assert signed_in.post(f"/rules/{rule.id}/hold", data={"until": "2026-01-15"}).status_code == 302
    assert reload(RecurringRule, rule.id).hold_until == date(2026, 1, 15)


def test_the_pause_field_offers_no_past_day(signed_in, household):
    rule = make_rule(household)
    page = signed_in.get("/rules").get_data(as_text=True)
    assert 'min="2026-01-15"' in field_tag(page, f"until-{rule.id}")


def test_no_end_date_is_filled_in_for_the_user(signed_in, household):
    rule = make_rule(household)
    assert input_value(signed_in.get("/rules").get_data(as_text=True), f"end_on-{rule.id}") == ""
    assert input_value(signed_in.get("/rules/new").get_data(as_text=True), "end_date") == ""
    assert input_value(signed_in.get(f"/rules/{rule.id}/edit").get_data(as_text=True), "end_date") == ""
    # Ending still needs a date of the user's choosing.
    response = signed_in.post(f"/rules/{rule.id}/end", data={"end_on": ""})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"end_on-{rule.id}") == "Enter the last date."
    assert reload(RecurringRule, rule.id).end_date is None

"""Household settings: name, time zone and the country whose holidays move rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry
from finora.services.planning.posting import post_due_occurrences
from tests.planning_factories import make_rule


def form(**overrides):
    data = {"name": "The Limas", "timezone": "America/Recife", "country": "BR"}
    data.update(overrides)
    return data


def test_save_the_settings(signed_in, user):
    page = signed_in.get("/household").get_data(as_text=True)
    assert 'value="Household' in page and "Brazil" in page
    response = signed_in.post("/household", data=form())
    assert response.status_code == 302
    household = user.memberships[0].household
    db.session.refresh(household)
    assert (household.name, household.timezone, household.country) == (
        "The Limas",
        "America/Recife",
        "BR",
    )
    signed_in.post("/household", data=form(country=""))
    db.session.refresh(household)
    assert household.country is None


def test_bad_input_keeps_what_was_typed(signed_in, user):
    for bad in ({"country": "XX"}, {"timezone": "Mars/Olympus"}, {"name": ""}):
        response = signed_in.post("/household", data=form(**bad))
        assert response.status_code == 422
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    household = user.memberships[0].household
    db.session.refresh(household)
    assert household.country is None and household.timezone == "America/Sao_Paulo"


def test_the_country_moves_rules_off_its_public_holidays(signed_in, user):
    household = user.memberships[0].household
    signed_in.post("/household", data=form(country="BR", timezone="America/Sao_Paulo"))
    # 2026-04-21 (Tiradentes) is a Tuesday: a bill due then moves to Wednesday.
    rule = make_rule(household, anchor_date=date(2026, 4, 21), business_day_policy="next")
    with time_machine.travel(datetime(2026, 4, 23, 15, tzinfo=UTC), tick=False):
        post_due_occurrences(db.session)
        db.session.commit()
    posted = db.session.scalar(select(Entry.date).where(Entry.rule_id == rule.id))
    assert posted == date(2026, 4, 22)


def test_minimum_safe_balance_is_saved_in_cents_and_can_be_cleared(signed_in, user):
    household = user.memberships[0].household
    signed_in.post("/household", data=form(minimum_safe_balance="1,234.56"))
    db.session.refresh(household)
    assert household.minimum_safe_balance == Decimal("1234.56")
    page = signed_in.get("/household").get_data(as_text=True)
    assert 'value="1234.56"' in page
    signed_in.post("/household", data=form(minimum_safe_balance=""))
    db.session.refresh(household)
    assert household.minimum_safe_balance is None


def test_a_negative_or_unreadable_minimum_is_refused_and_kept(signed_in, user):
    for typed in ("-5.00", "12abc"):
        response = signed_in.post("/household", data=form(minimum_safe_balance=typed))
        assert response.status_code == 422
        assert f'value="{typed}"' in response.get_data(as_text=True)
    household = user.memberships[0].household
    db.session.refresh(household)
    assert household.minimum_safe_balance is None and household.name != "The Limas"

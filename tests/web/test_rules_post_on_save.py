"""Saving an auto-post rule posts its due occurrences in the same request, through the
scheduler's posting service (once, within its cap), says so in the flash, and the rules
page and form say when the next automatic posting happens."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry
from finora.services.planning.posting import POST_CAP, post_due_occurrences
from tests.planning_factories import make_rule
from tests.web.test_rules import card, entries_of, rule_form, rules_of, text

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def entry_count(household) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Entry.id)).where(Entry.household_id == household.id))


def test_a_new_rule_posts_what_is_due_at_once_and_says_so(signed_in, household):
    data = rule_form(household, anchor_date="2025-12-10", business_day_policy="none")
    response = signed_in.post("/rules/new", data=data)
    assert response.status_code == 302
    [rule] = rules_of(household)
    # Dec 10 and Jan 10 were due: on the ledger before the scheduler ever runs.
    assert entries_of(rule.id) == [
        (date(2025, 12, 10), Decimal("1500.00")),
        (date(2026, 1, 10), Decimal("1500.00")),
    ]
    page = text(signed_in.get("/rules").get_data(as_text=True))
    assert "Rule “Rent” created." in page
    assert "2 entries posted: 12/10/25, 1/10/26." in page
    # The scheduler finds nothing left to post: the same unique key, posted once.
    assert post_due_occurrences(db.session) == 0
    db.session.commit()
    assert entry_count(household) == 2


def test_the_rules_page_and_form_say_when_the_next_posting_happens(signed_in, household):
    rule = make_rule(household, anchor_date=date(2026, 1, 31), business_day_policy="next")
    item = text(card(signed_in.get("/rules").get_data(as_text=True), rule.id))
    # Jan 31 2026 is a Saturday: posted on Monday Feb 2, its adjusted date.
    assert "Next automatic posting: 2/2/26." in item
    form = text(signed_in.get(f"/rules/{rule.id}/edit").get_data(as_text=True))
    assert "Next automatic posting: 2/2/26." in form
    assert "occurrences due today or earlier are posted as soon as you save" in form


def test_a_manual_rule_posts_nothing_and_names_no_posting_day(signed_in, household):
    data = rule_form(household, anchor_date="2025-12-10", auto_post=None)
    assert signed_in.post("/rules/new", data=data).status_code == 302
    [rule] = rules_of(household)
    assert entries_of(rule.id) == []
    page = signed_in.get("/rules").get_data(as_text=True)
    assert "posted:" not in text(page)
    assert "Next automatic posting" not in card(page, rule.id)


def test_turning_auto_post_on_posts_the_due_occurrence_now(signed_in, household):
    rule = make_rule(household, anchor_date=date(2026, 1, 10), auto_post=False)
    response = signed_in.post(
        f"/rules/{rule.id}/edit",
        data=rule_form(household, anchor_date="2026-01-10", business_day_policy="none"),
    )
    assert response.status_code == 302
    assert entries_of(rule.id) == [(date(2026, 1, 10), Decimal("1500.00"))]
    page = text(signed_in.get("/rules").get_data(as_text=True))
    assert "Rule “Rent” saved." in page and "1 entry posted: 1/10/26." in page


def test_resuming_posts_todays_occurrence_but_not_the_held_ones(signed_in, household):
    rule = make_rule(household, anchor_date=date(2025, 12, 15))
    assert signed_in.post(f"/rules/{rule.id}/hold", data={"until": "2026-03-01"}).status_code == 302
    assert entries_of(rule.id) == []
    response = signed_in.post(f"/rules/{rule.id}/resume")
    assert response.status_code == 302
    # Dec 15 was held back and stays so; Jan 15 is today's and is posted now.
    assert entries_of(rule.id) == [(date(2026, 1, 15), Decimal("1500.00"))]
    page = text(signed_in.get("/rules").get_data(as_text=True))
    assert "Rule “Rent” resumed." in page and "1 entry posted: 1/15/26." in page


def test_a_long_backlog_keeps_the_schedulers_cap_and_says_the_rest_follows(signed_in, household):
    data = rule_form(
        household, frequency="daily", anchor_date="2024-06-01", amount="1.00",
        business_day_policy="none",
    )
    assert signed_in.post("/rules/new", data=data).status_code == 302
    [rule] = rules_of(household)
    assert len(entries_of(rule.id)) == POST_CAP
    page = text(signed_in.get("/rules").get_data(as_text=True))
    assert f"{POST_CAP} entries posted: 6/1/24, 6/2/24, 6/3/24, 6/4/24, 6/5/24 and 495 more." in page
    assert "More occurrences are due; the next scheduled run posts them." in page
    # The scheduler carries on from there, without posting any day twice.
    post_due_occurrences(db.session)
    db.session.commit()
    days = [day for day, _amount in entries_of(rule.id)]
    assert len(days) == len(set(days)) == (date(2026, 1, 15) - date(2024, 6, 1)).days + 1


def test_a_refused_save_posts_nothing(signed_in, household):
    data = rule_form(household, anchor_date="2025-12-10", amount="abc")
    assert signed_in.post("/rules/new", data=data).status_code == 422
    assert entry_count(household) == 0


def test_repeating_a_past_entry_posts_the_occurrences_due_since(signed_in, household):
    from tests.web.test_rules import entry_form

    data = entry_form(household, date="2025-11-20", repeat="monthly")
    response = signed_in.post("/entries/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    # The page says what was posted besides the entry itself.
    page = response.get_data(as_text=True)
    # Dec 20, 2025 is a Saturday: the expense moves to Monday the 22nd.
    assert "1 entry posted: 12/22/25." in page
    [rule] = rules_of(household)
    # The entry is Nov 20; Dec 20 was due too and is on the ledger at once.
    assert [day for day, _amount in entries_of(rule.id)] == [date(2025, 11, 20), date(2025, 12, 20)]
    assert post_due_occurrences(db.session) == 0

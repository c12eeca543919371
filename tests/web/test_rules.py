"""Recurring rules through the web: create and see the next five occurrences, edit (only
the future changes), hold, resume, end, delete (entries stay), bad input refused beside its
field, another household's rule is 404 on every route, and the entry form's repeat option."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, RecurringRule
from finora.services.planning.posting import post_due_occurrences
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    field_tag,
    household_of,
    input_value,
    make_account,
    make_entry,
    reload,
    select_options,
    selected_value,
    snapshot,
)
from tests.planning_factories import make_rule

NOW = datetime(2026, 1, 15, 15, tzinfo=UTC)  # the households' today is 2026-01-15
MISSING = 999_999


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def rule_form(household, **overrides) -> dict:
    """A valid rule as the browser posts it; an override of None leaves the field out."""
    data = {
        "name": "Rent",
        "kind": "expense",
        "amount": "1,500.00",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.housing").id),
        "subcategory_id": "",
        "payment_method": "bank_transfer",
        "frequency": "monthly",
        "anchor_date": "2026-01-31",
        "end_date": "",
        "business_day_policy": "default",
        "auto_post": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def rules_of(household) -> list[RecurringRule]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(RecurringRule).where(RecurringRule.household_id == household.id)
        ).unique()
    )


def card(page: str, rule_id: int) -> str:
    start = page.index(f'data-rule-id="{rule_id}"')
    return page[start : page.index("</article>", start)]


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def upcoming(item: str) -> list[str]:
    """The next occurrences as shown: "nominal" or "nominal → adjusted"."""
    body = item[item.index('class="list-unstyled small mb-3 next-occurrences"') :]
    body = body[: body.index("</ol>")]
    shown = []
    for li in re.findall(r"<li>(.*?)</li>", body, re.S):
        dates = re.findall(r'<time datetime="([\d-]+)"', li)
        shown.append(" → ".join(dates))
    return shown


def entries_of(rule_id: int) -> list[tuple[date, Decimal]]:
    db.session.expire_all()
    return [
        tuple(row)
        for row in db.session.execute(
            select(Entry.occurrence_date, Entry.amount)
            .where(Entry.rule_id == rule_id)
            .order_by(Entry.occurrence_date)
        )
    ]


# Create and list


def test_create_a_monthly_rule_on_the_31st_and_see_its_next_five(signed_in, household):
    page = signed_in.get("/rules/new").get_data(as_text=True)
    assert "New rule" in page
    assert input_value(page, "anchor_date") == "2026-01-15"
    assert selected_value(page, "frequency") == "monthly"
    assert selected_value(page, "business_day_policy") == "default"
    assert 'src="/static/js/rule-form.js"' in page

    response = signed_in.post("/rules/new", data=rule_form(household))
    assert response.status_code == 302 and response.headers["Location"] == "/rules"
    [rule] = rules_of(household)
    assert (rule.name, rule.amount, rule.frequency, rule.anchor_date) == (
        "Rent",
        Decimal("1500.00"),
        "monthly",
        date(2026, 1, 31),
    )
    assert rule.business_day_policy == "next" and rule.auto_post and not rule.mark_paid

    page = signed_in.get("/rules").get_data(as_text=True)
    assert "Rule “Rent” created." in page
    item = card(page, rule.id)
    assert "R$1,500.00" in item and "Monthly" in item and "Next business day" in item
    assert "Auto-post" in item and "Housing" in item and "Checking account" in item
    # Jan 31 and Feb 28 2026 are Saturdays, May 31 a Sunday: moved to the next Monday.
    assert upcoming(item) == [
        "2026-01-31 → 2026-02-02",
        "2026-02-28 → 2026-03-02",
        "2026-03-31",
        "2026-04-30",
        "2026-05-31 → 2026-06-01",
    ]


def test_a_leap_february_is_the_29th(signed_in, household):
    rule = make_rule(
        household, anchor_date=date(2027, 12, 31), business_day_policy="none", auto_post=False
    )
    item = card(signed_in.get("/rules").get_data(as_text=True), rule.id)
    assert upcoming(item) == ["2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"]
    assert "Manual" in item and "Keep the date" in item


def test_an_empty_list_invites_a_first_rule(signed_in):
    page = signed_in.get("/rules").get_data(as_text=True)
    assert "You have no recurring rules yet." in page and 'href="/rules/new"' in page


def test_scenario_rules_are_not_on_this_page(signed_in, household):
    scenario = make_rule(household, name="What if a raise", is_scenario=True)
    assert "What if a raise" not in signed_in.get("/rules").get_data(as_text=True)
    assert signed_in.get(f"/rules/{scenario.id}/edit").status_code == 404


# Bad input


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "abc"}, "amount", "Enter a number, such as 1,234.56."),
        ({"amount": "-100.00"}, "amount", "Enter a positive amount."),
        ({"amount": "0"}, "amount", "Enter a positive amount."),
        ({"amount": ""}, "amount", "Enter an amount."),
        ({"anchor_date": "2026-02-30"}, "anchor_date", "Enter a real date, such as 2026-03-31."),
        ({"anchor_date": ""}, "anchor_date", "Enter the date of the first occurrence."),
        ({"end_date": "2026-13-01"}, "end_date", "Enter a real date, such as 2026-03-31."),
        (
            {"end_date": "2026-01-30"},
            "end_date",
            "The end date cannot be before the first occurrence.",
        ),
        ({"name": "  "}, "name", "Name the rule."),
        ({"account_id": str(MISSING)}, "account_id", "Choose an account."),
        ({"category_id": str(MISSING)}, "category_id", "Choose a category."),
    ],
)
def test_bad_input_is_refused_beside_its_field(signed_in, household, overrides, field, message):
    data = rule_form(household, **overrides)
    response = signed_in.post("/rules/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field) == message
    assert 'aria-invalid="true"' in field_tag(page, field)
    assert f'aria-describedby="{field}-' in field_tag(page, field)
    for kept in ("amount", "anchor_date", "end_date"):
        assert input_value(page, kept) == data[kept]
    if field != "name":
        assert input_value(page, "name") == "Rent"
    assert rules_of(household) == []


@pytest.mark.parametrize("which", ["account", "category"])
def test_another_households_account_or_category_is_refused(signed_in, household, which):
    theirs = household_of(create_user(household_name="Their home"))
    if which == "account":
        overrides = {"account_id": str(make_account(theirs, name="Their bank").id)}
    else:
        overrides = {"category_id": str(category(theirs, "expense.housing").id)}
    response = signed_in.post("/rules/new", data=rule_form(household, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, f"{which}_id") in ("Choose an account.", "Choose a category.")
    assert "Their bank" not in page
    assert rules_of(household) == []


# Edit


def test_edit_changes_future_occurrences_only(signed_in, household, frozen_time):
    rule = make_rule(household, anchor_date=date(2025, 11, 10), business_day_policy="none")
    assert post_due_occurrences(db.session) == 3  # Nov 10, Dec 10, Jan 10
    db.session.commit()
    before = entries_of(rule.id)
    page = signed_in.get(f"/rules/{rule.id}/edit").get_data(as_text=True)
    assert "Edit rule" in page and input_value(page, "amount") == "1500.00"
    assert selected_value(page, "business_day_policy") == "none"

    response = signed_in.post(
        f"/rules/{rule.id}/edit",
        data=rule_form(household, amount="1,700.00", anchor_date="2025-11-05"),
    )
    assert response.status_code == 302
    rule = reload(RecurringRule, rule.id)
    assert rule.amount == Decimal("1700.00") and rule.anchor_date == date(2025, 11, 5)
    assert rule.business_day_policy == "next"
    # Nothing of the past is posted again, and what was posted keeps its amount.
    assert post_due_occurrences(db.session) == 0
    db.session.commit()
    assert entries_of(rule.id) == before

    frozen_time.move_to(datetime(2026, 2, 5, 15, tzinfo=UTC))
    assert post_due_occurrences(db.session) == 1
    db.session.commit()
    assert entries_of(rule.id) == [*before, (date(2026, 2, 5), Decimal("1700.00"))]


def test_a_bad_edit_changes_nothing(signed_in, household):
    rule = make_rule(household)
    before = snapshot(RecurringRule, rule.id)
    response = signed_in.post(
        f"/rules/{rule.id}/edit",
        data=rule_form(household, name="New name", end_date="2025-01-01"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert input_value(page, "name") == "New name"
    assert field_error(page, "end_date") == "The end date cannot be before the first occurrence."
    assert snapshot(RecurringRule, rule.id) == before


# Hold, resume, end, delete


def test_hold_and_resume(signed_in, household):
    rule = make_rule(household, anchor_date=date(2026, 1, 10))
    response = signed_in.post(f"/rules/{rule.id}/hold", data={"until": "2026-04-01"})
    assert response.status_code == 302 and response.headers["Location"] == "/rules"
    assert reload(RecurringRule, rule.id).hold_until == date(2026, 4, 1)
    page = signed_in.get("/rules").get_data(as_text=True)
    item = card(page, rule.id)
    assert "Paused until Apr 1, 2026" in item
    assert upcoming(item)[0] == "2026-04-10"

    response = signed_in.post(f"/rules/{rule.id}/resume")
    assert response.status_code == 302
    assert reload(RecurringRule, rule.id).hold_until is None
    item = card(signed_in.get("/rules").get_data(as_text=True), rule.id)
    assert "Paused" not in item and upcoming(item)[0] == "2026-02-10"


def test_a_hold_without_a_real_date_is_refused_beside_it(signed_in, household):
    rule = make_rule(household)
    response = signed_in.post(f"/rules/{rule.id}/hold", data={"until": "2026-02-30"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, f"until-{rule.id}") == "Enter a real date, such as 2026-03-31."
    assert input_value(page, f"until-{rule.id}") == "2026-02-30"
    assert reload(RecurringRule, rule.id).hold_until is None


def test_end_a_rule(signed_in, household):
    rule = make_rule(household, anchor_date=date(2025, 12, 10))
    page = signed_in.get("/rules").get_data(as_text=True)
    assert input_value(page, f"end_on-{rule.id}") == ""  # no date until one is chosen
    response = signed_in.post(f"/rules/{rule.id}/end", data={"end_on": "2026-01-15"})
    assert response.status_code == 302
    assert reload(RecurringRule, rule.id).end_date == date(2026, 1, 15)

    response = signed_in.post(f"/rules/{rule.id}/end", data={"end_on": "2025-12-01"})
    assert response.status_code == 422
    assert (
        field_error(response.get_data(as_text=True), f"end_on-{rule.id}")
        == "The end date cannot be before the first occurrence."
    )
    assert reload(RecurringRule, rule.id).end_date == date(2026, 1, 15)


def test_an_ended_rule_shows_no_next_occurrences(signed_in, household):
    rule = make_rule(household, anchor_date=date(2025, 10, 10), end_date=date(2025, 12, 10))
    item = card(signed_in.get("/rules").get_data(as_text=True), rule.id)
    assert "Ended" in item and "No upcoming occurrences." in item


def test_delete_keeps_posted_entries(signed_in, household):
    rule = make_rule(household, anchor_date=date(2025, 12, 10))
    assert post_due_occurrences(db.session) == 2
    db.session.commit()
    page = signed_in.get("/rules").get_data(as_text=True)
    # No browser dialog: the deletion is undone from the flash instead (tests/web/test_undo_pages.py).
    assert "data-confirm" not in card(page, rule.id)
    response = signed_in.post(f"/rules/{rule.id}/delete")
    assert response.status_code == 302
    assert reload(RecurringRule, rule.id) is None
    db.session.expire_all()
    entries = list(db.session.scalars(select(Entry).where(Entry.household_id == household.id)))
    assert len(entries) == 2 and all(e.rule_id is None for e in entries)
    assert "Rule “Rent” deleted" in signed_in.get("/rules").get_data(as_text=True)


def test_state_never_changes_on_get(signed_in, household):
    rule = make_rule(household)
    for action in ("hold", "resume", "end", "delete"):
        assert signed_in.get(f"/rules/{rule.id}/{action}").status_code == 405
    assert reload(RecurringRule, rule.id) is not None


# Another household


@pytest.fixture
def theirs(app):
    household = household_of(create_user(name="Their Owner", household_name="Their home"))
    return make_rule(household, name="Their rent")


ROUTES = [
    ("get", "/rules/{rule}/edit"),
    ("post", "/rules/{rule}/edit"),
    ("post", "/rules/{rule}/hold"),
    ("post", "/rules/{rule}/resume"),
    ("post", "/rules/{rule}/end"),
    ("post", "/rules/{rule}/delete"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
@pytest.mark.parametrize("which", ["theirs", "missing"])
def test_another_households_rule_is_404(signed_in, household, theirs, method, route, which):
    rule_id = theirs.id if which == "theirs" else MISSING
    before = snapshot(RecurringRule, theirs.id)
    data = (
        {**rule_form(household), "until": "2026-03-01", "end_on": "2026-03-01"}
        if method == "post"
        else None
    )
    response = getattr(signed_in, method)(route.format(rule=rule_id), data=data)
    assert response.status_code == 404
    assert "Their" not in response.get_data(as_text=True)
    assert snapshot(RecurringRule, theirs.id) == before


def test_another_households_rules_are_not_listed(signed_in, household, theirs):
    assert "Their rent" not in signed_in.get("/rules").get_data(as_text=True)


def test_rules_need_a_sign_in(client):
    response = client.get("/rules")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# The entry form's repeat option


def entry_form(household, **overrides) -> dict:
    data = {
        "kind": "expense",
        "amount": "99.90",
        "date": "2026-01-15",
        "description": "Internet",
        "account_id": str(checking_account(household).id),
        "category_id": str(category(household, "expense.housing").id),
        "subcategory_id": "",
        "payment_method": "debit_card",
        "next": "",
    }
    data.update(overrides)
    return data


def test_the_repeat_option_is_on_new_entries_only(signed_in, household):
    page = signed_in.get("/entries/new").get_data(as_text=True)
    assert selected_value(page, "repeat") == ""
    assert ("monthly", "Monthly", False) in select_options(page, "repeat")
    assert "once" not in [value for value, *_ in select_options(page, "repeat")]
    entry = make_entry(household)
    assert 'id="repeat"' not in signed_in.get(f"/entries/{entry.id}/edit").get_data(as_text=True)


def test_repeat_creates_a_rule_whose_first_occurrence_is_the_entry(
    signed_in, household, frozen_time
):
    response = signed_in.post("/entries/new", data=entry_form(household, repeat="monthly"))
    assert response.status_code == 302
    [rule] = rules_of(household)
    [entry] = db.session.scalars(select(Entry).where(Entry.household_id == household.id))
    assert (rule.name, rule.amount, rule.frequency, rule.anchor_date) == (
        "Internet",
        Decimal("99.90"),
        "monthly",
        date(2026, 1, 15),
    )
    assert (entry.rule_id, entry.occurrence_date) == (rule.id, date(2026, 1, 15))
    page = signed_in.get("/rules").get_data(as_text=True)
    assert "It repeats: rule “Internet” created." in page and '<a href="/rules">' in page
    # The entry is the first occurrence: the next one is February's (the 15th is a Sunday).
    assert upcoming(card(page, rule.id))[0] == "2026-02-15 → 2026-02-16"

    assert post_due_occurrences(db.session) == 0
    frozen_time.move_to(datetime(2026, 2, 16, 15, tzinfo=UTC))
    assert post_due_occurrences(db.session) == 1
    db.session.commit()
    assert [day for day, _ in entries_of(rule.id)] == [date(2026, 1, 15), date(2026, 2, 15)]


def test_no_repeat_creates_no_rule(signed_in, household):
    assert signed_in.post("/entries/new", data=entry_form(household, repeat="")).status_code == 302
    assert rules_of(household) == []
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


def test_a_refused_entry_creates_no_rule(signed_in, household):
    response = signed_in.post(
        "/entries/new", data=entry_form(household, amount="abc", repeat="weekly")
    )
    assert response.status_code == 422
    assert selected_value(response.get_data(as_text=True), "repeat") == "weekly"
    assert rules_of(household) == []

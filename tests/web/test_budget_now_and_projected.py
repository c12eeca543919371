"""A budget card never shows "On track" and "Over budget" side by side unexplained: each
state names whether it judges what is spent now or what is projected for the period, on
the budgets page and on the dashboard's budget card."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from finora.extensions import db
from finora.services.planning.budgets import BudgetData, create_budget
from tests.ledger_factories import category, make_entry
from tests.planning_factories import make_rule

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def food(household):
    """100.00 a month; 10.00 spent; a weekly 40.00 still to come on the 16th, 23rd, 30th."""
    budget = create_budget(db.session, household, BudgetData(category(household, "expense.food").id, "monthly", Decimal("100")))
    db.session.commit()
    make_entry(household, amount="10", category="expense.food", subcategory=None)
    make_rule(
        household, name="Market", amount=Decimal("40.00"), category_code="expense.food",
        frequency="weekly", anchor_date=date(2026, 3, 2), auto_post=False,
    )
    return budget


def badges(fragment: str) -> list[tuple[str, str, str]]:
    """(when, state, text) of each state badge."""
    found = re.findall(
        r'<span class="badge [^"]*budget-(?:projected-)?state" data-state="(\w+)" data-when="(\w+)">(.*?)</span>', fragment, re.S
    )
    return [(when, state, " ".join(re.sub(r"<[^>]+>", " ", html.unescape(text)).split())) for state, when, text in found]


def test_the_budgets_page_names_now_and_projected(signed_in, food):
    page = signed_in.get("/budgets").get_data(as_text=True)
    start = page.index(f'data-budget-id="{food.id}"')
    card = page[start : page.index("</article>", start)]
    assert badges(card) == [
        ("now", "ok", "Now: On track"),
        ("projected", "over", "Projected: Over budget"),
    ]
    assert re.search(r'data-figure="projected">.*?R\$130\.00', card, re.S)
    # No state badge without its "now" or "projected".
    assert card.count('data-state="') == 2


def test_the_dashboard_card_names_now_and_projected(signed_in, food):
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    start = page.index('class="card mb-4 budget-summary"')
    section = page[start : page.index("</section>", start)]
    assert badges(section) == [
        ("now", "ok", "Now: On track"),
        ("projected", "over", "Projected: Over budget"),
    ]
    assert re.search(r'data-figure="projected">.*?R\$130\.00', section, re.S)

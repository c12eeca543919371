"""Budgets through the web: the page with its accessible bars and period picker, create,
edit, delete, bad input refused beside the field, other households' budgets are 404, and
the dashboard's budget card."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Budget, RecurringRule
from finora.services.ledger.catalogue import set_category_archived
from finora.services.planning.budgets import BudgetData, create_budget
from tests.factories import create_user
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    household_of,
    input_value,
    make_entry,
    reload,
    select_options,
    selected_value,
    snapshot,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)  # the households' today is 2026-03-15
DUPLICATE = "This category already has a budget for this period."


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_budget(household, code="expense.food", amount="100", period="monthly") -> Budget:
    budget = create_budget(
        db.session, household, BudgetData(category(household, code).id, period, Decimal(amount))
    )
    db.session.commit()
    return budget


def budget_count() -> int:
    return db.session.scalar(select(func.count(Budget.id)))


def card(page: str, budget: Budget) -> str:
    start = page.index(f'data-budget-id="{budget.id}"')
    return page[start : page.index("</article>", start)]


def progressbar(fragment: str) -> dict[str, str]:
    tag = re.search(r'<div class="progress" role="progressbar"[^>]*>', fragment, re.S).group(0)
    return {name: html.unescape(value) for name, value in re.findall(r'(aria-[a-z]+)="([^"]*)"', tag)}


# The page


def test_page_shows_each_budget_with_an_accessible_bar(signed_in, household):
    food = make_budget(household, "expense.food", "100")
    groceries = make_budget(household, "expense.food.groceries", "50")
    leisure = make_budget(household, "expense.leisure", "200")
    make_entry(household, amount="45", category="expense.food", subcategory="expense.food.groceries")
    make_entry(household, amount="40", category="expense.food", subcategory="expense.food.restaurants")
    make_entry(household, amount="10", category="expense.leisure", subcategory=None, paid_on=date(2026, 3, 2))

    page = signed_in.get("/budgets?year=2026&month=3").get_data(as_text=True)

    food_card = card(page, food)
    assert progressbar(food_card) == {
        "aria-label": "Food: 85.0% of the budget used",
        "aria-valuenow": "85",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuetext": "85.0% used, Near the limit",
    }
    assert "Near the limit" in food_card and "bg-warning" in food_card and "w-pct-85" in food_card
    assert "R$15.00" in food_card  # remaining

    groceries_card = card(page, groceries)
    assert "Food › Groceries" in groceries_card
    assert progressbar(groceries_card)["aria-valuenow"] == "90"
    assert "Near the limit" in groceries_card

    leisure_card = card(page, leisure)
    assert progressbar(leisure_card)["aria-valuenow"] == "5"
    assert "On track" in leisure_card and "bg-success" in leisure_card and "w-pct-5" in leisure_card
    assert 'href="/static/css/progress.css"' in page
    assert "style=" not in page


def test_over_budget_shows_over_by_and_a_full_bar(signed_in, household):
    food = make_budget(household, "expense.food", "100")
    make_entry(household, amount="120.50")

    food_card = card(signed_in.get("/budgets").get_data(as_text=True), food)

    bar = progressbar(food_card)
    assert bar["aria-valuenow"] == "100" and bar["aria-valuetext"] == "120.5% used, Over budget"
    assert "Over budget" in food_card and "bg-danger" in food_card and "w-pct-100" in food_card
    assert "Over by" in food_card and "R$20.50" in food_card


def test_projected_adds_the_recurring_expenses_still_to_come(signed_in, household):
    food = make_budget(household, "expense.food", "500")
    make_entry(household, amount="7")
    db.session.add(
        RecurringRule(
            household_id=household.id,
            name="Weekly market",
            kind="expense",
            amount=Decimal("25.00"),
            account_id=checking_account(household).id,
            category_id=category(household, "expense.food").id,
            frequency="weekly",
            anchor_date=date(2026, 3, 2),  # Mondays: the 16th, 23rd and 30th are to come
            business_day_policy="none",
            auto_post=False,
        )
    )
    db.session.commit()

    food_card = card(signed_in.get("/budgets").get_data(as_text=True), food)

    projected = re.search(r'data-figure="projected">(.*?)</dd>', food_card, re.S).group(1)
    assert "R$82.00" in projected


def test_period_picker_and_yearly_budgets(signed_in, household):
    monthly = make_budget(household, "expense.food", "100", "monthly")
    yearly = make_budget(household, "expense.food", "1000", "yearly")
    make_entry(household, amount="30", date=date(2026, 1, 10))
    make_entry(household, amount="20", date=date(2026, 3, 10))

    page = signed_in.get("/budgets").get_data(as_text=True)  # this month: March 2026
    assert "March 2026" in page
    assert 'href="/budgets?year=2026&amp;month=2"' in page and 'href="/budgets?year=2026&amp;month=4"' in page
    assert 'type="month"' in page and 'value="2026-03"' in page
    assert progressbar(card(page, monthly))["aria-valuenow"] == "20"
    assert progressbar(card(page, yearly))["aria-valuenow"] == "5"  # 50 of 1,000

    january = signed_in.get("/budgets?month=2026-01").get_data(as_text=True)  # the picker's form
    assert "January 2026" in january
    assert progressbar(card(january, monthly))["aria-valuenow"] == "30"
    assert progressbar(card(january, yearly))["aria-valuenow"] == "5"  # the whole year still

    nonsense = signed_in.get("/budgets?year=2026&month=13")
    assert nonsense.status_code == 200 and "March 2026" in nonsense.get_data(as_text=True)


def test_empty_page_invites_to_create_one(signed_in):
    page = signed_in.get("/budgets").get_data(as_text=True)
    assert "No budgets yet" in page and 'href="/budgets/new"' in page


# Create, edit, delete


def budget_form(household, **overrides) -> dict:
    data = {"category_id": str(category(household, "expense.food").id), "period": "monthly", "amount": "1,234.56"}
    data.update(overrides)
    return data


def test_create_lists_expense_categories_and_subcategories(signed_in, household):
    page = signed_in.get("/budgets/new").get_data(as_text=True)
    options = select_options(page, "category_id")
    values = {value for value, _label, _selected in options}
    assert str(category(household, "expense.food").id) in values
    assert str(category(household, "expense.food.groceries").id) in values
    assert str(category(household, "income.work").id) not in values
    assert "Food (whole category)" in [label for _value, label, _selected in options]

    response = signed_in.post("/budgets/new", data=budget_form(household))

    assert response.status_code == 302 and response.headers["Location"] == "/budgets"
    budget = db.session.scalar(select(Budget))
    assert (budget.category.code, budget.period, budget.amount) == ("expense.food", "monthly", Decimal("1234.56"))


def test_edit_and_delete(signed_in, household):
    budget = make_budget(household, "expense.food", "100")
    page = signed_in.get(f"/budgets/{budget.id}/edit").get_data(as_text=True)
    assert input_value(page, "amount") == "100.00"
    assert selected_value(page, "category_id") == str(budget.category_id)

    groceries = category(household, "expense.food.groceries")
    response = signed_in.post(
        f"/budgets/{budget.id}/edit",
        data=budget_form(household, category_id=str(groceries.id), period="yearly", amount="600"),
    )
    assert response.status_code == 302
    saved = reload(Budget, budget.id)
    assert (saved.category_id, saved.period, saved.amount) == (groceries.id, "yearly", Decimal("600.00"))

    assert signed_in.post(f"/budgets/{budget.id}/delete").status_code == 302
    assert reload(Budget, budget.id) is None


def test_editing_keeps_an_archived_category(signed_in, household):
    budget = make_budget(household, "expense.leisure", "100")
    set_category_archived(db.session, budget.category, True)
    db.session.commit()

    page = signed_in.get(f"/budgets/{budget.id}/edit").get_data(as_text=True)
    assert selected_value(page, "category_id") == str(budget.category_id)
    response = signed_in.post(
        f"/budgets/{budget.id}/edit", data=budget_form(household, category_id=str(budget.category_id), amount="80")
    )
    assert response.status_code == 302
    assert reload(Budget, budget.id).amount == Decimal("80.00")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "abc"}, "amount", "Enter a number"),
        ({"amount": "-5"}, "amount", None),
        ({"amount": "0"}, "amount", "Enter an amount greater than zero."),
        ({"amount": ""}, "amount", "Enter an amount."),
        ({"category_id": ""}, "category_id", "Choose a category."),
        ({"category_id": "999999"}, "category_id", "Choose one of your expense categories."),
        ({"period": "weekly"}, "period", None),
    ],
)
def test_bad_input_is_refused_beside_the_field(signed_in, household, overrides, field, message):
    response = signed_in.post("/budgets/new", data=budget_form(household, **overrides))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = field_error(page, field)
    assert error, f"no error beside {field}"
    if message:
        assert message in error
    if field != "amount":
        assert input_value(page, "amount") == "1,234.56"  # what was typed is kept
    else:
        assert input_value(page, "amount") == overrides["amount"]
    assert budget_count() == 0


def test_other_categories_are_refused(signed_in, household):
    theirs = household_of(create_user())
    for code, owner in (("expense.food", theirs), ("income.work", household)):
        response = signed_in.post(
            "/budgets/new", data=budget_form(household, category_id=str(category(owner, code).id))
        )
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "category_id") == "Choose one of your expense categories."
    leisure = category(household, "expense.leisure")
    set_category_archived(db.session, leisure, True)
    db.session.commit()
    response = signed_in.post("/budgets/new", data=budget_form(household, category_id=str(leisure.id)))
    assert response.status_code == 422
    assert budget_count() == 0


def test_duplicate_category_and_period_is_refused(signed_in, household):
    existing = make_budget(household, "expense.food", "100", "monthly")
    before = snapshot(Budget, existing.id)

    response = signed_in.post("/budgets/new", data=budget_form(household, amount="77"))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "category_id") == DUPLICATE
    assert input_value(page, "amount") == "77"
    assert budget_count() == 1 and snapshot(Budget, existing.id) == before

    # The same category for the other period is fine; editing into a clash is refused too.
    yearly = make_budget(household, "expense.food", "900", "yearly")
    response = signed_in.post(f"/budgets/{yearly.id}/edit", data=budget_form(household, period="monthly"))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "category_id") == DUPLICATE
    assert reload(Budget, yearly.id).period == "yearly"


# Households are sealed


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/budgets/{id}/edit"), ("post", "/budgets/{id}/edit"), ("post", "/budgets/{id}/delete")],
)
def test_another_households_budget_is_404(signed_in, household, method, path):
    theirs = household_of(create_user())
    budget = make_budget(theirs, "expense.food", "100")
    before = snapshot(Budget, budget.id)

    data = {"category_id": str(category(theirs, "expense.leisure").id), "period": "yearly", "amount": "5"}
    response = getattr(signed_in, method)(path.format(id=budget.id), data=data if method == "post" else None)

    assert response.status_code == 404
    assert snapshot(Budget, budget.id) == before
    assert signed_in.get(path.format(id=999_999)).status_code in (404, 405)


def test_other_households_budgets_are_not_listed(signed_in, household):
    theirs = household_of(create_user())
    make_budget(theirs, "expense.food", "100")
    page = signed_in.get("/budgets").get_data(as_text=True)
    assert "No budgets yet" in page and "data-budget-id" not in page


def test_pages_need_a_sign_in(client):
    assert client.get("/budgets").status_code == 302


# The dashboard card


def test_dashboard_card_invites_when_there_are_no_budgets(signed_in):
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    assert 'id="budget-summary-title"' in page
    assert "No budgets yet" in page and 'href="/budgets/new"' in page


def test_dashboard_card_shows_the_five_most_used(signed_in, household):
    codes = ["expense.food", "expense.leisure", "expense.housing", "expense.utilities", "expense.telecom"]
    for n, code in enumerate(codes):
        make_budget(household, code, "100")
        make_entry(household, amount=str(10 * (n + 1)), category=code, subcategory=None)
    make_budget(household, "expense.food.groceries", "1000")  # 0 %: the sixth, left out

    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    section = page[page.index('class="card mb-4 budget-summary"') : page.index("</section>", page.index("budget-summary"))]
    values = [progressbar(bar)["aria-valuenow"] for bar in re.findall(r'<div class="progress".*?>', section, re.S)]
    assert values == ["50", "40", "30", "20", "10"]
    assert 'href="/budgets?year=2026&amp;month=3"' in section

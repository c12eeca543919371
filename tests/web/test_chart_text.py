"""Names typed by people reach the Plotly charts as plain text: Plotly reads <a>, <b>, <i>,
<br>… in labels, legends and hover text, so a category named like a link must not become
one (nor italic) in another member's dashboard."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
import time_machine

from finora.extensions import db
from finora.services.ledger.month_summary import CategoryTotal
from finora.web.dashboard.charts import category_donut, plain_text
from tests.ledger_factories import category, household_of, make_entry

LINK = '<a href="javascript:alert(1)">x</a>'
ITALIC = "<i>Food & drinks</i>"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        yield


def _figure(page: str, chart_id: str) -> dict:
    found = re.search(rf'id="{chart_id}"[^>]*data-figure="([^"]*)"', page)
    assert found is not None, f"no #{chart_id} on the page"
    return json.loads(unescape(found.group(1)))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_plain_text_escapes_what_plotly_would_read_as_markup():
    assert plain_text(LINK) == "&lt;a href=\"javascript:alert(1)\"&gt;x&lt;/a&gt;"
    assert plain_text(ITALIC) == "&lt;i&gt;Food &amp; drinks&lt;/i&gt;"
    assert plain_text("Mercado 5% off") == "Mercado 5% off"


def test_category_names_reach_the_donut_as_text(signed_in, user):
    household = household_of(user)
    food = category(household, "expense.food")
    food.name = LINK
    salary = category(household, "income.work")
    salary.name = ITALIC
    db.session.commit()
    make_entry(household, amount=Decimal("12.00"), date=date(2026, 3, 10))
    make_entry(household, kind="income", amount=Decimal("50.00"), date=date(2026, 3, 11))

    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    expenses = _figure(page, "chart-expenses")
    income = _figure(page, "chart-income")

    assert expenses["data"][0]["labels"] == [plain_text(LINK)]
    assert income["data"][0]["labels"] == [plain_text(ITALIC)]
    # Nothing in either figure carries a tag a person typed (the template's own <br> and
    # <extra> in hovertemplate are the only markup).
    for figure in (expenses, income):
        for text in _strings(figure):
            assert "<a" not in text and "<i>" not in text, text


def test_every_text_field_of_the_donut_is_escaped(app):
    with app.test_request_context():
        figure = category_donut([CategoryTotal(7, "<b>bold</b>", Decimal("3.50"))], "BRL")
    trace = figure["data"][0]
    assert trace["labels"] == ["&lt;b&gt;bold&lt;/b&gt;"]
    assert "<b>" not in json.dumps(figure)


def test_the_year_chart_still_draws_with_escaped_labels(signed_in, user):
    make_entry(household_of(user), amount=Decimal("5.00"), date=date(2026, 3, 10))
    figure = _figure(signed_in.get("/dashboard/2026").get_data(as_text=True), "chart-year")
    bars = figure["data"][0]
    assert bars["x"][0] == "Jan" and bars["hovertemplate"].startswith("%{x}: %{text}<extra>")

"""Income is received, expenses are paid (issue 12, item 4): the entry form's switch, its
date and the date's hint, on a new form, an edit, and a form sent back with an error; the
dashboard's income figures. The browser's switch between types is in
tests/e2e/test_entry_form_words.py."""

from __future__ import annotations

import html
import json
import re

from tests.ledger_factories import household_of, make_entry
from tests.web.test_entries import entry_form


def label_of(page: str, field_id: str) -> str:
    return re.search(rf'<label[^>]*for="{field_id}"[^>]*>([^<]*)</label>', page).group(1).strip()


def hint_of(page: str) -> str:
    return html.unescape(re.search(r'<div id="paid_on-help"[^>]*>([^<]*)</div>', page).group(1))


def test_a_new_income_reads_received(signed_in):
    page = signed_in.get("/entries/new?kind=income").text
    assert (label_of(page, "paid"), label_of(page, "paid_on")) == ("Received", "Received on")
    assert "“Received” is on" in hint_of(page)


def test_a_new_expense_reads_paid(signed_in):
    page = signed_in.get("/entries/new?kind=expense").text
    assert (label_of(page, "paid"), label_of(page, "paid_on")) == ("Paid", "Paid on")
    assert "“Paid” is on" in hint_of(page)


def test_editing_an_income_reads_received(signed_in, user):
    entry = make_entry(household_of(user), kind="income", amount="3000")
    page = signed_in.get(f"/entries/{entry.id}/edit").text
    assert label_of(page, "paid") == "Received"


def test_an_income_sent_back_with_an_error_still_reads_received(signed_in, user):
    data = entry_form(household_of(user), kind="income", amount="abc")
    data["category_id"] = ""
    response = signed_in.post("/entries/new", data=data)
    assert response.status_code == 422
    assert label_of(response.text, "paid_on") == "Received on"


def test_the_page_carries_both_kinds_words_for_its_script(signed_in):
    page = signed_in.get("/entries/new?kind=expense").text
    tag = re.search(r'<form[^>]*id="entry-form"[^>]*>', page, re.S).group(0)
    words = re.search(r'data-paid-words-income="([^"]*)"', tag).group(1)
    assert json.loads(html.unescape(words))[:2] == ["Received", "Received on"]


def test_the_dashboards_income_figures_say_received(signed_in):
    page = signed_in.get("/dashboard/2026/3").text
    assert "Income already received" in page and "Income not yet received" in page
    assert "Income already paid" not in page and "Income not yet paid" not in page


def test_the_rule_form_marks_income_received(signed_in, user):
    from tests.web.test_rules import rule_form

    page = signed_in.get("/rules/new").text
    assert label_of(page, "mark_paid") == "Mark as paid when posted"
    data = rule_form(household_of(user), kind="income", amount="abc")
    response = signed_in.post("/rules/new", data=data)
    assert response.status_code == 422
    assert label_of(response.text, "mark_paid") == "Mark as received when posted"
    tag = re.search(r'<form[^>]*id="rule-form"[^>]*>', page, re.S).group(0)
    assert 'data-mark-paid-income="Mark as received when posted"' in tag


def test_the_rules_page_says_an_income_rule_is_marked_received(signed_in, user):
    from tests.planning_factories import make_rule

    household = household_of(user)
    make_rule(household, name="Salary", kind="income", mark_paid=True)
    make_rule(household, name="Rent", kind="expense", mark_paid=True)
    page = signed_in.get("/rules").text
    assert "Marked as received when posted" in page and "Marked as paid when posted" in page

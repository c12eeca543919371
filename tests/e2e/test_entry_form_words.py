"""The paid words follow the chosen type in a real browser: the entry form's switch reads
"Received" and "Received on" for income, "Paid" and "Paid on" for an expense; the rule
form's "Mark as received when posted" (issue 12, item 4)."""

from __future__ import annotations

from playwright.sync_api import expect

from finora.extensions import db
from tests.e2e.ledger_helpers import sign_in
from tests.factories import create_user


def test_the_paid_words_follow_the_type(app, live_server, open_page, browser_problems):
    user = create_user(email="words@example.com")
    user.locale = "en"
    db.session.commit()
    page = open_page()
    sign_in(page, live_server, "words@example.com")
    page.goto(live_server + "/entries/new?kind=expense")
    expect(page.locator('label[for="paid"]')).to_have_text("Paid")
    page.locator("#entry-form label.btn", has_text="Income").click()
    expect(page.locator('label[for="paid"]')).to_have_text("Received")
    expect(page.locator('label[for="paid_on"]')).to_have_text("Received on")
    expect(page.locator("#paid_on-help")).to_contain_text("“Received” is on")
    page.locator("#entry-form label.btn", has_text="Expense").click()
    expect(page.locator('label[for="paid_on"]')).to_have_text("Paid on")
    browser_problems.assert_none("on the entry form")


def test_the_rule_forms_mark_paid_words_follow_the_type(app, live_server, open_page, browser_problems):
    user = create_user(email="rulewords@example.com")
    user.locale = "en"
    db.session.commit()
    page = open_page()
    sign_in(page, live_server, "rulewords@example.com")
    page.goto(live_server + "/rules/new")
    label = page.locator('label[for="mark_paid"]')
    expect(label).to_have_text("Mark as paid when posted")
    page.locator("#rule-form label.btn", has_text="Income").click()
    expect(label).to_have_text("Mark as received when posted")
    browser_problems.assert_none("on the rule form")

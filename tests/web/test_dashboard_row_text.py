"""A transaction row's words are translated once per page (finora/web/row_text.py): the
same text and escaping as the template's own `_()` gave, in every language, for entries
paid or not, with notes, and for transfers with and without a description."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from flask import render_template_string
from flask_babel import force_locale

from finora.extensions import db
from finora.web.row_text import _MESSAGES, transaction_row_text
from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
HOSTILE = 'Café <b>"&\'</b>'  # every character the HTML escape changes


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def month(user):
    household = household_of(user)
    checking = checking_account(household)
    savings = make_account(household, name="Savings <1>", kind="savings")
    make_entry(household, kind="expense", description=HOSTILE, notes='Note <i>&"', amount="12",
               date=date(2026, 3, 3), account=checking)
    make_entry(household, kind="expense", description="Rent", amount="2000",
               date=date(2026, 3, 4), paid_on=date(2026, 3, 4), account=checking)
    make_entry(household, kind="income", description="Salary", amount="5000",
               date=date(2026, 3, 5), paid_on=date(2026, 3, 5), account=checking)
    make_entry(household, kind="income", description="Refund", amount="40",
               date=date(2026, 3, 6), account=checking)
    make_transfer(household, checking, savings, amount="700", date=date(2026, 3, 7))
    make_transfer(household, checking, savings, amount="5", date=date(2026, 3, 8), description=HOSTILE)
    return household


def _template_gettext(msgid: str, **variables) -> str:
    """What the row template's `{{ _(msgid, **variables) }}` wrote (Jinja's newstyle gettext
    with autoescape): the reference the per-page texts must equal."""
    return render_template_string("{{ _(msgid, **variables) }}", msgid=msgid, variables=variables)


def _variables(msgid: str) -> dict[str, str]:
    names = [name for name in ("name", "notes", "source", "target") if f"%({name})s" in msgid]
    return {name: HOSTILE for name in names}


@pytest.mark.parametrize("language", ["pt", "en", "es"])
def test_each_text_equals_the_templates_own_gettext(app, language):
    with app.test_request_context("/"), force_locale(language):
        text = transaction_row_text()
        assert set(text) == set(_MESSAGES)
        for key, msgid in _MESSAGES.items():
            variables = _variables(msgid)
            mine = str(text[key] % variables) if variables else str(text[key])
            assert mine == _template_gettext(msgid, **variables), key
        if language != "en":  # really translated, not the msgid passed through
            assert str(text["edit"]) != "Edit"


def test_texts_follow_a_language_switch_within_one_request(app):
    with app.test_request_context("/"):
        with force_locale("pt"):
            portuguese = transaction_row_text()
            assert transaction_row_text() is portuguese  # kept for the request
        with force_locale("es"):
            assert str(transaction_row_text()["mark_paid_title"]) == _template_gettext("Mark as paid")
            assert transaction_row_text()["mark_paid_title"] != portuguese["mark_paid_title"]


EXPECTED = {
    "pt": [
        'aria-label="Observações: Note &lt;i&gt;&amp;&#34;"',
        'aria-label="Marcar Café &lt;b&gt;&#34;&amp;&#39;&lt;/b&gt; como pago" title="Marcar como pago"',
        'aria-label="Marcar Rent como não pago" title="Marcar como não pago"',
        'aria-label="Marcar Salary como não recebido" title="Marcar como não recebido"',
        'aria-label="Marcar Refund como recebido" title="Marcar como recebido"',
        'aria-label="Excluir a transferência Café &lt;b&gt;&#34;&amp;&#39;&lt;/b&gt;"',
        " → Savings &lt;1&gt;</td>",
    ],
    "en": [
        'aria-label="Notes: Note &lt;i&gt;&amp;&#34;"',
        'aria-label="Mark Café &lt;b&gt;&#34;&amp;&#39;&lt;/b&gt; as paid" title="Mark as paid"',
        'aria-label="Mark Rent as not paid" title="Mark as not paid"',
        'aria-label="Mark Salary as not received" title="Mark as not received"',
        'aria-label="Mark Refund as received" title="Mark as received"',
        'aria-label="More actions for Rent"',
        'aria-label="Delete transfer Café &lt;b&gt;&#34;&amp;&#39;&lt;/b&gt;"',
        'aria-label="Edit transfer Café &lt;b&gt;&#34;&amp;&#39;&lt;/b&gt;" title="Edit"',
        "Transfer between accounts",
    ],
}


@pytest.mark.parametrize("language", ["pt", "en"])
def test_the_dashboard_rows_read_as_before(month, user, signed_in, language):
    user.locale = language
    db.session.commit()
    page = signed_in.get("/dashboard/2026/3").get_data(as_text=True)
    for expected in EXPECTED[language]:
        assert expected in page, expected
    assert "%(" not in page  # every placeholder filled

"""The Transactions page's search ignores case in and beyond ASCII on every database, also
through the SQLite shortcut (tests/unit/test_text_search.py), and stays in the household."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from finora.extensions import db
from tests.factories import create_user
from tests.ledger_factories import (
    checking_account,
    household_of,
    make_account,
    make_entry,
    make_transfer,
)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        yield


def _found(client, words: str) -> set[str]:
    response = client.get("/transactions", query_string={"q": words})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {f"{kind}{number}" for kind, number in re.findall(r'data-(entry|transfer)-id="(\d+)"', page)}


def test_search_folds_case_in_and_beyond_ascii(client, auth):
    user = create_user()
    home = household_of(user)
    day = date(2026, 3, 1)
    names = {
        "padaria": "PADARIA Real", "sao": "Feira de SÃO João", "kelvin": "Termômetro 300 \u212a",
        "istanbul": "Hotel \u0130stanbul", "note": "Mercado", "other": "Cinema",
    }
    ids = {key: make_entry(home, description=text, date=day).id for key, text in names.items()}
    noted = make_entry(home, description="Farmácia", notes="Remédio da VOVÓ", date=day).id
    savings = make_account(home, name="Savings")
    moved = make_transfer(home, checking_account(home), savings, amount="5", date=day,
                          description="Reserva de EMERGÊNCIA").id
    stranger = household_of(create_user())
    make_entry(stranger, description="padaria da esquina", date=day)
    make_transfer(stranger, checking_account(stranger), make_account(stranger, name="S"), amount="1",
                  date=day, description="\u212a reserva")
    db.session.commit()
    auth.login(user.email)

    assert _found(client, "padaria") == {f"entry{ids['padaria']}"}
    assert _found(client, "Padaria") == {f"entry{ids['padaria']}"}
    assert _found(client, "são") == {f"entry{ids['sao']}"}
    assert _found(client, "300 k") == {f"entry{ids['kelvin']}"}  # the Kelvin sign lowers to "k"
    if db.engine.dialect.name == "sqlite":
        # Python's lower() (SQLite's here) turns İ into "i̇"; the other databases' lower()
        # has rules of its own for it, untouched by the SQLite shortcut.
        assert _found(client, "i\u0307stanbul") == {f"entry{ids['istanbul']}"}
    assert _found(client, "vovó") == {f"entry{noted}"}
    assert _found(client, "emergência") == {f"transfer{moved}"}
    assert _found(client, "reserva") == {f"transfer{moved}"}
    assert _found(client, "zzzqqq") == set()
    assert _found(client, "100%") == set()  # % is a character to look for, not a wildcard

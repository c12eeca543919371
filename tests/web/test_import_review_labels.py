"""The review's payee and tags per row: proposed from the learned patterns, changed by the
user, kept when the page comes back with a problem, given to the entries on Import, and
the chosen payee learned for the description. Viewers are refused; another household's
upload is not found."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from finora.extensions import db
from finora.models import Entry, PayeePattern
from finora.services.ledger.payees import learn_pattern, payee_named
from tests.factories import create_user
from tests.ledger_factories import checking_account, household_of, input_value
from tests.members_factories import add_member

NOW = datetime(2026, 3, 20, 15, tzinfo=UTC)
OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><ACCTID>1<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301<DTEND>20260315
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260310<TRNAMT>-45.90<FITID>A1<MEMO>FARMACIA CENTRAL 0310</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260312<TRNAMT>300.00<FITID>A2<MEMO>PIX RECEBIDO ANA SOUZA</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


def _upload(client, account_id: int) -> str:
    response = client.post(
        "/imports/", data={"file": (io.BytesIO(OFX), "extrato.ofx"), "account_id": str(account_id)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text[:500]
    return re.search(r"/imports/([A-Za-z0-9_-]+)/review$", response.headers["Location"]).group(1)


def test_payee_and_tags_are_proposed_changed_kept_and_imported(signed_in, household):
    account = checking_account(household)
    learn_pattern(db.session, household, payee_named(db.session, household, "Farmácia Central"),
                  "FARMACIA CENTRAL")
    db.session.commit()
    token = _upload(signed_in, account.id)
    page = signed_in.get(f"/imports/{token}/review").text
    assert input_value(page, "payee-1") == "Farmácia Central"  # learned
    assert input_value(page, "payee-2") == ""
    assert '<option value="Farmácia Central">' in page  # existing payees offered

    form = {"account_id": account.id, "seen-1": "1", "seen-2": "1", "action": "import",
            "payee-1": "Farmácia Central", "tags-1": "saúde",
            "payee-2": "x" * 101, "tags-2": "família, presente, família"}
    response = signed_in.post(f"/imports/{token}/review", data=form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "Row 2: A payee's name has at most 100 characters." in page
    assert input_value(response.text, "payee-2") == "x" * 101  # as typed
    assert input_value(response.text, "tags-2") == "família, presente, família"
    assert input_value(response.text, "tags-1") == "saúde"
    assert db.session.scalar(select(Entry.id)) is None

    form["payee-2"] = "Ana Souza"
    response = signed_in.post(f"/imports/{token}/review", data=form)
    assert response.status_code == 302, response.text[:2000]
    db.session.expire_all()
    by_description = {e.description: e for e in db.session.scalars(select(Entry))}
    pharmacy = by_description["FARMACIA CENTRAL 0310"]
    transfer = by_description["PIX RECEBIDO ANA SOUZA"]
    assert pharmacy.payee.name == "Farmácia Central"
    assert [t.name for t in pharmacy.tags] == ["saúde"]
    assert transfer.payee.name == "Ana Souza"
    assert sorted(t.name for t in transfer.tags) == ["família", "presente"]
    # The payee chosen on the review is learned for descriptions like this one.
    patterns = {p.pattern: p.payee.name for p in db.session.scalars(select(PayeePattern))}
    assert patterns["ana souza"] == "Ana Souza"


def test_a_saved_choice_comes_back_and_a_cleared_payee_sets_none(signed_in, household):
    account = checking_account(household)
    learn_pattern(db.session, household, payee_named(db.session, household, "Farmácia Central"),
                  "FARMACIA CENTRAL")
    db.session.commit()
    token = _upload(signed_in, account.id)
    form = {"account_id": account.id, "seen-1": "1", "seen-2": "1", "action": "save",
            "payee-1": "", "tags-1": "", "payee-2": "Ana", "tags-2": "gift"}
    assert signed_in.post(f"/imports/{token}/review", data=form).status_code == 302
    page = signed_in.get(f"/imports/{token}/review").text
    assert (input_value(page, "payee-1"), input_value(page, "payee-2"), input_value(page, "tags-2")) == (
        "", "Ana", "gift"
    )
    form["action"] = "import"
    assert signed_in.post(f"/imports/{token}/review", data=form).status_code == 302
    db.session.expire_all()
    payees = {e.description: (e.payee.name if e.payee else None) for e in db.session.scalars(select(Entry))}
    assert payees == {"FARMACIA CENTRAL 0310": None, "PIX RECEBIDO ANA SOUZA": "Ana"}


def test_a_viewer_is_refused_and_another_households_upload_is_not_found(app, client, auth, user, household):
    account = checking_account(household)
    auth.login(user.email)
    token = _upload(client, account.id)
    form = {"account_id": account.id, "seen-1": "1", "payee-1": "X", "action": "save"}
    viewer = add_member(household, "viewer", name="Vera")
    other = create_user(name="Other", household_name="Other home")
    checking_account(household_of(other))
    client.post("/logout")
    auth.login(viewer.email)
    assert client.post(f"/imports/{token}/review", data=form).status_code == 403
    client.post("/logout")
    auth.login(other.email)
    assert client.post(f"/imports/{token}/review", data=form).status_code == 404
    assert client.get(f"/imports/{token}/review").status_code == 404


QIF = (Path(__file__).parents[1] / "fixtures" / "imports" / "bank" / "household_splits.qif").read_bytes()


def _review_of_qif(client, account) -> tuple[str, str]:
    """Upload the QIF with splits into `account`: the import's token and its review page."""
    response = client.post(
        "/imports/", data={"file": (io.BytesIO(QIF), "checking.qif"), "account_id": str(account.id)},
        content_type="multipart/form-data",
    )
    token = re.search(r"/imports/([A-Za-z0-9_-]+)/review$", response.headers["Location"]).group(1)
    return token, html.unescape(client.get(f"/imports/{token}/review").text)


def test_a_qif_file_with_splits_imports_split_entries_and_names_the_bad_row(signed_in, household):
    account = checking_account(household)
    token, page = _review_of_qif(signed_in, account)
    assert "The split lines add up to -85.00, not the transaction's -90.00." in page
    walmart = re.search(r'data-line="1".*?</tr>', page, re.S).group(0)
    assert "new: Household › Supplies" in walmart and "(Detergent, paper towels)" in walmart
    assert 'id="category-1"' not in walmart  # the lines carry the categories
    response = signed_in.post(f"/imports/{token}/review", data={
        "account_id": account.id, "action": "import", **{f"seen-{n}": "1" for n in (1, 2, 4, 5)},
    })
    assert response.status_code == 302, response.text[:2000]
    db.session.expire_all()
    entries = {e.description: e for e in db.session.scalars(select(Entry))}
    assert set(entries) == {"WALMART SUPERCENTER", "SHELL OIL 57442", "CITY APARTMENTS", "CVS PHARMACY"}
    lines = [(s.category.label, s.subcategory.label if s.subcategory else None, s.amount, s.note)
             for s in entries["WALMART SUPERCENTER"].splits]
    assert lines == [
        ("Groceries", None, Decimal("180.00"), "Food for the week"),
        ("Household", "Supplies", Decimal("45.30"), "Detergent, paper towels"),
        ("Pets", None, Decimal("20.00"), None),
    ]
    walmart_entry = entries["WALMART SUPERCENTER"]
    assert (walmart_entry.amount, walmart_entry.category.label) == (Decimal("245.30"), "Groceries")
    assert sum(s.amount for s in entries["CITY APARTMENTS"].splits) == Decimal("1250.00")
    assert len(entries["CVS PHARMACY"].splits) == 2  # the line of zero left out
    assert entries["SHELL OIL 57442"].splits == []


def test_a_split_that_does_not_add_up_is_told_in_the_reader_s_number_format(signed_in, user, household):
    account = checking_account(household)
    user.locale = "pt"
    db.session.commit()
    _token, page = _review_of_qif(signed_in, account)
    assert "somam -85,00, não os -90,00 da transação" in page

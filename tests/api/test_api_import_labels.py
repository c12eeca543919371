"""The API's import review at parity with the page (docs/import.md): each row's proposed
payee and tags, a QIF split transaction's lines, a card statement's installment rows; the
commit's decisions set a row's payee and tags (checked as the page checks them, the payee
chosen learned for the description). Viewers are refused; another household's upload is
not found."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from finora.api.schemas_imports import ImportReviewOut
from finora.extensions import db
from finora.models import Category, Entry, Payee, PayeePattern, Tag
from finora.services.ledger.entries import EntryData
from finora.services.ledger.installments import create_installments
from finora.services.ledger.payees import learn_pattern, payee_named
from tests.api.conftest import ApiClient
from tests.api.planning_helpers import assert_error, viewer_api
from tests.factories import create_user
from tests.ledger_factories import category, checking_account, make_account

BANK = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "bank"
OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><ACCTID>1<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301<DTEND>20260315
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260310<TRNAMT>-45.90<FITID>A1<MEMO>FARMACIA CENTRAL 0310</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260312<TRNAMT>300.00<FITID>A2<MEMO>PIX RECEBIDO ANA SOUZA</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260314<TRNAMT>-12.00<FITID>A3<MEMO>FARMACIA CENTRAL 0314</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(datetime(2026, 3, 20, 15, tzinfo=UTC), tick=False):
        yield


def _stage(api, data: bytes, name: str, account_id: int) -> dict:
    body = {"filename": name, "content_base64": base64.b64encode(data).decode("ascii"),
            "account_id": account_id}
    response = api.post("/imports", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    ImportReviewOut.model_validate(response.json["data"])
    return response.json["data"]


def _commit(api, token: str, decisions: list[dict]):
    return api.post(f"/imports/staged/{token}/commit", json={"decisions": decisions})


def _entries() -> dict[str, Entry]:
    db.session.expire_all()
    return {entry.description: entry for entry in db.session.scalars(select(Entry))}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _pharmacy_learned(household) -> None:
    learn_pattern(db.session, household, payee_named(db.session, household, "Farmácia Central"),
                  "FARMACIA CENTRAL")
    db.session.commit()


def test_payee_and_tags_are_proposed_and_the_decisions_set_clear_and_teach_them(signed_api, household):
    _pharmacy_learned(household)
    data = _stage(signed_api, OFX, "extrato.ofx", checking_account(household).id)
    assert [(row["payee"], row["tags"], row["lines"], row["installment"]) for row in data["rows"]] == [
        ("Farmácia Central", [], [], None), (None, [], [], None), ("Farmácia Central", [], [], None)]

    response = _commit(signed_api, data["token"], [
        {"line": 1, "payee": None, "tags": ["saúde"]},  # the learned payee cleared
        {"line": 2, "payee": "  Ana   Souza ", "tags": ["família", "presente", "Família"]},
        {"line": 3, "tags": ["saúde", "farmácia"]},  # payee left out: the proposal stays
    ])
    assert response.status_code == 201, response.get_data(as_text=True)
    entries = _entries()
    first, transfer, second = (entries[name] for name in (
        "FARMACIA CENTRAL 0310", "PIX RECEBIDO ANA SOUZA", "FARMACIA CENTRAL 0314"))
    assert first.payee is None and [tag.name for tag in first.tags] == ["saúde"]
    assert transfer.payee.name == "Ana Souza"
    assert sorted(tag.name for tag in transfer.tags) == ["família", "presente"]
    assert second.payee.name == "Farmácia Central"
    assert sorted(tag.name for tag in second.tags) == ["farmácia", "saúde"]
    # The payee the user gave is learned for the description, as on the page.
    patterns = {p.pattern: p.payee.name for p in db.session.scalars(select(PayeePattern))}
    assert patterns["ana souza"] == "Ana Souza"


def test_a_payee_given_one_row_goes_to_the_files_other_rows_of_that_description(signed_api, household):
    _pharmacy_learned(household)
    data = _stage(signed_api, OFX, "extrato.ofx", checking_account(household).id)
    response = _commit(signed_api, data["token"], [{"line": 1, "payee": "Drogaria Central"}])
    assert response.status_code == 201, response.get_data(as_text=True)
    entries = _entries()
    assert entries["FARMACIA CENTRAL 0310"].payee.name == "Drogaria Central"
    assert entries["FARMACIA CENTRAL 0314"].payee.name == "Drogaria Central"


@pytest.mark.parametrize(("decision", "field", "message"), [
    ({"line": 2, "payee": "x" * 101}, "decisions.1.payee", "Row 2: A payee's name has at most 100 characters."),
    ({"line": 2, "tags": ["y" * 51]}, "decisions.1.tags", "Row 2: A tag has at most 50 characters."),
    ({"line": 2, "tags": [f"t{n}" for n in range(21)]}, "decisions.1.tags", "Row 2: An entry has at most 20 tags."),
    ({"line": 2, "tags": "a, b"}, "decisions.1.tags", None),
    ({"line": 2, "tags": [7]}, "decisions.1.tags.0", None),
])
def test_a_payee_or_tags_the_page_refuses_are_a_422_on_the_field_and_nothing_is_written(
    signed_api, household, decision, field, message,
):
    data = _stage(signed_api, OFX, "extrato.ofx", checking_account(household).id)
    body = assert_error(_commit(signed_api, data["token"], [{"line": 1, "tags": ["ok"]}, decision]),
                        422, "validation_error")
    assert list(body["fields"]) == [field]
    if message:
        assert body["fields"][field] == message
    assert (_count(Entry), _count(Payee), _count(Tag)) == (0, 0, 0)
    assert signed_api.get(f"/imports/staged/{data['token']}").status_code == 200  # still staged


def test_the_refusal_is_in_the_callers_language(signed_api, household, user):
    user.locale = "pt"
    db.session.commit()
    data = _stage(signed_api, OFX, "extrato.ofx", checking_account(household).id)
    body = assert_error(_commit(signed_api, data["token"], [{"line": 3, "payee": "x" * 101}]),
                        422, "validation_error")
    assert body["fields"]["decisions.0.payee"].startswith("Linha 3: ")


def test_a_qif_split_transaction_is_reviewed_with_its_lines_and_imported_split(signed_api, household):
    qif = (BANK / "household_splits.qif").read_bytes()
    data = _stage(signed_api, qif, "checking.qif", checking_account(household).id)
    rows = {row["line"]: row for row in data["rows"]}
    assert rows[3]["status"] == "error" and rows[3]["lines"] == []
    assert "-85.00" in rows[3]["reason"]
    walmart = rows[1]
    assert [(line["new_category"], line["amount"], line["note"]) for line in walmart["lines"]][1:] == [
        ("Household › Supplies", "45.30", "Detergent, paper towels"), ("Pets", "20.00", None)]
    groceries = walmart["lines"][0]
    assert groceries["amount"] == "180.00" and (groceries["category_id"] or groceries["new_category"])
    assert rows[2]["lines"] == [] and rows[2]["installment"] is None
    assert len(rows[5]["lines"]) == 2  # the line of zero left out
    # The lines carry a split row's categories: one for the row itself is refused.
    food = category(household, "expense.food")
    body = assert_error(_commit(signed_api, data["token"], [{"line": 1, "category_id": food.id}]),
                        422, "validation_error")
    assert list(body["fields"]) == ["decisions.0.category_id"] and _count(Entry) == 0

    response = _commit(signed_api, data["token"], [{"line": 1, "payee": "Walmart", "tags": ["weekly"]}])
    assert response.status_code == 201, response.get_data(as_text=True)
    entry = _entries()["WALMART SUPERCENTER"]
    lines = [(s.category_id, s.subcategory_id, s.amount, s.note) for s in entry.splits]
    supplies = db.session.scalar(select(Category).where(Category.household_id == household.id,
                                                        Category.name == "Supplies"))
    assert lines[1] == (supplies.parent_id, supplies.id, Decimal("45.30"), "Detergent, paper towels")
    assert [(line[2], line[3]) for line in lines] == [
        (Decimal(line["amount"]), line["note"]) for line in walmart["lines"]]
    assert (entry.payee.name, [tag.name for tag in entry.tags]) == ("Walmart", ["weekly"])


def test_card_installment_rows_show_their_place_and_match_one_already_entered(signed_api, household):
    card = make_account(household, name="Visa", kind="credit_card", closing_day=25, due_day=5)
    fridge = create_installments(db.session, household, EntryData(
        kind="expense", amount=Decimal("4200.00"), date=date(2026, 1, 10), description="Geladeira",
        account_id=card.id, category_id=category(household, "expense.food").id,
        payment_method="credit_card", paid_on=date(2026, 1, 10),
    ), 12)
    db.session.commit()
    data = _stage(signed_api, (BANK / "card_installments.ofx").read_bytes(), "fatura.ofx", card.id)
    rows = {row["description"]: row for row in data["rows"]}
    assert rows["LOJA X PARCELA 02/12"]["installment"] == {"number": 2, "count": 12}
    assert rows["NETSHOES 02 DE 06"]["installment"] == {"number": 2, "count": 6}
    fridge_row = rows["BRASTEMP GELADEIRA PARC 03/12"]
    assert (fridge_row["status"], fridge_row["match_entry_id"], fridge_row["installment"]) == (
        "match", fridge[2].id, {"number": 3, "count": 12})
    assert rows["PADARIA REAL 11/03"]["installment"] is None  # a date, not an installment

    response = _commit(signed_api, data["token"], [])
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.json["data"]["added"], response.json["data"]["matched"]) == (6, 1)
    store = _entries()["LOJA X PARCELA 02/12"]
    assert (store.installment_number, store.installment_count) == (2, 12)


def test_a_viewer_cannot_commit_and_another_household_does_not_find_the_upload(api, household, user):
    api.login(user.email)
    data = _stage(api, OFX, "extrato.ofx", checking_account(household).id)
    decisions = [{"line": 1, "payee": "X", "tags": ["y"]}]
    stranger = create_user(name="Other", household_name="Other home")
    other = ApiClient(api.client)
    other.login(stranger.email)
    assert_error(other.get(f"/imports/staged/{data['token']}"), 404, "not_found")
    assert_error(_commit(other, data["token"], decisions), 404, "not_found")
    viewer_api(api, household)
    assert_error(_commit(api, data["token"], decisions), 403, "forbidden")
    assert (_count(Entry), _count(Payee), _count(Tag)) == (0, 0, 0)

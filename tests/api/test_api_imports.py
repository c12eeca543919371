"""The import pipeline over the API: a bank's CSV (cp1252, `;`, "1.234,56", title lines)
and an SGML OFX staged, reviewed row by row (new, duplicate, match, error with its line
and reason), committed with decisions or at once, listed, undone; unreadable files and bad
bodies are 422s on their fields, other households' batches and other people's uploads 404."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finora.api.schemas_imports import BatchOut, ImportReviewOut
from finora.extensions import db
from finora.models import Entry, ImportBatch
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import category, checking_account, make_account, make_entry
from tests.members_factories import add_member
from tests.services.test_import_flow import FEBRUARY, JANUARY  # the import page's statements

BANK = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "bank"


def _body(data: bytes, name: str = "extrato.csv", **extra) -> dict:
    return {"filename": name, "content_base64": base64.b64encode(data).decode("ascii"), **extra}


def _entries() -> list[Entry]:
    db.session.expire_all()
    return list(db.session.scalars(select(Entry).order_by(Entry.date, Entry.id)))


def _staged(api, data=JANUARY, **extra) -> dict:
    response = api.post("/imports", json=_body(data, **extra))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["data"]


def test_a_bank_csv_is_reviewed_row_by_row_and_nothing_is_written(signed_api, household):
    data = _staged(signed_api)
    ImportReviewOut.model_validate(data)
    assert data["format"] == "csv" and data["filename"] == "extrato.csv"
    assert data["account_id"] == checking_account(household).id
    assert data["token"] and data["expires_at"] and data["batch"] is None
    assert data["counts"] == {"new": 4, "duplicate": 0, "match": 0, "error": 1}
    rows = data["rows"]
    assert [row["line"] for row in rows] == sorted(row["line"] for row in rows)
    assert [(r["status"], r["date"], r["amount"], r["kind"]) for r in rows[:4]] == [
        ("new", "2026-01-02", "12.30", "expense"), ("new", "2026-01-02", "12.30", "expense"),
        ("new", "2026-01-15", "3500.00", "income"), ("new", "2026-01-20", "1234.56", "expense")]
    assert rows[3]["description"] == "Mercado Bom Preço"  # cp1252 read as such
    error = rows[4]
    assert error["status"] == "error" and error["line"] == 8 and error["reason"]
    assert error["date"] is None and error["amount"] is None
    assert _entries() == []
    assert signed_api.get("/imports").json["meta"]["total"] == 0


def test_the_staged_file_is_committed_into_one_batch(signed_api, household):
    staged = _staged(signed_api)
    response = signed_api.post(f"/imports/staged/{staged['token']}/commit", json={})
    assert response.status_code == 201, response.get_data(as_text=True)
    batch = response.json["data"]
    BatchOut.model_validate(batch)
    assert (batch["added"], batch["errors"], batch["rows_in_file"], batch["duplicates"]) == (4, 1, 5, 0)
    assert batch["account_id"] == checking_account(household).id and batch["undone"] is False
    assert batch["filename"] == "extrato.csv" and batch["format"] == "csv"
    entries = _entries()
    assert [(e.kind, e.amount, e.date) for e in entries] == [
        ("expense", Decimal("12.30"), date(2026, 1, 2)), ("expense", Decimal("12.30"), date(2026, 1, 2)),
        ("income", Decimal("3500.00"), date(2026, 1, 15)), ("expense", Decimal("1234.56"), date(2026, 1, 20))]
    assert {e.import_batch_id for e in entries} == {batch["id"]}
    # The upload is gone once imported: a second commit finds nothing.
    assert_error(signed_api.post(f"/imports/staged/{staged['token']}/commit", json={}), 404, "not_found")
    listed = signed_api.get("/imports").json
    assert listed["meta"]["total"] == 1 and listed["data"][0] == batch
    one = signed_api.get(f"/imports/{batch['id']}").json["data"]
    assert one == batch and one["created_by_name"]


def test_an_overlapping_statement_committed_at_once_adds_only_its_new_days(signed_api):
    _staged(signed_api, commit=True)
    data = _staged(signed_api, FEBRUARY, commit=True, filename="fevereiro.csv")
    ImportReviewOut.model_validate(data)
    assert [row["status"] for row in data["rows"]] == ["duplicate", "new", "new"]
    assert data["token"] is None and data["expires_at"] is None
    assert (data["batch"]["added"], data["batch"]["duplicates"]) == (2, 1)
    assert data["batch"]["filename"] == "fevereiro.csv"
    assert len(_entries()) == 6
    # The bakery was categorised by the default once; the history suggests the same now.
    assert data["rows"][1]["category_source"] == "history"


def test_an_sgml_ofx_from_a_brazilian_bank(signed_api, household):
    ofx = (BANK / "itau_102_cp1252.ofx").read_bytes()  # OFX 1.02: SGML, no closing tags, cp1252
    data = _staged(signed_api, ofx, filename="extrato.ofx")
    assert data["format"] == "ofx"
    assert [(r["line"], r["status"]) for r in data["rows"]] == [
        (1, "new"), (2, "new"), (3, "new"), (4, "new"), (5, "new"), (6, "new"), (7, "error"), (8, "error")]
    first = data["rows"][0]
    assert (first["date"], first["amount"], first["kind"], first["description"]) == (
        "2026-01-05", "12.30", "expense", "PADARIA SÃO JOÃO")
    assert data["rows"][1]["kind"] == "income" and data["rows"][3]["description"] == "SAQUE 24H & CAIXA"
    assert [r["reason"] for r in data["rows"][6:]] == ["The date “20260199” cannot be read.", "The amount is zero."]
    batch = signed_api.post(f"/imports/staged/{data['token']}/commit", json={}).json["data"]
    assert (batch["format"], batch["added"], batch["errors"], batch["rows_in_file"]) == ("ofx", 6, 2, 8)
    # The same statement again: every transaction is known by the bank's id.
    again = _staged(signed_api, ofx, filename="extrato de novo.ofx")
    assert again["counts"] == {"new": 0, "duplicate": 6, "match": 0, "error": 2}


def test_a_pending_entry_is_matched_and_paid_and_undo_gives_it_back(signed_api, household):
    bill = make_entry(household, amount="1234.56", date=date(2026, 1, 18), description="Mercado")
    data = _staged(signed_api)
    matched = [row for row in data["rows"] if row["status"] == "match"]
    assert [(r["line"], r["match_entry_id"]) for r in matched] == [(7, bill.id)]
    batch = signed_api.post(f"/imports/staged/{data['token']}/commit", json={}).json["data"]
    assert (batch["added"], batch["matched"]) == (3, 1)
    db.session.expire_all()
    assert db.session.get(Entry, bill.id).paid_on == date(2026, 1, 20)

    assert signed_api.delete(f"/imports/{batch['id']}").status_code == 204
    assert [e.id for e in _entries()] == [bill.id]
    assert db.session.get(Entry, bill.id).paid_on is None
    undone = signed_api.get(f"/imports/{batch['id']}").json["data"]
    assert undone["undone"] is True and undone["undone_at"]
    assert_error(signed_api.delete(f"/imports/{batch['id']}"), 409, "conflict")


def test_decisions_skip_a_row_decline_a_match_and_choose_a_category(signed_api, household):
    bill = make_entry(household, amount="1234.56", date=date(2026, 1, 18))
    data = _staged(signed_api)
    pharmacy = category(household, "expense.health")
    response = signed_api.post(f"/imports/staged/{data['token']}/commit", json={"decisions": [
        {"line": 4, "skip": True},
        {"line": 7, "match": False},
        {"line": 5, "category_id": pharmacy.id},
    ]})
    assert response.status_code == 201, response.get_data(as_text=True)
    batch = response.json["data"]
    assert (batch["added"], batch["matched"], batch["skipped"]) == (3, 0, 1)
    entries = [e for e in _entries() if e.import_batch_id == batch["id"]]
    # Line 4 left out; line 7 a new entry, its match declined.
    assert [e.date for e in entries] == [date(2026, 1, 2), date(2026, 1, 15), date(2026, 1, 20)]
    db.session.expire_all()
    assert db.session.get(Entry, bill.id).paid_on is None
    assert entries[0].category_id == pharmacy.id and entries[2].category_id != pharmacy.id


@pytest.mark.parametrize(("decision", "field"), [
    ({"line": 99}, "decisions.0.line"),
    ({"line": 4, "category_id": 0}, "decisions.0.category_id"),
    ({"line": 7, "skip": "maybe"}, "decisions.0.skip"),
])
def test_a_decision_that_names_no_row_or_no_category_is_a_422(signed_api, decision, field):
    data = _staged(signed_api)
    body = assert_error(signed_api.post(f"/imports/staged/{data['token']}/commit",
                                        json={"decisions": [decision]}), 422, "validation_error")
    assert field in body["fields"]
    assert _entries() == []


def test_an_income_category_for_an_expense_row_is_refused(signed_api, household):
    data = _staged(signed_api)
    salary = category(household, "income.work")
    body = assert_error(signed_api.post(f"/imports/staged/{data['token']}/commit", json={
        "decisions": [{"line": 4, "category_id": salary.id}]}), 422, "validation_error")
    assert list(body["fields"]) == ["decisions.0.category_id"]
    assert signed_api.get(f"/imports/staged/{data['token']}").status_code == 200  # still staged


@pytest.mark.parametrize(("content", "words"), [
    ("not base64!!", "base64"),
    ("", None),
    (base64.b64encode((BANK / "statement.pdf").read_bytes()).decode(), "PDF"),
    (base64.b64encode((BANK / "old_excel.xls").read_bytes()).decode(), ".xls"),
    (base64.b64encode((BANK / "truncated.ofx").read_bytes()).decode(), None),
    (base64.b64encode((BANK / "random.bin").read_bytes()).decode(), "binary"),
    (base64.b64encode((BANK / "xxe.camt.xml").read_bytes()).decode(), "XML"),
    (base64.b64encode((BANK / "statements.zip").read_bytes()).decode(), "zip"),
    (base64.b64encode((BANK / "truncated.xlsx").read_bytes()).decode(), None),
    (base64.b64encode((BANK / "invest_only.qif").read_bytes()).decode(), None),
])
def test_a_file_that_cannot_be_read_is_a_422_on_its_content(signed_api, content, words):
    body = assert_error(signed_api.post("/imports", json={"filename": "x", "content_base64": content}),
                        422, "validation_error")
    assert list(body["fields"]) == ["content_base64"]
    if words:
        assert words in body["fields"]["content_base64"]
    assert _entries() == []


def test_the_pipelines_reason_is_in_the_callers_language(signed_api, user):
    user.locale = "pt"
    db.session.commit()
    data = base64.b64encode((BANK / "statement.pdf").read_bytes()).decode()
    body = signed_api.post("/imports", json={"filename": "x.pdf", "content_base64": data}).json
    assert "PDF" in body["fields"]["content_base64"] and "extrato" in body["fields"]["content_base64"]


def test_a_qif_whose_dates_fit_two_orders_asks_for_the_order(signed_api):
    qif = b"!Type:Bank\nD01/02/2026\nT-10.00\nPBakery\n^\nD03/04/2026\nT-20.00\nPMarket\n^\n"
    body = assert_error(signed_api.post("/imports", json=_body(qif, "x.qif")), 422, "validation_error")
    assert list(body["fields"]) == ["date_order"] and "dmy" in body["fields"]["date_order"]
    data = _staged(signed_api, qif, filename="x.qif", date_order="dmy")
    assert [row["date"] for row in data["rows"]] == ["2026-02-01", "2026-04-03"]


def test_a_csv_without_a_header_is_read_with_the_columns_sent(signed_api):
    csv = "05/03/2026;Rent;-1.500,00\n06/03/2026;Refund;20,00\n".encode("cp1252")
    body = {"header_row": -1, "columns": {"date": 0, "description": 1, "amount": 2},
            "delimiter": "semicolon", "date_order": "dmy", "number_style": "comma_decimal"}
    data = _staged(signed_api, csv, **body)
    assert [(r["date"], r["amount"], r["kind"]) for r in data["rows"]] == [
        ("2026-03-05", "1500.00", "expense"), ("2026-03-06", "20.00", "income")]


@pytest.mark.parametrize(("extra", "field"), [
    ({"columns": {"date": 0, "description": 1, "amount": 9}}, "columns"),
    ({"columns": {"date": 0}}, "columns"),
    ({"columns": {"wages": 0}}, "columns"),
    ({"delimiter": "colon"}, "delimiter"),
    ({"encoding": "latin-9"}, "encoding"),
    ({"date_order": "dym"}, "date_order"),
    ({"header_row": 40}, "header_row"),
])
def test_a_mapping_that_cannot_be_applied_is_a_422(signed_api, extra, field):
    body = assert_error(signed_api.post("/imports", json=_body(FEBRUARY, **extra)), 422, "validation_error")
    assert field in body["fields"]


def test_the_account_is_the_households_and_open(signed_api, household):
    stranger = stranger_household()
    closed = make_account(household, name="Old")
    closed.archived = True
    db.session.commit()
    for account_id in (checking_account(stranger).id, closed.id, 2**31 - 1):
        body = assert_error(signed_api.post("/imports", json=_body(JANUARY, account_id=account_id)),
                            422, "validation_error")
        assert list(body["fields"]) == ["account_id"]
    savings = make_account(household, name="Savings", kind="savings")
    assert _staged(signed_api, account_id=savings.id)["account_id"] == savings.id


def test_a_body_over_two_megabytes_is_refused(signed_api):
    response = signed_api.post("/imports", json=_body(b"x" * (2 * 1024 * 1024)))
    assert_error(response, 413, "validation_error")


def test_a_staged_upload_is_its_uploaders_and_can_be_discarded(signed_api, api, household):
    data = _staged(signed_api)
    token = data["token"]
    again = signed_api.get(f"/imports/staged/{token}").json["data"]
    assert again["rows"] == data["rows"] and again["token"] == token
    editor = add_member(household, "editor")
    from tests.api.conftest import ApiClient
    other = ApiClient(api.client)
    other.login(editor.email)
    assert_error(other.get(f"/imports/staged/{token}"), 404, "not_found")
    assert_error(other.post(f"/imports/staged/{token}/commit", json={}), 404, "not_found")
    assert signed_api.delete(f"/imports/staged/{token}").status_code == 204
    assert_error(signed_api.get(f"/imports/staged/{token}"), 404, "not_found")


def test_another_households_batch_is_404(signed_api, household):
    stranger = stranger_household()
    batch = ImportBatch(household_id=stranger.id, account_id=checking_account(stranger).id,
                        file_name="theirs.csv", format="csv")
    db.session.add(batch)
    db.session.commit()
    assert_error(signed_api.get(f"/imports/{batch.id}"), 404, "not_found")
    assert_error(signed_api.delete(f"/imports/{batch.id}"), 404, "not_found")
    assert db.session.get(ImportBatch, batch.id).undone_at is None
    assert signed_api.get("/imports").json["meta"]["total"] == 0


def test_a_viewer_lists_imports_but_cannot_upload(api, household):
    owner_api_batch = ImportBatch(household_id=household.id, account_id=checking_account(household).id,
                                  file_name="a.csv", format="csv")
    db.session.add(owner_api_batch)
    db.session.commit()
    viewer_api(api, household)
    assert api.get("/imports").json["meta"]["total"] == 1
    assert_error(api.post("/imports", json=_body(JANUARY)), 403, "forbidden")
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


def test_the_list_is_paged_newest_first(signed_api, household):
    _staged(signed_api, commit=True)
    _staged(signed_api, FEBRUARY, commit=True, filename="fevereiro.csv")
    page = signed_api.get("/imports?limit=1&offset=0").json
    assert page["meta"] == {"total": 2, "limit": 1, "offset": 0}
    assert page["data"][0]["filename"] == "fevereiro.csv"
    assert signed_api.get("/imports?limit=1&offset=1").json["data"][0]["filename"] == "extrato.csv"


@pytest.mark.parametrize(("name", "fmt", "new"), [
    ("camt053_batched.xml", "camt", 6), ("dutch_abn.940", "mt940", 3),
    ("creditcard_220.ofx", "ofx", 3), ("splits.qif", "qif", 2),
])
def test_every_bank_format_is_read_by_its_content(signed_api, name, fmt, new):
    data = _staged(signed_api, (BANK / name).read_bytes(), filename="statement.txt")
    assert (data["format"], data["counts"]["new"]) == (fmt, new)


def test_a_workbook_is_read_from_the_sheet_named(signed_api):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Resumo"
    workbook.active.append(["Nada aqui"])
    sheet = workbook.create_sheet("Movimentos")
    sheet.append(["Data", "Descrição", "Valor"])
    sheet.append([date(2026, 3, 2), "Padaria", -12.3])
    sheet.append([date(2026, 3, 5), "Salário", 3500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = _staged(signed_api, buffer.getvalue(), filename="planilha.xlsx", sheet="Movimentos")
    assert data["format"] == "xlsx"
    assert [(r["date"], r["amount"], r["kind"]) for r in data["rows"]] == [
        ("2026-03-02", "12.30", "expense"), ("2026-03-05", "3500.00", "income")]
    body = _body(buffer.getvalue(), "planilha.xlsx", sheet="Nenhuma")
    assert list(assert_error(signed_api.post("/imports", json=body), 422, "validation_error")["fields"]) == ["sheet"]


def test_the_commit_may_go_to_another_account_reviewed_again(signed_api, household):
    _staged(signed_api, commit=True)  # January in the checking account
    savings = make_account(household, name="Savings", kind="savings")
    data = _staged(signed_api)
    assert data["counts"]["duplicate"] == 4
    response = signed_api.post(f"/imports/staged/{data['token']}/commit", json={"account_id": savings.id})
    assert response.status_code == 201, response.get_data(as_text=True)
    batch = response.json["data"]
    assert (batch["account_id"], batch["account_name"], batch["added"], batch["duplicates"]) == (
        savings.id, "Savings", 4, 0)


def test_an_upload_staged_on_the_page_is_reviewed_with_the_mapping_the_page_suggests(signed_api, household, user):
    from finora.services.imports.staging import stage_upload

    staged = stage_upload(household, user, "extrato.csv", FEBRUARY)  # the upload step, not mapped yet
    response = signed_api.get(f"/imports/staged/{staged.token}")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    assert data["counts"]["new"] == 3 and data["token"] == staged.token
    batch = signed_api.post(f"/imports/staged/{staged.token}/commit", json={}).json["data"]
    assert batch["added"] == 3


def test_an_account_archived_before_the_commit_is_a_422_until_another_is_named(signed_api, household):
    old = make_account(household, name="Old")
    data = _staged(signed_api, account_id=old.id)
    old.archived = True
    db.session.commit()
    body = assert_error(signed_api.post(f"/imports/staged/{data['token']}/commit", json={}), 422,
                        "validation_error")
    assert list(body["fields"]) == ["account_id"] and _entries() == []
    checking = checking_account(household)
    response = signed_api.post(f"/imports/staged/{data['token']}/commit", json={"account_id": checking.id})
    assert response.status_code == 201 and response.json["data"]["account_id"] == checking.id

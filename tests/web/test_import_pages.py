"""The import pages end to end through the test client: a cp1252 spreadsheet with ';' and
"1.234,56" mapped, reviewed (one category changed) and imported; the same file again adds
nothing; a bank statement goes straight to the review on the account that carries its
number; a broken file writes nothing; ambiguous dates are asked; the error rows download;
undo removes exactly the batch's entries; profiles come back for the same header."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Category, Entry, ImportBatch, ImportProfile
from finora.services.ledger.catalogue import create_category, delete_category
from finora.translation import gettext
from tests.ledger_factories import (
    category,
    checking_account,
    field_error,
    make_account,
    make_entry,
    row_containing,
    select_options,
    selected_value,
)

NOW = datetime(2026, 3, 20, 15, tzinfo=UTC)
CSV_TEXT = (
    "Data;Descrição;Valor\r\n"
    "05/03/2026;Padaria São João;-12,50\r\n"
    "15/03/2026;Salário;1.234,56\r\n"
    "18/03/2026;Supermercado Pão;-234,10\r\n"
)
CSV = CSV_TEXT.encode("cp1252")
MAPPING = {
    "encoding": "cp1252",
    "delimiter": "semicolon",
    "header_row": "0",
    "date_order": "dmy",
    "number_style": "comma_decimal",
    "column-0": "date",
    "column-1": "description",
    "column-2": "amount",
    "action": "continue",
}
OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260315<LANGUAGE>POR</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>BRL
<BANKACCTFROM><ACCTID>98765-4<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260301<DTEND>20260315
<STMTTRN>
<TRNTYPE>DEBIT
<DTPOSTED>20260310
<TRNAMT>-45.90
<FITID>A1
<MEMO>Farmacia Central
</STMTTRN>
<STMTTRN>
<TRNTYPE>CREDIT
<DTPOSTED>20260312
<TRNAMT>300.00
<FITID>A2
<MEMO>Reembolso
</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>100.00<DTASOF>20260315</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def upload(client, data: bytes, name: str = "extrato.csv", account_id: int | None = None):
    form = {"file": (io.BytesIO(data), name)}
    if account_id is not None:
        form["account_id"] = str(account_id)
    return client.post("/imports/", data=form, content_type="multipart/form-data")


def token_of(response) -> str:
    assert response.status_code == 302, response.text[:500]
    match = re.search(r"/imports/([A-Za-z0-9_-]+)/(mapping|review)$", response.headers["Location"])
    assert match is not None, response.headers["Location"]
    return match.group(1)


def review_rows(page: str) -> dict[str, tuple[int, str]]:
    """Description -> (line, status) of each row of the review table."""
    rows = {}
    for line, status, body in re.findall(
        r'<tr class="import-row" data-line="(\d+)" data-status="(\w+)">(.*?)</tr>', page, re.S
    ):
        description = re.search(r'class="import-description">(.*?)</td>', body, re.S).group(1)
        rows[html.unescape(description).strip()] = (int(line), status)
    return rows


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def staged_folders(app) -> list[Path]:
    root = Path(app.config["DATA_DIR"]) / "imports"
    return [p for p in root.glob("*/*") if p.is_dir()] if root.exists() else []


def mapped_review(client, account_id: int, data: bytes = CSV, **extra) -> tuple[str, str]:
    token = token_of(upload(client, data, account_id=account_id))
    response = client.post(
        f"/imports/{token}/mapping", data={**MAPPING, "account_id": account_id, **extra}
    )
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"].endswith(f"/imports/{token}/review")
    page = client.get(f"/imports/{token}/review").text
    return token, page


def test_a_spreadsheet_is_mapped_reviewed_and_imported(app, signed_in, household):
    client = signed_in
    account = checking_account(household)
    food = category(household, "expense.food")
    token = token_of(upload(client, CSV, account_id=account.id))
    assert count(Entry) == 0 and count(ImportBatch) == 0  # nothing written on upload

    page = client.get(f"/imports/{token}/mapping").text
    assert selected_value(page, "encoding") == "cp1252"
    assert selected_value(page, "delimiter") == "semicolon"
    assert selected_value(page, "header_row") == "0"
    assert selected_value(page, "date_order") == "dmy"
    assert selected_value(page, "number_style") == "comma_decimal"
    assert page.count("import-detected") == 2  # both labelled "detected"
    assert "Padaria São João" in html.unescape(page)
    assert len(re.findall(r'<tr class="import-preview-row">', page)) == 3
    assert selected_value(page, "column-0") == "date"
    assert selected_value(page, "column-2") == "amount"

    response = client.post(f"/imports/{token}/mapping", data={**MAPPING, "account_id": account.id})
    assert response.status_code == 302
    page = client.get(f"/imports/{token}/review").text
    rows = review_rows(page)
    assert {name: status for name, (_line, status) in rows.items()} == {
        "Padaria São João": "new",
        "Salário": "new",
        "Supermercado Pão": "new",
    }
    assert 'data-count="new">3<' in page and 'data-count="duplicate">0<' in page
    assert count(Entry) == 0

    line = rows["Padaria São João"][0]
    assert any(
        value == str(food.id) for value, _label, _sel in select_options(page, f"category-{line}")
    )
    decisions = {f"seen-{line}": "1", f"category-{line}": str(food.id)}
    response = client.post(
        f"/imports/{token}/review", data={"account_id": account.id, "action": "import", **decisions}
    )
    assert response.status_code == 302, response.text[:2000]
    batch = db.session.scalar(select(ImportBatch))
    assert response.headers["Location"].endswith(f"/imports/batches/{batch.id}")
    assert (batch.added, batch.duplicates, batch.errors, batch.format) == (3, 0, 0, "csv")
    entries = {e.description: e for e in db.session.scalars(select(Entry))}
    assert set(entries) == {"Padaria São João", "Salário", "Supermercado Pão"}
    assert entries["Padaria São João"].category_id == food.id
    assert entries["Padaria São João"].amount == Decimal("12.50")
    assert entries["Padaria São João"].date == date(2026, 3, 5)
    assert entries["Salário"].kind == "income" and entries["Salário"].amount == Decimal("1234.56")
    assert all(e.import_batch_id == batch.id for e in entries.values())
    assert staged_folders(app) == []  # the staged file is gone once committed

    page = client.get(response.headers["Location"]).text
    assert "Imported 3 entries." in html.unescape(page)
    assert len(re.findall(r'<tr class="import-batch-entry">', page)) == 3
    listing = client.get("/imports/").text
    assert "extrato.csv" in listing and "import-batch" in listing


def test_the_same_file_again_is_all_duplicates_and_adds_nothing(signed_in, household):
    client = signed_in
    account = checking_account(household)
    token, _page = mapped_review(client, account.id)
    assert (
        client.post(
            f"/imports/{token}/review", data={"account_id": account.id, "action": "import"}
        ).status_code
        == 302
    )
    assert count(Entry) == 3

    token, page = mapped_review(client, account.id)
    assert {status for _line, status in review_rows(page).values()} == {"duplicate"}
    assert 'id="import-all-duplicates"' in page
    assert "category-" not in page  # a duplicate offers nothing to choose
    response = client.post(
        f"/imports/{token}/review", data={"account_id": account.id, "action": "import"}
    )
    assert response.status_code == 302
    assert count(Entry) == 3
    second = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (second.added, second.duplicates) == (0, 3)


def test_a_bank_statement_goes_to_the_review_on_the_account_with_its_number(signed_in, household):
    client = signed_in
    checking = checking_account(household)
    savings = make_account(household, name="Poupança")
    savings.number = "98765-4"
    db.session.commit()
    response = upload(client, OFX, name="extrato.ofx", account_id=checking.id)
    token = token_of(response)
    assert response.headers["Location"].endswith(f"/imports/{token}/review")
    page = client.get(f"/imports/{token}/review").text
    assert selected_value(page, "account_id") == str(savings.id)
    assert "Chosen because the file names account …65-4." in html.unescape(page)
    assert set(review_rows(page)) == {"Farmacia Central", "Reembolso"}
    response = client.post(
        f"/imports/{token}/review", data={"account_id": savings.id, "action": "import"}
    )
    assert response.status_code == 302
    assert {e.account_id for e in db.session.scalars(select(Entry))} == {savings.id}


def test_a_broken_file_shows_the_error_by_the_file_and_writes_nothing(app, signed_in, household):
    account = make_account(household, name="Second")
    response = upload(
        signed_in, b"\x00\x01\x02\x03 not a statement \xff\xfe\x00", "x.csv", account.id
    )
    assert response.status_code == 422
    assert field_error(response.text, "file")  # the reason, beside the file field
    assert selected_value(response.text, "account_id") == str(account.id)  # the choice kept
    assert count(Entry) == 0 and count(ImportBatch) == 0
    assert staged_folders(app) == []


def test_ambiguous_dates_are_asked_not_guessed(signed_in, household):
    client = signed_in
    account = checking_account(household)
    data = b"Date,Description,Amount\n01/02/2026,Bakery,-3.50\n03/04/2026,Pharmacy,-20.00\n"
    token = token_of(upload(client, data, account_id=account.id))
    page = client.get(f"/imports/{token}/mapping").text
    assert selected_value(page, "date_order") in (None, "")
    assert 'id="date-order-question"' in page
    form = {
        **MAPPING,
        "encoding": "utf-8",
        "delimiter": "comma",
        "number_style": "dot_decimal",
        "date_order": "",
        "account_id": account.id,
    }
    response = client.post(f"/imports/{token}/mapping", data=form)
    assert response.status_code == 422
    assert "import-mapping-problems" in response.text
    assert selected_value(response.text, "column-1") == "description"  # what was chosen, kept
    response = client.post(f"/imports/{token}/mapping", data={**form, "date_order": "mdy"})
    assert response.status_code == 302
    page = client.get(f"/imports/{token}/review").text
    assert set(review_rows(page)) == {"Bakery", "Pharmacy"}
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    assert db.session.scalar(select(Entry.date).where(Entry.description == "Pharmacy")) == date(
        2026, 3, 4
    )


def test_error_rows_are_listed_and_download_as_csv(signed_in, household):
    client = signed_in
    account = checking_account(household)
    data = (CSV_TEXT + "40/03/2026;Linha ruim;-1,00\r\n").encode("cp1252")
    token, page = mapped_review(client, account.id, data)
    errors = re.findall(r'<tr class="import-error" data-line="(\d+)">(.*?)</tr>', page, re.S)
    assert [int(line) for line, _body in errors] == [5]
    assert f'href="/imports/{token}/errors.csv"' in page
    response = client.get(f"/imports/{token}/errors.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = response.data.decode("utf-8-sig")
    assert "Linha ruim" in text and "Padaria" not in text
    assert (
        client.post(
            f"/imports/{token}/review", data={"account_id": account.id, "action": "import"}
        ).status_code
        == 302
    )
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.added, batch.errors) == (3, 1)


def test_undo_removes_exactly_the_batchs_entries(signed_in, household):
    client = signed_in
    account = checking_account(household)
    own = make_entry(household, description="Typed by hand", date=date(2026, 3, 6))
    token, _page = mapped_review(client, account.id)
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    batch = db.session.scalar(select(ImportBatch))
    assert count(Entry) == 4

    page = client.get(f"/imports/batches/{batch.id}/undo").text
    assert "3 entries added by this import will be removed." in html.unescape(page)
    assert count(Entry) == 4  # the confirmation page changes nothing
    response = client.post(f"/imports/batches/{batch.id}/undo")
    assert response.status_code == 302 and response.headers["Location"].endswith("/imports/")
    assert [e.id for e in db.session.scalars(select(Entry))] == [own.id]
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).undone_at is not None
    listing = client.get("/imports/").text
    assert f'href="/imports/batches/{batch.id}/undo"' not in listing
    # Undoing twice removes nothing more.
    client.post(f"/imports/batches/{batch.id}/undo")
    assert count(Entry) == 1


def test_a_saved_profile_is_offered_for_the_same_header_and_can_be_deleted(signed_in, household):
    client = signed_in
    account = checking_account(household)
    mapped_review(client, account.id, save_profile="y", profile_name="Banco Azul")
    profile = db.session.scalar(select(ImportProfile))
    assert profile.name == "Banco Azul"

    token = token_of(upload(client, CSV, account_id=account.id))
    page = client.get(f"/imports/{token}/mapping").text
    assert f'href="/imports/{token}/mapping?profile={profile.id}"' in page
    page = client.get(f"/imports/{token}/mapping?profile={profile.id}").text
    assert selected_value(page, "column-1") == "description"
    assert selected_value(page, "number_style") == "comma_decimal"
    other = "Quando,O quê,Quanto\n2026-03-01,Café,-5.00\n".encode()
    other_token = token_of(upload(client, other, account_id=account.id))
    assert "Banco Azul" not in client.get(f"/imports/{other_token}/mapping").text

    assert "Banco Azul" in client.get("/imports/").text
    response = client.post(f"/imports/profiles/{profile.id}/delete")
    assert response.status_code == 302
    assert count(ImportProfile) == 0


def test_cancel_discards_the_staged_file(app, signed_in, household):
    token = token_of(upload(signed_in, CSV, account_id=checking_account(household).id))
    assert len(staged_folders(app)) == 1
    assert signed_in.post(f"/imports/{token}/cancel").status_code == 302
    assert staged_folders(app) == []
    assert signed_in.get(f"/imports/{token}/mapping").status_code == 404


def test_the_empty_page_says_so_and_defaults_to_the_primary_account(signed_in, household):
    page = signed_in.get("/imports/").text
    assert 'id="no-imports"' in page
    assert selected_value(page, "account_id") == str(checking_account(household).id)
    assert 'accept=".csv,.txt,.xlsx,.ofx,.qfx,.qif,.xml,.sta,.940,.mt940"' in page
    assert 'href="/imports/"' in page  # the navigation entry


def test_the_pages_speak_portuguese(signed_in, user, household):
    user.locale = "pt"
    db.session.commit()
    token = token_of(upload(signed_in, CSV, account_id=checking_account(household).id))
    mapping_page = html.unescape(signed_in.get(f"/imports/{token}/mapping").text)
    listing = html.unescape(signed_in.get("/imports/").text)
    assert ">Importar<" in listing.replace(" ", "")
    with force_locale("pt"):
        expected = [
            gettext("Columns of the file"),
            gettext("Go on to the review"),
            gettext("Ignore"),
        ]
        empty = gettext(
            "No imports yet. The files you import will be listed here, each with a way to undo it."
        )
    assert all(text in mapping_page for text in expected)
    assert empty in listing
    assert 'lang="pt"' in listing


def test_the_review_pages_its_rows_and_filters_them(signed_in, household):
    client = signed_in
    account = checking_account(household)
    lines = ["Data;Descrição;Valor"] + [
        f"{day % 28 + 1:02d}/02/2026;Compra {day};-{day},00" for day in range(1, 131)
    ]
    token, page = mapped_review(client, account.id, "\r\n".join(lines).encode("cp1252"))
    assert len(review_rows(page)) == 100
    page = client.get(f"/imports/{token}/review?page=2").text
    assert len(review_rows(page)) == 30
    page = client.get(f"/imports/{token}/review?status=duplicate").text
    assert review_rows(page) == {}
    # The choices of one page are kept when saving and going on.
    rows = review_rows(client.get(f"/imports/{token}/review").text)
    line = rows["Compra 1"][0]
    response = client.post(
        f"/imports/{token}/review",
        data={
            "account_id": account.id,
            "action": "save",
            f"seen-{line}": "1",
            f"skip-{line}": "1",
            f"category-{line}": str(category(household, "expense.food").id),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/imports/{token}/review").text
    assert f'name="skip-{line}" id="skip-{line}" value="1" checked' in page
    assert count(Entry) == 0
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    assert count(Entry) == 129
    assert "Compra 1" not in {e.description for e in db.session.scalars(select(Entry))}
    row = row_containing(client.get("/imports/").text, "extrato.csv")
    assert ">129<" in row.replace(" ", "")


def test_a_chosen_category_deleted_before_import_is_named_and_the_file_kept(app, signed_in, household):
    """Another member deletes a category chosen in the review before Import: nothing is
    written, the file stays, the message names the category and its row, and the row shows
    its own category again with a note (not the list's first option, silently)."""
    client = signed_in
    account = checking_account(household)
    pets = create_category(db.session, household, kind="expense", name="Pets")
    db.session.commit()
    token, page = mapped_review(client, account.id)
    line = review_rows(page)["Padaria São João"][0]
    own = selected_value(page, f"category-{line}")
    assert own and own != str(pets.id)
    choice = {f"seen-{line}": "1", f"category-{line}": str(pets.id)}
    response = client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "save", **choice})
    assert response.status_code == 302
    delete_category(db.session, db.session.get(Category, pets.id))  # as the other member's page does
    db.session.commit()
    # Import pressed on a page that does not show the row (a long file's other page).
    response = client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/imports/{token}/review")
    assert count(Entry) == 0 and count(ImportBatch) == 0 and len(staged_folders(app)) == 1
    page = html.unescape(client.get(response.headers["Location"]).text)
    assert f"a category chosen for some rows was deleted or archived meanwhile: “Pets” (row {line})" in page
    assert "import-category-gone" in row_containing(page, "Padaria São João")
    assert selected_value(page, f"category-{line}") == own
    assert "Pets" not in [label for _value, label, _sel in select_options(page, f"category-{line}")]
    # Choosing again (here the row's own category, as shown) imports the file.
    again = {f"seen-{line}": "1", f"category-{line}": own}
    response = client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import", **again})
    assert response.status_code == 302 and "/imports/batches/" in response.headers["Location"]
    assert count(Entry) == 3 and staged_folders(app) == []


def test_a_second_press_of_import_imports_nothing_more(signed_in, household):
    client = signed_in
    account = checking_account(household)
    token, page = mapped_review(client, account.id)
    form_token = html.unescape(re.search(r'name="form_token"[^>]*value="([^"]+)"', page).group(1))
    data = {"account_id": account.id, "action": "import", "form_token": form_token}
    first = client.post(f"/imports/{token}/review", data=data)
    assert first.status_code == 302 and "/imports/batches/" in first.headers["Location"]
    second = client.post(f"/imports/{token}/review", data=data)
    assert second.status_code == 302 and second.headers["Location"].endswith("/imports/")
    assert count(ImportBatch) == 1 and count(Entry) == 3
    page = client.get("/imports/").text
    assert "This form was already submitted" in html.unescape(page)
    # An upload that is simply gone (cancelled, expired) stays a 404.
    assert (
        client.post(f"/imports/{token}/review", data={**data, "form_token": ""}).status_code == 404
    )


def test_a_bank_file_with_ambiguous_dates_asks_their_order(signed_in, household):
    client = signed_in
    account = checking_account(household)
    qif = b"!Type:Bank\nD01/02/2026\nT-10.00\nPBakery\n^\nD03/04/2026\nT-20.00\nPPharmacy\n^\n"
    token = token_of(upload(client, qif, "conta.qif", account.id))
    page = client.get(f"/imports/{token}/review").text
    assert 'id="import-reading-form"' in page
    assert 'value="dmy"' in page and 'value="mdy"' in page
    response = client.post(
        f"/imports/{token}/review", data={"action": "reading", "date_order": "mdy"}
    )
    assert response.status_code == 302
    page = client.get(f"/imports/{token}/review").text
    assert set(review_rows(page)) == {"Bakery", "Pharmacy"}
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    assert db.session.scalar(select(Entry.date).where(Entry.description == "Pharmacy")) == date(
        2026, 3, 4
    )


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Resumo"
    first.append(["Saldo", 100])
    second = book.create_sheet("Movimentos")
    second.append(["Data", "Histórico", "Valor"])
    second.append([datetime(2026, 3, 2), "Livraria", -45.5])
    second.append([datetime(2026, 3, 9), "Salário", 3200])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_sheet_is_chosen_on_the_mapping_page(signed_in, household):
    client = signed_in
    account = checking_account(household)
    token = token_of(upload(client, _workbook(), "planilha.xlsx", account.id))
    page = client.get(f"/imports/{token}/mapping").text
    assert [value for value, _label, _sel in select_options(page, "sheet")] == [
        "Resumo",
        "Movimentos",
    ]
    form = {"encoding": "utf-8", "header_row": "0", "sheet": "Movimentos", "account_id": account.id}
    page = client.post(f"/imports/{token}/mapping", data={**form, "action": "preview"}).text
    assert selected_value(page, "sheet") == "Movimentos"
    assert "Livraria" in page and len(re.findall(r'<tr class="import-preview-row">', page)) == 2
    columns = {"column-0": "date", "column-1": "description", "column-2": "amount"}
    response = client.post(
        f"/imports/{token}/mapping",
        data={
            **form,
            **columns,
            "date_order": "ymd",
            "number_style": "dot_decimal",
            "action": "continue",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    amounts = dict(db.session.execute(select(Entry.description, Entry.amount)).all())
    assert amounts == {"Livraria": Decimal("45.50"), "Salário": Decimal("3200.00")}


def test_a_pending_entry_is_offered_as_a_match_and_undo_restores_it(signed_in, household):
    client = signed_in
    account = checking_account(household)
    rent = make_entry(
        household,
        description="Aluguel março",
        amount="1234.56",
        kind="income",
        date=date(2026, 3, 13),
    )
    bill = make_entry(
        household, description="Conta de luz", amount="234.10", date=date(2026, 3, 20)
    )
    token, page = mapped_review(client, account.id)
    rows = review_rows(page)
    assert rows["Salário"][1] == "match" and rows["Supermercado Pão"][1] == "match"
    salary_line, market_line = rows["Salário"][0], rows["Supermercado Pão"][0]
    row = html.unescape(row_containing(page, f'data-line="{salary_line}"'))
    assert "3/13/26 · Aluguel março" in row  # the pending entry it matches
    assert f'name="match-{salary_line}" id="match-{salary_line}" value="1" checked' in row
    # Accept the salary's match, decline the market's: that row is added as a new entry.
    decisions = {
        f"seen-{salary_line}": "1",
        f"match-{salary_line}": "1",
        f"seen-{market_line}": "1",
    }
    client.post(
        f"/imports/{token}/review", data={"account_id": account.id, "action": "import", **decisions}
    )
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.added, batch.matched) == (2, 1)
    db.session.expire_all()
    assert db.session.get(Entry, rent.id).paid_on == date(2026, 3, 15)
    assert db.session.get(Entry, bill.id).paid_on is None
    page = client.get(f"/imports/batches/{batch.id}/undo").text
    assert 'id="undo-matches"' in page
    client.post(f"/imports/batches/{batch.id}/undo")
    db.session.expire_all()
    assert db.session.get(Entry, rent.id).paid_on is None
    assert count(Entry) == 2


def test_a_file_full_of_errors_shows_the_first_ones_and_still_imports_the_good_row(
    signed_in, household
):
    client = signed_in
    account = checking_account(household)
    bad = [f"{day % 28 + 1:02d}/13/2026;Errada {day};-1,00" for day in range(201)]
    text = "\r\n".join(["Data;Descrição;Valor", "15/03/2026;Boa;-2,00", *bad])
    token, page = mapped_review(client, account.id, text.encode("cp1252"))
    assert len(re.findall(r'<tr class="import-error"', page)) == 200
    assert 'id="import-errors-more"' in page
    assert 'data-count="error">201<' in page
    text = client.get(f"/imports/{token}/errors.csv").data.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 202  # the header and every error row
    client.post(f"/imports/{token}/review", data={"account_id": account.id, "action": "import"})
    assert [e.description for e in db.session.scalars(select(Entry))] == ["Boa"]


def test_a_file_beyond_the_request_limit_is_named_beside_the_field(app, signed_in, household):
    huge = b"a;b\n" * (app.config["MAX_CONTENT_LENGTH"] // 4 + 1)
    response = upload(signed_in, huge, "enorme.csv", checking_account(household).id)
    assert response.status_code == 413
    assert field_error(response.text, "file") == "The file is larger than the limit of 10 MB."
    assert count(ImportBatch) == 0 and staged_folders(app) == []
    big = b"a;b\n" * (app.config["IMPORT_MAX_BYTES"] // 4 + 1)  # under the request limit
    response = upload(signed_in, big, "grande.csv", checking_account(household).id)
    assert response.status_code == 422
    assert field_error(response.text, "file") == "The file is larger than the limit of 10 MB."

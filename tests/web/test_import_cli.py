"""`flask finora import FILE --account ID`: the page's pipeline from the command line.
--dry-run prints the review as JSON and writes nothing; a file it cannot read exits 1 with
one line; a real import commits one batch; --profile reads a file as saved; a big CSV
streams in chunks into one batch."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, ImportBatch
from finora.services.imports.profiles import save_profile
from tests.ledger_factories import checking_account, make_account, make_entry

CSV = (
    "Data;Descrição;Valor\n"
    "25/03/2026;PADARIA SÃO JOÃO;-12,30\n"
    "25/03/2026;PADARIA SÃO JOÃO;-12,30\n"
    "26/03/2026;Salário;3.500,00\n"
    "31/02/2026;Dia que não existe;-1,00\n"
    "27/03/2026;Internet;-89,90\n"
)

OFX = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>BRL
<BANKACCTFROM><BANKID>341<BRANCHID>1234<ACCTID>56789-0<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20260101<DTEND>20260131
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260105<TRNAMT>-12.30<FITID>A1<MEMO>PADARIA
</STMTTRN>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260106<TRNAMT>3500.00<FITID>A2<NAME>SALARIO
</STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["finora", "import", *map(str, args)])


def _file(tmp_path, content, name="extrato.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def _counts():
    return (
        db.session.scalar(select(func.count(Entry.id))),
        db.session.scalar(select(func.count(ImportBatch.id))),
    )


def test_a_dry_run_prints_the_review_and_writes_nothing(app, household, tmp_path):
    account = checking_account(household)
    make_entry(household, amount="89.90", date=date(2026, 3, 24), description="Net")  # pending
    before = _counts()
    result = invoke(app, _file(tmp_path, CSV), "--account", account.id, "--dry-run")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "format": "csv",
        "rows": [
            {
                "date": "2026-03-25",
                "amount": "-12.30",
                "description": "PADARIA SÃO JOÃO",
                "bank_id": None,
                "status": "new",
            },
            {
                "date": "2026-03-25",
                "amount": "-12.30",
                "description": "PADARIA SÃO JOÃO",
                "bank_id": None,
                "status": "new",
            },
            {
                "date": "2026-03-26",
                "amount": "3500.00",
                "description": "Salário",
                "bank_id": None,
                "status": "new",
            },
            {
                "date": "2026-03-27",
                "amount": "-89.90",
                "description": "Internet",
                "bank_id": None,
                "status": "match",
            },
        ],
        "errors": [{"row": 5, "reason": json.loads(result.stdout)["errors"][0]["reason"]}],
    }
    assert json.loads(result.stdout)["errors"][0]["reason"]  # the reason, in English
    assert _counts() == before


def test_an_import_commits_one_batch_and_a_second_adds_nothing(app, household, tmp_path):
    account = checking_account(household)
    path = _file(tmp_path, CSV)
    result = invoke(app, path, "--account", account.id)
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stdout and "1 with errors" in result.stdout
    entries = list(db.session.scalars(select(Entry).order_by(Entry.id)))
    assert [(e.kind, e.amount, e.date) for e in entries] == [
        ("expense", Decimal("12.30"), date(2026, 3, 25)),
        ("expense", Decimal("12.30"), date(2026, 3, 25)),
        ("income", Decimal("3500.00"), date(2026, 3, 26)),
        ("expense", Decimal("89.90"), date(2026, 3, 27)),
    ]
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.file_name, batch.format, batch.rows_in_file, batch.added, batch.errors) == (
        "extrato.csv",
        "csv",
        5,
        4,
        1,
    )
    again = invoke(app, path, "--account", account.id)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.stdout and "4 already there" in again.stdout
    assert _counts()[0] == 4


def test_a_bank_statement_names_its_ids_and_account_number(app, household, tmp_path):
    account = checking_account(household)
    result = invoke(app, _file(tmp_path, OFX, "x.ofx"), "--account", account.id, "--dry-run")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["format"] == "ofx"
    assert [(r["amount"], r["bank_id"], r["status"]) for r in shown["rows"]] == [
        ("-12.30", "A1", "new"),
        ("3500.00", "A2", "new"),
    ]
    assert invoke(app, tmp_path / "x.ofx", "--account", account.id).exit_code == 0
    db.session.expire_all()
    assert "56789" in checking_account(household).number


def _one_line_failure(result, *words):
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_file_it_cannot_read_exits_with_one_line(app, household, tmp_path):
    account = checking_account(household)
    _one_line_failure(
        invoke(app, _file(tmp_path, b"\x00\x01\x02\xff" * 100, "x.bin"), "--account", account.id)
    )
    _one_line_failure(invoke(app, _file(tmp_path, b""), "--account", account.id), "empty")
    _one_line_failure(invoke(app, tmp_path / "missing.csv", "--account", account.id), "missing.csv")
    _one_line_failure(invoke(app, _file(tmp_path, CSV), "--account", 999_999), "999999")
    _one_line_failure(invoke(app, _file(tmp_path, CSV), "--account", "abc"))
    assert _counts() == (0, 0)


def test_ambiguous_dates_ask_for_the_order(app, household, tmp_path):
    account = checking_account(household)
    path = _file(
        tmp_path, "Data;Descrição;Valor\n05/03/2026;Padaria;-12,30\n06/04/2026;Feira;-20,00\n"
    )
    _one_line_failure(invoke(app, path, "--account", account.id), "date order")
    result = invoke(app, path, "--account", account.id, "--date-order", "mdy", "--dry-run")
    assert result.exit_code == 0, result.output
    assert [row["date"] for row in json.loads(result.stdout)["rows"]] == [
        "2026-05-03",
        "2026-06-04",
    ]


def test_a_profile_reads_the_file_as_saved(app, household, tmp_path):
    account = checking_account(household)
    header = ["Quando", "Quem", "Memo", "Quanto"]
    save_profile(
        db.session,
        household,
        "Banco Azul",
        header,
        {"encoding": "utf-8", "delimiter": "|", "header_row": 0, "sheet": None},
        {
            "columns": {"date": 0, "description": 2, "amount": 3},
            "date_order": "dmy",
            "number_style": "comma_decimal",
        },
    )
    db.session.commit()
    path = _file(
        tmp_path, "Quando|Quem|Memo|Quanto\n05/03/2026|Ana|Pão|-1,50\n06/03/2026|Rui|Leite|-4,00\n"
    )
    result = invoke(app, path, "--account", account.id, "--profile", "banco azul", "--dry-run")
    assert result.exit_code == 0, result.output
    assert [
        (r["date"], r["description"], r["amount"]) for r in json.loads(result.stdout)["rows"]
    ] == [("2026-03-05", "Pão", "-1.50"), ("2026-03-06", "Leite", "-4.00")]
    _one_line_failure(invoke(app, path, "--account", account.id, "--profile", "Nope"), "Nope")
    other = make_account(household, name="Other")
    assert invoke(app, path, "--account", other.id, "--profile", "Banco Azul").exit_code == 0


def test_a_big_csv_streams_into_one_batch(app, household, tmp_path):
    """12,000 rows: three chunks. Every 2,100th row repeats an earlier one exactly (twins
    across chunks, all kept); the same file again is all duplicates."""
    account = checking_account(household)
    lines = ["date,description,amount"]
    lines += [
        f"2026-{1 + n % 12:02d}-{1 + n % 28:02d},Shop {n % 50},-{1 + n % 300}.{n % 100:02d}"
        for n in range(12_000)
    ]
    path = _file(tmp_path, "\n".join(lines) + "\n", "big.csv")
    result = invoke(app, path, "--account", account.id)
    assert result.exit_code == 0, result.output
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.rows_in_file, batch.added, batch.duplicates) == (12_000, 12_000, 0)
    again = invoke(app, path, "--account", account.id)
    assert again.exit_code == 0 and "12000 already there" in again.stdout


BANK = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "bank"


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("camt053_batched.xml", "camt"), ("dutch_abn.940", "mt940"), ("creditcard_220.ofx", "ofx"),
     ("european_dates.qif", "qif"), ("itau_102_cp1252.ofx", "ofx")],
)
def test_every_bank_format_dry_runs_then_imports_once(app, household, name, fmt):
    account = checking_account(household)
    result = invoke(app, BANK / name, "--account", account.id, "--dry-run")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["format"] == fmt and shown["rows"]
    assert all(set(r) == {"date", "amount", "description", "bank_id", "status"} for r in shown["rows"])
    assert all(re.fullmatch(r"-?\d+\.\d\d", r["amount"]) for r in shown["rows"])
    new = sum(r["status"] == "new" for r in shown["rows"])
    assert invoke(app, BANK / name, "--account", account.id).exit_code == 0
    assert db.session.scalar(select(func.count(Entry.id))) == new
    again = json.loads(invoke(app, BANK / name, "--account", account.id, "--dry-run").stdout)
    assert {r["status"] for r in again["rows"]} == {"duplicate"}


@pytest.mark.parametrize("name", ["truncated.ofx", "xml_bomb.camt.xml", "old_excel.xls", "statement.pdf",
                                  "truncated.xlsx", "random.bin"])
def test_hostile_or_broken_files_exit_with_one_line(app, household, name):
    _one_line_failure(invoke(app, BANK / name, "--account", checking_account(household).id))
    assert _counts() == (0, 0)


def test_a_spreadsheet_with_real_dates(app, household, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Description", "Amount", "Category"])
    sheet.append([date(2026, 3, 5), "Bakery", -12.3, "Food"])
    sheet.append([date(2026, 3, 6), "Salary", 3500, "Work"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = invoke(app, path, "--account", checking_account(household).id)
    assert result.exit_code == 0, result.output
    entries = list(db.session.scalars(select(Entry).order_by(Entry.id)))
    assert [(e.kind, e.amount, e.date) for e in entries] == [
        ("expense", Decimal("12.30"), date(2026, 3, 5)), ("income", Decimal("3500.00"), date(2026, 3, 6))]

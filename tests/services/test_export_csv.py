"""The CSV export read back with the csv module: headers and words in pt, en and es, the
plain style, formulas neutralised, an empty period, and 100,000 rows streamed."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest

from finora.extensions import db
from finora.services.exports.csv_export import csv_chunks, neutralise, restore
from finora.services.exports.entry_rows import ExportRow, export_rows
from tests.export_factories import TODAY, build_ledger, bulk_entries

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
D = Decimal

HEADERS = {
    "en": ["Date", "Description", "Amount", "Kind", "Category", "Subcategory", "Account", "Payment method",
           "Status", "Paid on", "Notes", "Recurring rule", "Import", "Payee", "Tags", "Split"],
    "pt": ["Data", "Descrição", "Valor", "Tipo", "Categoria", "Subcategoria", "Conta", "Forma de pagamento",
           "Situação", "Pago em", "Notas", "Regra recorrente", "Importação", "Favorecido", "Etiquetas",
           "Divisão"],
    "es": ["Fecha", "Descripción", "Importe", "Tipo", "Categoría", "Subcategoría", "Cuenta", "Método de pago",
           "Estado", "Pagado el", "Notas", "Regla recurrente", "Importación", "Beneficiario", "Etiquetas",
           "División"],
    "plain": ["date", "description", "amount", "kind", "category", "subcategory", "account", "payment_method",
              "status", "paid_on", "notes", "rule", "import", "payee", "tags", "split"],
}


@pytest.fixture
def ledger(app):
    return build_ledger()


def export(ledger, style, locale, start=MARCH[0], end=MARCH[1], filters=None) -> bytes:
    rows = export_rows(db.session, ledger.household, start, end, filters, today=TODAY, locale=locale)
    return b"".join(csv_chunks(rows, style, locale))


def read(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def by_description(table: list[list[str]]) -> dict[str, dict[str, str]]:
    """Each row's cells by the plain key of its column (the headers are checked apart)."""
    return {cells[1]: dict(zip(HEADERS["plain"], cells, strict=True)) for cells in table[1:]}


@pytest.mark.parametrize(("locale", "delimiter"), [("pt", ";"), ("es", ";"), ("en", ",")])
def test_headers_in_the_readers_language(ledger, locale, delimiter):
    table = read(export(ledger, "locale", locale), delimiter)
    assert table[0] == HEADERS[locale]
    assert len(table) == 8 and all(len(cells) == 16 for cells in table)


def test_portuguese_words_dates_and_numbers(ledger):
    rows = by_description(read(export(ledger, "locale", "pt"), ";"))
    market = rows["Mercado"]
    assert market["date"] == "12/03/2026"
    assert market["amount"] == "-1.234,56"
    assert market["kind"] == "Despesa"
    assert market["category"] == "Alimentação" and market["subcategory"] == "Supermercado"
    assert market["payment_method"] == "Cartão de crédito"
    assert market["status"] == "Vencido" and market["paid_on"] == ""
    assert market["notes"] == 'Nota; com "aspas" e acentuação'
    salary = rows["Salário"]
    assert (salary["amount"], salary["kind"], salary["status"], salary["paid_on"]) == (
        "5.000,00", "Receita", "Pago", "06/03/2026",
    )
    assert rows["Internet"]["status"] == "Pendente"
    assert rows["Aluguel março"]["rule"] == "Aluguel"
    assert rows["Tarifa"]["import"] == f"extrato março.csv #{ledger.batch.id}"
    assert rows["Tarifa"]["amount"] == "-0,10"
    assert rows["Consulta"]["account"] == "Caixinha ação"
    assert (rows["Consulta"]["category"], rows["Consulta"]["subcategory"]) == ("Pets", "Veterinário")


def test_english_and_spanish_words_dates_and_numbers(ledger):
    en = by_description(read(export(ledger, "locale", "en"), ","))["Mercado"]
    assert (en["date"], en["amount"], en["kind"], en["category"]) == ("03/12/2026", "-1,234.56", "Expense", "Food")
    assert (en["payment_method"], en["status"]) == ("Credit card", "Overdue")
    es_rows = by_description(read(export(ledger, "locale", "es"), ";"))
    es = es_rows["Mercado"]
    assert (es["date"], es["amount"], es["kind"], es["category"]) == ("12/03/2026", "-1.234,56", "Gasto", "Alimentación")
    assert (es["payment_method"], es["status"]) == ("Tarjeta de crédito", "Vencido")
    assert es_rows["Salário"]["kind"] == "Ingreso"
    assert es_rows["Salário"]["payment_method"] == "Transferencia bancaria / PIX"


def test_plain_style_for_machines(ledger):
    table = read(export(ledger, "plain", "pt"), ",")
    assert table[0] == HEADERS["plain"]
    rows = by_description(table)
    market = rows["Mercado"]
    assert (market["date"], market["amount"], market["kind"], market["payment_method"], market["status"]) == (
        "2026-03-12", "-1234.56", "expense", "credit_card", "overdue",
    )
    assert (rows["Salário"]["amount"], rows["Salário"]["paid_on"], rows["Salário"]["status"]) == (
        "5000.00", "2026-03-06", "paid",
    )
    # The amounts add up to the month's net to the cent.
    assert sum(D(r["amount"]) for r in rows.values()) == D("2205.44")


def test_amounts_are_signed_numbers_never_neutralised(ledger):
    for cells in read(export(ledger, "plain", "en"), ",")[1:]:
        D(cells[2])  # a plain number
        assert not cells[2].startswith("'")


FORMULAS = ["=1+2", "+55 11 9999", "-5 desconto", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", FORMULAS)
@pytest.mark.parametrize("style", ["locale", "plain"])
def test_formula_looking_text_is_neutralised_in_every_text_column(text, style):
    row = ExportRow(
        id=1, date=date(2026, 3, 1), description=text, amount=D("-12.30"), kind="expense",
        category=text, subcategory=text, account=text, payment_method="cash", status="paid",
        paid_on=date(2026, 3, 1), notes=text, rule=text, import_batch=text,
    )
    delimiter = ";" if style == "locale" else ","
    cells = read(b"".join(csv_chunks([row], style, "pt")), delimiter)[1]
    texts = [cells[i] for i in (1, 4, 5, 6, 10, 11, 12)]
    assert texts == ["'" + text] * 7
    assert cells[2] == ("-12,30" if style == "locale" else "-12.30")
    assert [restore(cell) for cell in texts] == [text] * 7


def test_neutralising_is_reversible_and_leaves_plain_text_alone():
    for text in ["Padaria", "'já com apóstrofo", "''=x", "'=x", "", "Café ☕", "2+2=4"]:
        assert restore(neutralise(text)) == text
    assert neutralise("Padaria") == "Padaria" and neutralise("2+2=4") == "2+2=4"
    assert neutralise("'=x") == "''=x"


def test_an_empty_period_gives_only_the_header(ledger):
    data = export(ledger, "locale", "en", start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert read(data, ",") == [HEADERS["en"]]
    assert read(export(ledger, "plain", "en", start=date(2025, 1, 1), end=date(2025, 1, 31)), ",") == [
        HEADERS["plain"]
    ]


def test_chunks_of_rows_after_a_first_chunk_with_the_header(ledger):
    rows = export_rows(db.session, ledger.household, *MARCH, None, today=TODAY)
    chunks = list(csv_chunks(rows, "plain", "en", chunk_rows=3))
    assert chunks[0].decode("utf-8-sig").strip() == ",".join(HEADERS["plain"])
    assert [chunk.count(b"\r\n") for chunk in chunks[1:]] == [3, 3, 1]


def _synthetic_rows(count: int, read_so_far: list[int]):
    row = ExportRow(
        id=0, date=date(2026, 3, 1), description="Compra no mercado da esquina", amount=D("-1234.56"),
        kind="expense", category="Alimentação", subcategory="Mercado", account="Conta corrente",
        payment_method="debit_card", status="paid", paid_on=date(2026, 3, 2), notes="observação qualquer",
        rule="", import_batch="",
    )
    for n in range(count):
        read_so_far[0] = n + 1
        yield row._replace(id=n, amount=-D(n) / 100)


def test_100000_rows_stream_with_bounded_memory():
    read_so_far = [0]
    chunks = csv_chunks(_synthetic_rows(100_000, read_so_far), "locale", "pt")
    tracemalloc.start()
    try:
        next(chunks)  # the header
        first_rows = next(chunks)
        assert read_so_far[0] <= 501  # the first rows went out before the rest were read
        total, lines = len(first_rows), first_rows.count(b"\r\n")
        for chunk in chunks:
            total += len(chunk)
            lines += chunk.count(b"\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 100_000 and read_so_far[0] == 100_000
    # The file is about 12 MB; holding it (or the rows) would need far more than 2 MB.
    assert total > 10_000_000
    assert peak < 2_000_000


def _traced_export_peak(household, expected_lines: int) -> int:
    """The traced peak of a whole CSV export (the header, build_ledger's 9 entries, the bulk)."""
    rows = export_rows(db.session, household, date(2016, 1, 1), date(2026, 12, 31), None, today=TODAY)
    chunks = csv_chunks(rows, "locale", "pt")
    tracemalloc.start()
    try:
        lines = 0
        for chunk in chunks:
            lines += chunk.count(b"\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == expected_lines
    return peak


def test_an_export_from_the_database_streams_in_memory_that_does_not_grow(app):
    """The same export at 6,000 and at 24,000 entries: read a chunk of rows at a time, its
    memory stays the same when the data is four times larger (holding the rows would make
    it four times larger too). `make bench` exports the 100,000-entry household."""
    ledger = build_ledger()
    _traced_export_peak(ledger.household, 1 + 9)  # once-only work (compiled SQL, catalogues)
    bulk_entries(ledger.household, 6_000, date(2016, 1, 1), 3650)
    small = _traced_export_peak(ledger.household, 1 + 9 + 6_000)
    bulk_entries(ledger.household, 18_000, date(2016, 1, 1), 3650, seed=16)
    large = _traced_export_peak(ledger.household, 1 + 9 + 24_000)
    # 24,000 ExportRows held at once would be over 7 MB on their own.
    assert large < small * 1.5, (small, large)
    assert large < 8_000_000, (small, large)

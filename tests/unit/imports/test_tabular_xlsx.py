"""XLSX workbooks built in the test with openpyxl: real dates and numbers, text dates, title
rows, a chosen sheet, formulas read as their cached values and never calculated."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular import (
    TableOptions,
    apply_mapping,
    guess_mapping,
    mapping_problems,
    read_table,
    sniff_options,
)
from finora.services.imports.tabular.xlsx import cell_text

LIMITS = {"max_rows": 20_000, "max_columns": 100, "max_cells": 2_000_000}


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, change) -> bytes:
    """The same zip with one member's text changed (to write what Excel writes and
    openpyxl cannot: a formula with its cached value)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                content = change(content.decode()).encode()
            target.writestr(info.filename, content)
    return out.getvalue()


def family_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Gastos"
    sheet.append(["Controle de gastos da família"])
    sheet.append([])
    sheet.append(["Data", "Descrição", "Valor", "Categoria", "Pago"])
    sheet.append([datetime(2026, 1, 5), "Padaria", -12.3, "Alimentação", True])
    sheet.append([date(2026, 1, 6), "Salário", 5234.56, "Renda", True])
    sheet.append([datetime(2026, 1, 7, 14, 30), "Luz", Decimal("-89.90"), "Casa", False])
    sheet.append([datetime(2026, 1, 8), "Escola", -1500, "Educação", None])
    other = workbook.create_sheet("Resumo")
    other.append(["Mês", "Total"])
    other.append(["Janeiro", 3632.36])
    return workbook


def test_real_dates_and_numbers():
    data = workbook_bytes(family_workbook())
    options = sniff_options(data, "xlsx")
    assert options == TableOptions(encoding=None, delimiter=None, header_row=2, sheet=None)
    table = read_table(data, "xlsx", options, **LIMITS)
    assert table.sheets == ["Gastos", "Resumo"]
    assert table.options.sheet == "Gastos"
    assert table.header == ["Data", "Descrição", "Valor", "Categoria", "Pago"]
    assert table.rows == [
        ["2026-01-05", "Padaria", "-12.3", "Alimentação", "true"],
        ["2026-01-06", "Salário", "5234.56", "Renda", "true"],
        ["2026-01-07", "Luz", "-89.9", "Casa", "false"],
        ["2026-01-08", "Escola", "-1500", "Educação", ""],
    ]
    assert table.lines == [4, 5, 6, 7]
    mapping = guess_mapping(table)
    assert mapping.columns == {"date": 0, "description": 1, "amount": 2, "category": 3, "paid": 4}
    assert (mapping.date_order, mapping.number_style) == ("ymd", "dot_decimal")
    assert mapping_problems(table, mapping) == []
    parsed = apply_mapping(table, mapping, "xlsx")
    assert parsed.format == "xlsx" and parsed.errors == []
    assert [(r.line, r.date, r.amount, r.description, r.category, r.paid) for r in parsed.rows] == [
        (4, date(2026, 1, 5), Decimal("-12.3"), "Padaria", "Alimentação", True),
        (5, date(2026, 1, 6), Decimal("5234.56"), "Salário", "Renda", True),
        (6, date(2026, 1, 7), Decimal("-89.9"), "Luz", "Casa", False),
        (7, date(2026, 1, 8), Decimal("-1500"), "Escola", "Educação", True),
    ]


def test_text_dates_and_comma_decimals_typed_as_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Fecha", "Concepto", "Importe"])
    sheet.append(["15/01/2026", "Alquiler", "-1.200,00"])
    sheet.append(["20/01/2026", "Nómina", "2.345,67"])
    data = workbook_bytes(workbook)
    table = read_table(data, "xlsx", sniff_options(data, "xlsx"), **LIMITS)
    mapping = guess_mapping(table)
    assert (mapping.date_order, mapping.number_style) == ("dmy", "comma_decimal")
    assert [(r.date, r.amount, r.description) for r in apply_mapping(table, mapping, "xlsx").rows] == [
        (date(2026, 1, 15), Decimal("-1200.00"), "Alquiler"),
        (date(2026, 1, 20), Decimal("2345.67"), "Nómina"),
    ]


def test_another_sheet_can_be_chosen():
    data = workbook_bytes(family_workbook())
    table = read_table(data, "xlsx", TableOptions(header_row=0, sheet="Resumo"), **LIMITS)
    assert table.options.sheet == "Resumo"
    assert table.header == ["Mês", "Total"]
    assert table.rows == [["Janeiro", "3632.36"]]
    with pytest.raises(ImportFileError) as raised:
        read_table(data, "xlsx", TableOptions(header_row=0, sheet="Nope"), **LIMITS)
    assert "Nope" in str(raised.value)


def test_formulas_are_read_as_their_cached_values_and_text_formulas_stay_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Description", "Amount"])
    sheet.append([date(2026, 2, 1), "Groceries", -20])
    sheet.append([date(2026, 2, 2), "Split bill", 0])  # becomes a formula below
    sheet["B4"] = "=HYPERLINK(\"http://evil.example\")"
    sheet["B4"].data_type = "s"  # typed as text, as a user's quoted "'=..." is
    sheet["A4"] = date(2026, 2, 3)
    sheet["C4"] = -5
    sheet["A5"] = date(2026, 2, 4)
    sheet["B5"] = "No cached value"
    sheet["C5"] = "=1+1"  # a formula openpyxl writes without a cached value
    data = workbook_bytes(workbook)
    data = rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            '<c r="C3" t="n"><v>0</v></c>', '<c r="C3"><f>-SUM(C2:C2)*2</f><v>40</v></c>'
        ),
    )
    table = read_table(data, "xlsx", sniff_options(data, "xlsx"), **LIMITS)
    assert table.rows == [
        ["2026-02-01", "Groceries", "-20"],
        ["2026-02-02", "Split bill", "40"],
        ["2026-02-03", '=HYPERLINK("http://evil.example")', "-5"],
        ["2026-02-04", "No cached value", ""],
    ]
    parsed = apply_mapping(table, guess_mapping(table), "xlsx")
    assert [(r.line, r.amount, r.description) for r in parsed.rows] == [
        (2, Decimal("-20"), "Groceries"),
        (3, Decimal("40"), "Split bill"),
        (4, Decimal("-5"), '=HYPERLINK("http://evil.example")'),
    ]
    assert [(e.line, e.reason) for e in parsed.errors] == [(5, "The amount is empty.")]


def test_preview_reads_only_the_first_rows_of_a_sheet():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Description", "Amount"])
    for day in range(1, 29):
        sheet.append([date(2026, 2, day), f"Day {day}", -day])
    data = workbook_bytes(workbook)
    table = read_table(data, "xlsx", TableOptions(header_row=0), **LIMITS, preview=3)
    assert table.rows == [["2026-02-01", "Day 1", "-1"], ["2026-02-02", "Day 2", "-2"], ["2026-02-03", "Day 3", "-3"]]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1 + 0.2, "0.3"),
        (1234.5, "1234.5"),
        (100.0, "100"),
        (-0.0, "0"),
        (1e-05, "0.00001"),
        (3.14159, "3.14159"),
        (1e16, "10000000000000000"),
        (Decimal("5.10"), "5.1"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (None, ""),
        (datetime(2026, 3, 4, 23, 59), "2026-03-04"),
        (date(2026, 3, 4), "2026-03-04"),
        ("=1+2", "=1+2"),
    ],
)
def test_cell_values_become_plain_text(value, text):
    assert cell_text(value) == text


def test_sniffing_skips_an_empty_first_sheet():
    workbook = Workbook()
    workbook.active.title = "Capa"
    data_sheet = workbook.create_sheet("Lançamentos")
    data_sheet.append(["Data", "Descrição", "Valor"])
    data_sheet.append([date(2026, 5, 20), "Feira", -35.5])
    data = workbook_bytes(workbook)
    options = sniff_options(data, "xlsx")
    assert (options.sheet, options.header_row) == ("Lançamentos", 0)
    table = read_table(data, "xlsx", options, **LIMITS)
    assert table.sheets == ["Capa", "Lançamentos"]
    assert [(r.date, r.amount) for r in apply_mapping(table, guess_mapping(table), "xlsx").rows] == [
        (date(2026, 5, 20), Decimal("-35.5"))
    ]

"""How a file is written, found from its first lines: the delimiter outside quotes, and the
header row below a bank's title lines (or no header at all)."""

from __future__ import annotations

import pytest

from finora.services.imports.tabular.sniff import (
    cell_kind,
    detect_delimiter,
    find_header,
    sniff_options,
)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Data;Histórico;Valor\n05/01/2026;Padaria, centro;-1.234,56\n06/01/2026;Feira;-3,00\n", ";"),
        ('Date,Description,Amount\n01/05/2026,"Coffee; tea",-4.50\n01/06/2026,Bus,-2.00\n', ","),
        ("Date\tDescription\tAmount\n2026-01-05\tCoffee, large\t-4.50\n", "\t"),
        ("Date|Description|Amount\n2026-01-05|Coffee, large; hot|-4.50\n", "|"),
        ("Título só\nData;Descrição;Valor\n05/01/2026;A;-1,00\n06/01/2026;B;-2,00\n", ";"),
        ("one column\nonly\n", ","),
    ],
)
def test_the_delimiter_that_splits_lines_alike(text, delimiter):
    assert detect_delimiter(text) == delimiter


def test_title_lines_with_figures_above_the_header_are_skipped():
    data = (
        "Banco Exemplo S.A.\n"
        "Agência;1234;Conta;56789-0\n"
        "Saldo anterior;1.234,56\n"
        "Limite;5.000,00\n"
        "Data;Lançamento;Valor;Saldo\n"
        "13/01/2026;Padaria;-12,30;1.222,26\n"
    ).encode()
    options = sniff_options(data, "csv")
    assert (options.delimiter, options.header_row) == (";", 4)


def test_a_file_of_data_only_has_no_header_even_with_a_text_row_later():
    rows = "".join(f"{day:02d}/01/2026;Compra {day};-{day},00\n" for day in range(13, 20))
    data = (rows + "Transferência;Poupança;Conta\n" + rows).encode()
    assert sniff_options(data, "csv").header_row == -1


def test_find_header_counts_positions_not_filled_rows():
    rows = [(0, ["Relatório"]), (1, []), (2, []), (3, ["Date", "Description", "Amount"]),
            (4, ["2026-01-01", "x", "-1.00"])]
    assert find_header(rows) == 3
    assert find_header([]) == -1
    assert find_header([(0, ["Date", "Description", "Amount"])]) == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [("", "empty"), ("  ", "empty"), ("31/12/2026", "date"), ("2026-12-31", "date"), ("-1.234,56", "number"),
     ("R$ 12,00", "number"), ("46023", "number"), ("Agência: 1234", "text"), ("Valor (R$)", "text"),
     ("Data", "text")],
)
def test_cell_kinds(text, kind):
    assert cell_kind(text) == kind

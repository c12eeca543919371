"""CSV and text exports as families bring them: Brazilian, English and Spanish bank files,
UTF-16 from Excel, BOMs, every delimiter, debit/credit columns, words for kind, method and
status; each read, mapped and turned into rows with the values the file states."""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest

from finora.services.imports.tabular import (
    Mapping,
    TableOptions,
    apply_mapping,
    guess_mapping,
    mapping_problems,
    read_table,
    sniff_options,
)

LIMITS = {"max_rows": 20_000, "max_columns": 100, "max_cells": 2_000_000}


def parse(data: bytes, fmt: str = "csv"):
    """sniff -> read -> guess -> apply, as the import page does with no change by the user."""
    options = sniff_options(data, fmt)
    table = read_table(data, fmt, options, **LIMITS)
    mapping = guess_mapping(table)
    return options, table, mapping, apply_mapping(table, mapping, fmt)


def brazilian_bank() -> bytes:
    return (
        "Extrato conta corrente\r\n"
        "Agência: 1234;Conta: 56789-0\r\n"
        "Período: 01/01/2026 a 31/01/2026\r\n"
        "\r\n"
        "Data;Histórico;Documento;Valor (R$);Saldo (R$)\r\n"
        "05/01/2026;PADARIA SÃO JOÃO;000123;-12,30;1.222,26\r\n"
        "13/01/2026;SALÁRIO EMPRESA;000124;5.234,56;6.456,82\r\n"
        "20/01/2026;PIX ENVIADO   José  Ávila;000125;-1.000,00;5.456,82\r\n"
    ).encode("cp1252")


def test_a_brazilian_bank_csv_in_cp1252_with_title_lines():
    options, table, mapping, parsed = parse(brazilian_bank())
    assert options == TableOptions(encoding="cp1252", delimiter=";", header_row=4, sheet=None)
    assert table.header == ["Data", "Histórico", "Documento", "Valor (R$)", "Saldo (R$)"]
    assert table.lines == [6, 7, 8] and table.first_line == 6
    assert mapping.columns == {"date": 0, "description": 1, "amount": 3}
    assert (mapping.date_order, mapping.number_style) == ("dmy", "comma_decimal")
    assert mapping_problems(table, mapping) == []
    assert parsed.errors == []
    assert parsed.header == ("Data", "Histórico", "Documento", "Valor (R$)", "Saldo (R$)")
    assert [(r.line, r.date, r.amount, r.description, r.entry_kind) for r in parsed.rows] == [
        (6, date(2026, 1, 5), Decimal("-12.30"), "PADARIA SÃO JOÃO", "expense"),
        (7, date(2026, 1, 13), Decimal("5234.56"), "SALÁRIO EMPRESA", "income"),
        (8, date(2026, 1, 20), Decimal("-1000.00"), "PIX ENVIADO José Ávila", "expense"),
    ]


def test_an_english_csv_where_a_day_above_twelve_decides_month_first():
    data = (
        b"Date,Description,Amount,Balance\n"
        b"01/05/2026,Coffee,-4.50,100.00\n"
        b'01/13/2026,"Salary, January","1,234.56","1,334.56"\n'
        b"02/01/2026,Rent,-800,534.56\n"
    )
    options, table, mapping, parsed = parse(data)
    assert (options.encoding, options.delimiter, options.header_row) == ("utf-8", ",", 0)
    assert mapping.columns == {"date": 0, "description": 1, "amount": 2}
    assert (mapping.date_order, mapping.number_style) == ("mdy", "dot_decimal")
    assert [(r.line, r.date, r.amount, r.description) for r in parsed.rows] == [
        (2, date(2026, 1, 5), Decimal("-4.50"), "Coffee"),
        (3, date(2026, 1, 13), Decimal("1234.56"), "Salary, January"),
        (4, date(2026, 2, 1), Decimal("-800"), "Rent"),
    ]


def test_a_spanish_csv_with_category_method_and_status():
    data = (
        "Fecha;Concepto;Importe;Categoría;Subcategoría;Método de pago;Estado;Observaciones\n"
        "03/02/2026;Supermercado Día;-1.234,56;Alimentación;Supermercado;Tarjeta de crédito;Pagado;\n"
        "15/02/2026;Nómina;2.500,00;Salario;;Transferencia;Cobrado;febrero\n"
        "28/02/2026;Luz;-60,10;Casa;Electricidad;Efectivo;Pendiente;\n"
        "28/02/2026;Regalo;-10,00;Otros;;Bizcocho;;\n"
    ).encode()
    options, table, mapping, parsed = parse(data)
    assert options.delimiter == ";"
    assert mapping.columns == {
        "date": 0, "description": 1, "amount": 2, "category": 3, "subcategory": 4,
        "payment_method": 5, "paid": 6, "notes": 7,
    }
    assert (mapping.date_order, mapping.number_style) == ("dmy", "comma_decimal")
    rows = parsed.rows
    assert [(r.date, r.amount, r.category, r.subcategory, r.payment_method, r.paid, r.notes) for r in rows] == [
        (date(2026, 2, 3), Decimal("-1234.56"), "Alimentación", "Supermercado", "credit_card", True, None),
        (date(2026, 2, 15), Decimal("2500.00"), "Salario", None, "bank_transfer", True, "febrero"),
        (date(2026, 2, 28), Decimal("-60.10"), "Casa", "Electricidad", "cash", False, None),
        (date(2026, 2, 28), Decimal("-10.00"), "Otros", None, "other", True, None),
    ]


def test_utf16_with_bom_tab_separated_as_excel_unicode_text():
    text = "Data\tDescrição\tValor\r\n05/01/2026\tCafé\t-4,50\r\n16/01/2026\tÔnibus\t-5,00\r\n"
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    options, table, mapping, parsed = parse(data)
    assert (options.encoding, options.delimiter, options.header_row) == ("utf-16-le", "\t", 0)
    assert table.header == ["Data", "Descrição", "Valor"]
    assert [(r.date, r.amount, r.description) for r in parsed.rows] == [
        (date(2026, 1, 5), Decimal("-4.50"), "Café"),
        (date(2026, 1, 16), Decimal("-5.00"), "Ônibus"),
    ]


def test_utf8_with_bom_leaves_no_bom_in_the_first_header():
    data = codecs.BOM_UTF8 + "Data,Descrição,Valor\n2026-01-05,Açaí,-9.90\n".encode()
    options, table, mapping, parsed = parse(data)
    assert options.encoding == "utf-8-sig"
    assert table.header[0] == "Data"
    assert mapping.columns["date"] == 0 and mapping.date_order == "ymd"
    assert [(r.date, r.amount, r.description) for r in parsed.rows] == [(date(2026, 1, 5), Decimal("-9.90"), "Açaí")]


def test_pipe_delimited():
    data = b"Date|Description|Amount\n2026-03-01|Books|-25.00\n2026-03-02|Refund|25.00\n"
    options, table, mapping, parsed = parse(data)
    assert options.delimiter == "|"
    assert [(r.date, r.amount, r.description) for r in parsed.rows] == [
        (date(2026, 3, 1), Decimal("-25.00"), "Books"),
        (date(2026, 3, 2), Decimal("25.00"), "Refund"),
    ]


def test_debit_and_credit_columns():
    data = (
        "Data;Descrição;Débito;Crédito;Saldo\n"
        "02/03/2026;Mercado;-150,00;;850,00\n"
        "03/03/2026;Farmácia;45,90;0,00;804,10\n"
        "05/03/2026;Salário;;3.000,00;3.804,10\n"
        "16/03/2026;Estranho;10,00;20,00;3.814,10\n"
        "07/03/2026;Vazio;;;3.814,10\n"
        "08/03/2026;Zero;0,00;0,00;3.814,10\n"
    ).encode()
    _options, table, mapping, parsed = parse(data)
    assert mapping.columns == {"date": 0, "description": 1, "debit": 2, "credit": 3}
    assert mapping.number_style == "comma_decimal"
    assert [(r.line, r.amount, r.kind, r.entry_kind) for r in parsed.rows] == [
        (2, Decimal("-150.00"), "expense", "expense"),
        (3, Decimal("-45.90"), "expense", "expense"),
        (4, Decimal("3000.00"), "income", "income"),
    ]
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (5, "Both debit and credit are filled."),
        (6, "Neither debit nor credit is filled."),
        (7, "The amount is zero."),
    ]
    assert parsed.errors[0].cells == ("16/03/2026", "Estranho", "10,00", "20,00", "3.814,10")


def test_parenthesised_negatives_and_currency_symbols():
    data = (
        b"Date,Description,Amount\n"
        b'2026-04-01,Groceries,"($1,234.56)"\n'
        b"2026-04-02,Fee,(12.30)\n"
        b'2026-04-03,Salary,"USD 2,000.00"\n'
        b"2026-04-04,Refund,\xe2\x82\xac5.00\n"
        b"2026-04-05,Tip,3.00-\n"
    )
    _options, _table, mapping, parsed = parse(data)
    assert mapping.number_style == "dot_decimal"
    assert [r.amount for r in parsed.rows] == [
        Decimal("-1234.56"), Decimal("-12.30"), Decimal("2000.00"), Decimal("5.00"), Decimal("-3.00"),
    ]


def test_an_ambiguous_date_order_is_asked_not_guessed():
    data = b"Date,Description,Amount\n10/11/2026,Dentist,-80.00\n01/02/2026,Gym,-30.00\n"
    _options, table, mapping, _parsed = parse(data)
    assert mapping.columns["date"] == 0
    assert mapping.date_order is None
    assert mapping_problems(table, mapping) == [
        "The dates could be day/month/year or month/day/year: choose the date order."
    ]
    mapping.date_order = "dmy"
    assert mapping_problems(table, mapping) == []
    assert [r.date for r in apply_mapping(table, mapping, "csv").rows] == [date(2026, 11, 10), date(2026, 2, 1)]
    mapping.date_order = "mdy"
    assert [r.date for r in apply_mapping(table, mapping, "csv").rows] == [date(2026, 10, 11), date(2026, 1, 2)]


def test_an_ambiguous_number_style_is_asked():
    data = b"Date;Description;Amount\n2026-01-02;Car;1.500\n2026-01-03;Bike;2.000\n"
    _options, table, mapping, _parsed = parse(data)
    assert mapping.number_style is None
    assert mapping_problems(table, mapping) == [
        "The amounts could be written as 1.234,56 or as 1,234.56: choose the number style."
    ]
    mapping.number_style = "comma_decimal"
    assert [r.amount for r in apply_mapping(table, mapping, "csv").rows] == [Decimal("1500"), Decimal("2000")]


def test_excel_serial_dates_written_as_text():
    data = b"Date,Description,Amount\n46023,New year lunch,-45.00\n46053,Rent,-900.00\n"
    _options, _table, mapping, parsed = parse(data)
    assert mapping.date_order == "serial"
    assert [r.date for r in parsed.rows] == [date(2026, 1, 1), date(2026, 1, 31)]


def test_a_kind_column_gives_the_sign_to_the_magnitude():
    data = (
        "Data;Descrição;Valor;Tipo\n"
        "01/03/2026;Salário;3.000,00;Receita\n"
        "22/03/2026;Aluguel;1.200,00;Despesa\n"
        "03/03/2026;Estorno;-50,00;C\n"
        "04/03/2026;Tarifa;9,90;D\n"
        "05/03/2026;Sem tipo;-7,00;\n"
        "06/03/2026;Esquisito;5,00;Talvez\n"
    ).encode()
    _options, _table, mapping, parsed = parse(data)
    assert mapping.columns["kind"] == 3
    assert [(r.amount, r.kind) for r in parsed.rows] == [
        (Decimal("3000.00"), "income"),
        (Decimal("-1200.00"), "expense"),
        (Decimal("50.00"), "income"),
        (Decimal("-9.90"), "expense"),
        (Decimal("-7.00"), None),
    ]
    assert [(e.line, e.reason) for e in parsed.errors] == [(7, "The type “Talvez” is neither income nor expense.")]


def test_a_type_column_of_transaction_names_is_not_taken_for_the_kind():
    data = "Data;Tipo;Descrição;Valor\n01/03/2026;Compra com cartão;Padaria;-5,00\n20/03/2026;PIX;Ana;-20,00\n"
    _options, _table, mapping, parsed = parse(data.encode())
    assert "kind" not in mapping.columns
    assert [r.amount for r in parsed.rows] == [Decimal("-5.00"), Decimal("-20.00")]


def test_payment_methods_and_paid_words_in_portuguese_and_english():
    data = (
        "Data;Descrição;Valor;Forma de pagamento;Situação\n"
        "01/03/2026;A;-1,00;Cartão de crédito;Pago\n"
        "02/03/2026;B;-1,00;Débito;pendente\n"
        "03/03/2026;C;-1,00;PIX;sim\n"
        "04/03/2026;D;-1,00;TED;Não\n"
        "05/03/2026;E;-1,00;Dinheiro;\n"
        "06/03/2026;F;-1,00;credit card;paid\n"
        "07/03/2026;G;-1,00;debit card;Pending\n"
        "08/03/2026;H;-1,00;Bank transfer;received\n"
        "09/03/2026;I;-1,00;cash;1\n"
        "10/03/2026;J;-1,00;cheque;0\n"
        "13/03/2026;K;-1,00;;talvez\n"
    ).encode()
    _options, _table, mapping, parsed = parse(data)
    assert mapping.columns["payment_method"] == 3 and mapping.columns["paid"] == 4
    assert [(r.payment_method, r.paid) for r in parsed.rows] == [
        ("credit_card", True), ("debit_card", False), ("bank_transfer", True), ("bank_transfer", False),
        ("cash", True), ("credit_card", True), ("debit_card", False), ("bank_transfer", True),
        ("cash", True), ("other", False),
    ]
    assert [(e.line, e.reason) for e in parsed.errors] == [(12, "“talvez” says neither paid nor pending.")]


def test_formula_looking_cells_stay_plain_text():
    data = (
        b"Date,Description,Amount,Notes\n"
        b'2026-01-01,"=HYPERLINK(""http://evil.example"",""x"")",-1.00,+55 11 9999\n'
        b"2026-01-02,@SUM(A1:A9),-2.00,-cmd\n"
        b"2026-01-03,=1+2,-3.00,=A1\n"
    )
    _options, table, _mapping, parsed = parse(data)
    assert table.rows[0][1] == '=HYPERLINK("http://evil.example","x")'
    assert [(r.description, r.notes) for r in parsed.rows] == [
        ('=HYPERLINK("http://evil.example","x")', "+55 11 9999"),
        ("@SUM(A1:A9)", "-cmd"),
        ("=1+2", "=A1"),
    ]


def test_a_long_description_keeps_the_rest_in_the_notes():
    words = " ".join(f"word{n:03d}" for n in range(40))  # 319 characters
    data = f"Date,Description,Amount,Notes\n2026-01-01,{words},-1.00,mine\n".encode()
    row = parse(data)[3].rows[0]
    assert len(row.description) <= 200 and words.startswith(row.description)
    assert row.notes == words[len(row.description) :].strip() + "\nmine"
    assert f"{row.description} {row.notes.splitlines()[0]}" == words


def test_row_reasons_name_the_problem():
    data = (
        "Data;Descrição;Valor\n"
        "31/02/2026;Impossível;-1,00\n"
        "05/01/2026;Letras;abc\n"
        "06/01/2026;Zero;0,00\n"
        "07/01/2026;   ;-5,00\n"
        ";Sem data;-5,00\n"
        "08/01/2026;Sem valor;\n"
        "01/01/1850;Antigo;-5,00\n"
        "09/01/2026;Decimais;1,234\n"
        "ontem;Palavra;-1,00\n"
        "20/01/2026;Bom;-1,00\n"
    ).encode()
    _options, _table, mapping, parsed = parse(data)
    assert mapping.date_order == "dmy" and mapping.number_style == "comma_decimal"
    assert [(r.line, r.description) for r in parsed.rows] == [(11, "Bom")]
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (2, "The date “31/02/2026” does not exist."),
        (3, "The amount “abc” is not a number."),
        (4, "The amount is zero."),
        (5, "The description is empty."),
        (6, "The date is empty."),
        (7, "The amount is empty."),
        (8, "The date “01/01/1850” is outside the years 1900 to 2199."),
        (9, "The amount “1,234” has more than two decimals."),
        (10, "“ontem” is not a date written as day/month/year."),
    ]
    assert parsed.rows_in_file == 10


def test_a_quoted_cell_over_several_lines_keeps_line_numbers():
    data = b'Date,Description,Amount\n2026-01-01,"two\nlines",-1.00\n\n2026-01-02,after,-2.00\n'
    _options, table, _mapping, parsed = parse(data)
    assert table.lines == [2, 5]
    assert [(r.line, r.description) for r in parsed.rows] == [(2, "two lines"), (5, "after")]


def test_ragged_rows_are_padded_and_extra_cells_get_columns():
    data = b"Date,Description,Amount\n2026-01-01,Short\n2026-01-02,Long,-2.00,extra\n"
    options = sniff_options(data, "csv")
    table = read_table(data, "csv", options, **LIMITS)
    assert table.header == ["Date", "Description", "Amount", "Column 4"]
    assert table.rows == [["2026-01-01", "Short", "", ""], ["2026-01-02", "Long", "-2.00", "extra"]]
    parsed = apply_mapping(table, guess_mapping(table), "csv")
    assert [(e.line, e.reason) for e in parsed.errors] == [(2, "The amount is empty.")]
    assert [r.amount for r in parsed.rows] == [Decimal("-2.00")]


def test_a_file_without_header_is_mapped_by_content():
    data = b"05/01/2026;Padaria;-12,30;1.000,00\n13/01/2026;Mercado Central;-80,00;920,00\n"
    options, table, mapping, parsed = parse(data)
    assert options.header_row == -1
    assert table.header == ["Column 1", "Column 2", "Column 3", "Column 4"]
    assert table.has_header is False and table.lines == [1, 2]
    assert mapping.columns == {"date": 0, "amount": 2, "description": 1}
    assert parsed.header == ()
    assert [(r.line, r.date, r.amount) for r in parsed.rows] == [
        (1, date(2026, 1, 5), Decimal("-12.30")),
        (2, date(2026, 1, 13), Decimal("-80.00")),
    ]


def test_preview_reads_only_the_first_rows():
    lines = "".join(f"2026-01-{day:02d},Day {day},-{day}.00\n" for day in range(1, 31))
    data = ("Date,Description,Amount\n" + lines).encode()
    table = read_table(data, "csv", sniff_options(data, "csv"), **LIMITS, preview=5)
    assert len(table.rows) == 5
    assert table.rows[-1] == ["2026-01-05", "Day 5", "-5.00"]
    assert len(read_table(data, "csv", sniff_options(data, "csv"), **LIMITS).rows) == 30


def test_the_user_can_change_every_option():
    data = "Título\nData;Descrição;Valor\n05/01/2026;Café;-4,50\n".encode("cp1252")
    options = TableOptions(encoding="cp1252", delimiter=";", header_row=1)
    table = read_table(data, "csv", options, **LIMITS)
    assert table.header == ["Data", "Descrição", "Valor"]
    assert table.rows == [["05/01/2026", "Café", "-4,50"]]
    # Read as latin-1-ish cp1252 vs UTF-8: the wrong choice is refused with the encoding named.
    with pytest.raises(Exception) as raised:
        read_table(data, "csv", TableOptions(encoding="utf-8", delimiter=";", header_row=1), **LIMITS)
    assert "UTF-8" in str(raised.value)
    assert TableOptions.from_dict(options.as_dict()) == options


def test_mapping_round_trips_and_refuses_nonsense():
    mapping = Mapping(columns={"date": 0, "amount": 2}, date_order="dmy", number_style="comma_decimal")
    assert Mapping.from_dict(mapping.as_dict()) == mapping
    assert Mapping.from_dict({"columns": {"date": "0", "notes": ""}}).columns == {"date": 0}
    for bad in (
        {"columns": {"owner": 1}},
        {"columns": {"date": -1}},
        {"columns": {"date": True}},
        {"columns": [1, 2]},
        {"date_order": "ydm"},
        {"number_style": "roman"},
    ):
        with pytest.raises(Exception) as raised:
            Mapping.from_dict(bad)
        assert raised.value.status == 400
    with pytest.raises(Exception) as raised:
        TableOptions.from_dict({"delimiter": "x"})
    assert raised.value.status == 400


def test_mapping_problems_name_what_is_missing():
    data = b"Date,Description,Amount,Debit\n2026-01-01,A,-1.00,2.00\n"
    table = read_table(data, "csv", sniff_options(data, "csv"), **LIMITS)
    assert mapping_problems(table, Mapping()) == [
        "Choose the date column.",
        "Choose the description column.",
        "Choose the amount column, or the debit and credit columns.",
    ]
    both = Mapping(columns={"date": 0, "description": 1, "amount": 2, "debit": 3}, date_order="ymd",
                   number_style="dot_decimal")
    assert mapping_problems(table, both) == [
        "Choose either the amount column or the debit and credit columns, not both."
    ]
    twice = Mapping(columns={"date": 0, "description": 0, "amount": 2}, date_order="ymd", number_style="dot_decimal")
    assert mapping_problems(table, twice) == ["The column “Date” is chosen twice."]
    outside = Mapping(columns={"date": 9}, date_order="ymd")
    assert mapping_problems(table, outside) == ["A chosen column is not in this file: choose the columns again."]
    wrong = Mapping(columns={"date": 1, "description": 0, "amount": 2}, number_style="dot_decimal")
    assert mapping_problems(table, wrong) == [
        "The date column’s values are not dates Finora can read: choose another column or the date order."
    ]


def test_a_header_with_no_rows_under_it():
    data = "Extrato\nData;Descrição;Valor\n".encode()
    options = sniff_options(data, "csv")
    table = read_table(data, "csv", options, **LIMITS)
    assert (options.header_row, table.header, table.rows) == (1, ["Data", "Descrição", "Valor"], [])
    mapping = guess_mapping(table)
    assert mapping.columns == {"date": 0, "description": 1, "amount": 2}
    assert mapping_problems(table, mapping) == ["There are no rows under the header: check the header row."]
    assert apply_mapping(table, mapping, "csv").rows_in_file == 0

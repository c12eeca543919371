"""OFX: 1.x SGML without closing tags (cp1252, comma decimals) and 2.x XML credit-card
statements read into signed rows with the bank's FITID."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finora.services.imports.formats import parse_bank
from finora.services.imports.rows import ImportFileError

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "bank"


def parse(name: str):
    return parse_bank((BANK / name).read_bytes(), "ofx")


SGML_HEADER = b"OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nCHARSET:1252\r\n\r\n"


def sgml(transactions: bytes, account: bytes = b"<BANKACCTFROM><ACCTID>99</BANKACCTFROM>") -> bytes:
    return (
        SGML_HEADER
        + b"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR"
        + account
        + b"<BANKTRANLIST>"
        + transactions
        + b"</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"
    )


def test_itau_sgml_in_cp1252_without_closing_tags():
    parsed = parse("itau_102_cp1252.ofx")
    assert parsed.format == "ofx"
    assert parsed.account_number == "341/1234/56789-0"
    assert parsed.currency == "BRL"
    first, salary, market, atm, coffee, twin = parsed.rows
    assert (first.date, first.amount, first.bank_id) == (
        date(2026, 1, 5),
        Decimal("-12.30"),
        "20260105001",
    )
    assert first.description == "PADARIA SÃO JOÃO"  # NAME missing: the MEMO, accents from cp1252
    assert first.notes == "Check number 000001"
    assert (salary.date, salary.amount) == (date(2026, 1, 6), Decimal("3500.00"))
    assert salary.description == "SALÁRIO EMPRESA - REMUNERAÇÃO JANEIRO"
    # NAME cut at 32 characters by OFX 1.x; the MEMO holds the whole name
    assert market.description == "SUPERMERCADO PÃO DE AÇÚCAR"
    assert (market.date, market.payment_method) == (date(2026, 1, 10), "debit_card")
    assert (atm.description, atm.payment_method) == ("SAQUE 24H & CAIXA", "cash")
    # the same FITID twice in one file: two rows, told apart
    assert (coffee.bank_id, twin.bank_id) == ("20260115001", "20260115001#2")
    assert coffee.amount == twin.amount == Decimal("-4.50")
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (7, "The date “20260199” cannot be read."),
        (8, "The amount is zero."),
    ]
    assert [row.line for row in parsed.rows] == [1, 2, 3, 4, 5, 6]


def test_credit_card_statement_in_ofx_2_xml():
    parsed = parse("creditcard_220.ofx")
    assert parsed.account_number == "4111222233334444"
    assert parsed.currency == "USD"
    food, payment, netflix = parsed.rows
    assert (food.date, food.amount, food.bank_id) == (
        date(2026, 2, 3),
        Decimal("-54.21"),
        "2026020324692160000000001",
    )
    assert food.description == "WHOLE FOODS MARKET #10234 - AUSTIN TX"
    assert (payment.amount, payment.entry_kind) == (Decimal("1250.00"), "income")
    assert netflix.description == "NETFLIX.COM"  # a MEMO equal to the NAME adds nothing
    assert {row.payment_method for row in parsed.rows} == {"credit_card"}


def test_utf8_body_behind_a_1252_header_is_read_as_utf8():
    data = sgml(
        "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260301<TRNAMT>-7.00<FITID>A1<NAME>Açaí da esquina</STMTTRN>".encode()
    )
    (row,) = parse_bank(data, "ofx").rows
    assert row.description == "Açaí da esquina"


def test_empty_leaves_and_closed_leaves_in_sgml():
    data = sgml(
        b"<STMTTRN><TRNTYPE>XFER<DTPOSTED>20260302<TRNAMT>+1.234,50<FITID>B7<NAME>Transfer</NAME>"
        b"<MEMO>\r\n</STMTTRN>"
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260303<TRNAMT>-2<FITID>B8<NAME>Bus &amp; metro</STMTTRN>"
    )
    parsed = parse_bank(data, "ofx")
    transfer, bus = parsed.rows
    assert (transfer.amount, transfer.payment_method, transfer.description) == (
        Decimal("1234.50"),
        "bank_transfer",
        "Transfer",
    )
    assert (bus.date, bus.amount, bus.description) == (
        date(2026, 3, 3),
        Decimal("-2"),
        "Bus & metro",
    )
    assert parsed.account_number == "99"


def test_an_empty_leaf_whose_name_is_closed_elsewhere_gives_back_its_siblings():
    data = sgml(
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260306<TRNAMT>-3.00<FITID>E1<MEMO><NAME>Padaria</STMTTRN>"
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260307<TRNAMT>-4.00<FITID>E2<NAME>Feira<MEMO>frutas</MEMO>"
        b"</STMTTRN>"
    )
    first, second = parse_bank(data, "ofx").rows
    assert (first.date, first.amount, first.bank_id, first.description) == (
        date(2026, 3, 6),
        Decimal("-3.00"),
        "E1",
        "Padaria",
    )
    assert (second.bank_id, second.description) == ("E2", "Feira - frutas")


def test_long_description_goes_whole_to_notes():
    name = ("PAGAMENTO BOLETO " * 20).encode()
    data = sgml(
        b"<STMTTRN><TRNTYPE>PAYMENT<DTPOSTED>20260304<TRNAMT>-99.99<FITID>C1<MEMO>"
        + name
        + b"</STMTTRN>"
    )
    (row,) = parse_bank(data, "ofx").rows
    assert len(row.description) == 200
    assert row.description.endswith("…")
    assert row.notes == " ".join(name.decode().split())


def test_unreadable_amount_and_missing_date_are_row_errors():
    data = sgml(
        b"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260305<TRNAMT>abc<FITID>D1<NAME>X</STMTTRN>"
        b"<STMTTRN><TRNTYPE>DEBIT<TRNAMT>-1.00<FITID>D2<NAME>Y</STMTTRN>"
    )
    parsed = parse_bank(data, "ofx")
    assert parsed.rows == []
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (1, "The amount “abc” cannot be read."),
        (2, "The transaction has no date (DTPOSTED)."),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            (BANK / "truncated.ofx").read_bytes(),
            "This OFX file is incomplete: it ends before its closing </OFX> tag.",
        ),
        (
            b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS>',
            "This OFX file is damaged or incomplete (the XML breaks off near line 3).",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<?OFX OFXHEADER="200"?><OFX>&x;</OFX>',
            "declares a document type or entities",
        ),
        (
            SGML_HEADER + b"<OFX>" + b"<A>" * 100_000 + b"</A></OFX>",
            "nests its tags far deeper than any OFX statement",
        ),
        (
            SGML_HEADER + b"<OFX><INVSTMTMSGSRSV1></INVSTMTMSGSRSV1></OFX>",
            "holds no bank or credit card statement",
        ),
        (
            SGML_HEADER
            + b"<OFX><BANKMSGSRSV1>"
            + b"<STMTTRNRS><STMTRS><BANKACCTFROM><ACCTID>1</BANKACCTFROM></STMTRS></STMTTRNRS>"
            + b"<STMTTRNRS><STMTRS><BANKACCTFROM><ACCTID>2</BANKACCTFROM></STMTRS></STMTTRNRS>"
            + b"</BANKMSGSRSV1></OFX>",
            "several accounts (1, 2)",
        ),
    ],
)
def test_broken_files_are_refused(data, message):
    with pytest.raises(ImportFileError) as caught:
        parse_bank(data, "ofx")
    assert message in str(caught.value)

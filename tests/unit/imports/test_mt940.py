"""MT940 through the mt-940 library: signed amounts (reversals included), booking dates,
references, and multi-line :86: details in the German "?20" and the Dutch "/REMI/" styles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finora.services.imports.formats import parse_bank
from finora.services.imports.rows import ImportFileError

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "bank"


def parse(name: str):
    return parse_bank((BANK / name).read_bytes(), "mt940")


def test_german_structured_details_in_a_swift_envelope():
    parsed = parse("german_structured.sta")
    assert parsed.format == "mt940"
    assert parsed.account_number == "37040044/0532013000"
    assert parsed.currency == "EUR"
    salary, power, card, storno = parsed.rows
    assert (salary.line, salary.date, salary.amount) == (1, date(2026, 1, 2), Decimal("1234.56"))
    # ?21/?22 cut mid-word and over two lines; the SEPA purpose after SVWZ+
    assert salary.description == "Gehalt Januar 2026 Personalnummer 4711"
    assert salary.notes == "Arbeitgeber GmbH"  # ?32 + ?33
    assert salary.bank_id == "POS260102-01"  # NONREF: the bank reference alone
    assert (power.amount, power.bank_id) == (Decimal("-80.00"), "KUNDENREF4711//0105A0001")
    assert (power.description, power.notes) == (
        "Strom Januar Kd-Nr 123456",
        "Stadtwerke Köln",
    )  # cp1252
    assert (card.date, card.amount, card.bank_id) == (date(2026, 1, 8), Decimal("-45.90"), None)
    assert card.description == "REWE Markt Koeln Suedstadt Karte 1 2026-01-08T18:02"
    # RD: reversal of a debit, the money comes back
    assert (storno.date, storno.amount, storno.bank_id) == (
        date(2026, 1, 9),
        Decimal("45.90"),
        "STORNO0109",
    )
    assert [(error.line, error.reason) for error in parsed.errors] == [(5, "The amount is zero.")]
    assert [row.payment_method for row in parsed.rows] == [
        None,
        "bank_transfer",
        "debit_card",
        "debit_card",
    ]


def test_dutch_structured_and_free_text_details():
    parsed = parse("dutch_abn.940")
    assert parsed.account_number == "NL91ABNA0417164300"
    refund, energy, shop = parsed.rows
    assert (refund.date, refund.amount, refund.bank_id) == (
        date(2026, 1, 30),
        Decimal("250.00"),
        "EREF//00000000001005",
    )
    assert (refund.description, refund.notes) == ("Terugbetaling etentje vrijdag", "J. Jansen")
    # /NAME/ and /REMI/ wrapped at 65 characters in the middle of words
    assert energy.description == "Termijnbedrag januari 2026 klantnummer 987654"
    assert (energy.amount, energy.notes) == (Decimal("-31.47"), "Vattenfall Klantenservice N.V.")
    # free text over two lines, entry date from :61:
    assert shop.description == "BEA NR:XK12AB 30.01.26/14.32 ALBERT HEIJN 1234,PAS123 AMSTERDAM"
    assert (shop.date, shop.amount, shop.bank_id) == (date(2026, 1, 31), Decimal("-23.15"), None)


def test_reversal_of_a_credit_is_money_out_and_customer_reference_is_dated():
    data = (
        b":20:STMT\r\n:25:DE02100100100006820101\r\n:28C:1/1\r\n:60F:C260301EUR100,00\r\n"
        b":61:2603020302RC10,00NTRFORDER-77\r\n:86:Rueckbuchung Gutschrift\r\n"
        b":61:2603040304D1,50NCHGORDER-77\r\n:86:Gebuehr\r\n"
        b":62F:C260304EUR88,50\r\n"
    )
    parsed = parse_bank(data, "mt940")
    reversal, fee = parsed.rows
    assert (reversal.amount, reversal.description) == (Decimal("-10.00"), "Rueckbuchung Gutschrift")
    assert (reversal.bank_id, fee.bank_id) == ("20260302/ORDER-77", "20260304/ORDER-77")


def test_envelope_with_the_first_tag_on_the_block_line():
    data = (
        b"{1:F01INGBNL2AXXXX0000000000}{2:O940INGBNL2AXXXXN}{4::20:ING\r\n:25:NL20INGB0001234567\r\n"
        b":28C:1\r\n:60F:C260101EUR10,00\r\n:61:260102C7,50NTRFNONREF//ING-1\r\n:86:Tikkie terug\r\n"
        b":62F:C260102EUR17,50\r\n-}{5:{CHK:0123456789AB}}"
    )
    parsed = parse_bank(data, "mt940")
    (row,) = parsed.rows
    assert parsed.account_number == "NL20INGB0001234567"
    assert (row.date, row.amount, row.bank_id, row.description) == (
        date(2026, 1, 2),
        Decimal("7.50"),
        "ING-1",
        "Tikkie terug",
    )
    assert row.payment_method == "bank_transfer"


def test_a_statement_without_movements_has_no_rows():
    parsed = parse_bank(
        b":20:X\n:25:DE02100100100006820101\n:28C:1/1\n:60F:C260101EUR1,00\n:62F:C260101EUR1,00\n",
        "mt940",
    )
    assert (parsed.rows, parsed.errors, parsed.account_number) == ([], [], "DE02100100100006820101")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b":20:X\n:25:1\n:60F:C260101EUR1,00\n:61:garbage\n:86:x\n:62F:C260101EUR1,00\n",
            "This MT940 file cannot be read: the :61: line “garbage” is malformed.",
        ),
        (
            b":20:X\n:25:1\n:60F:C260101EUR1,00\n:61:261301D5,00NTRFNONREF\n:86:x\n",
            "This MT940 file cannot be read: a date or amount in it is not valid.",
        ),
        (
            b":25:1\n:61:2601020102D5,00NTRFNONREF\n",
            "This MT940 file has no statement (no :20: tag).",
        ),
        (
            b":20:A\n:25:111\n:61:2601020102D5,00NTRFNONREF\n:86:x\n:20:B\n:25:222\n:61:2601020102D5,00NTRFNONREF\n",
            "several accounts (111, 222)",
        ),
        ((BANK / "random.bin").read_bytes(), "binary data"),
    ],
)
def test_broken_files_are_refused(data, message):
    with pytest.raises(ImportFileError) as caught:
        parse_bank(data, "mt940")
    assert message in str(caught.value)

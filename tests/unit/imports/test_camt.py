"""CAMT.053/.052/.054: entries with their sign, booking date and reference, batched entries
split into their parts, pending entries unpaid, and hostile XML refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finora.services.imports.formats import parse_bank
from finora.services.imports.rows import ImportFileError

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "bank"


def parse(name: str):
    return parse_bank((BANK / name).read_bytes(), "camt")


def camt052(entries: str) -> bytes:
    return (
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">'
        "<BkToCstmrAcctRpt><Rpt><Acct><Id><IBAN>AT611904300234573201</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f"{entries}</Rpt></BkToCstmrAcctRpt></Document>"
    ).encode()


def test_statement_with_a_batched_and_a_pending_entry():
    parsed = parse("camt053_batched.xml")
    assert parsed.format == "camt"
    assert parsed.account_number == "DE89370400440532013000"
    assert parsed.currency == "EUR"
    salary, power, kita, club, card, fee = parsed.rows
    assert (salary.line, salary.date, salary.amount, salary.bank_id) == (
        1,
        date(2026, 1, 2),
        Decimal("1234.56"),
        "2026010200012345",
    )
    assert salary.description == "Gehalt Januar 2026 Personalnummer 4711"
    assert salary.notes == "Arbeitgeber GmbH"
    # one Ntry of 150.75 with three TxDtls: three rows with their own amounts and ids
    assert [(row.line, row.amount) for row in (power, kita, club)] == [
        (2, Decimal("-80.00")),
        (3, Decimal("-50.75")),
        (4, Decimal("-20.00")),
    ]
    assert {row.date for row in (power, kita, club)} == {date(2026, 1, 5)}
    assert power.bank_id == "2026010500077777-1"  # the part's AcctSvcrRef
    assert kita.bank_id == "E2E-KITA-0126"  # its EndToEndId
    assert club.bank_id == "2026010500077777/3"  # NOTPROVIDED: the entry's reference and index
    assert (power.description, power.notes) == ("Strom Januar Kd-Nr 123456", "Stadtwerke Köln")
    assert (kita.description, kita.notes) == (
        "Kita Sonnenschein e.V.",
        None,
    )  # no text: the creditor
    assert club.description == "Mitgliedsbeitrag Januar"
    assert {row.payment_method for row in (salary, power)} == {"bank_transfer"}
    # pending card payment booked with a date-time
    assert (card.date, card.amount, card.paid, card.payment_method) == (
        date(2026, 1, 30),
        Decimal("-42.10"),
        False,
        "debit_card",
    )
    assert card.description == "KARTENZAHLUNG REWE MARKT KOELN"
    assert all(row.paid for row in (salary, power, kita, club, fee))
    # no booking date: the value date; old-style <Sts>BOOK</Sts>; no reference at all
    assert (fee.date, fee.amount, fee.bank_id, fee.description) == (
        date(2026, 1, 31),
        Decimal("-10.00"),
        None,
        "Kontofuehrungsgebuehr",
    )
    assert parsed.errors == []


def test_notification_camt054_with_other_account_id():
    parsed = parse("camt054_notification.xml")
    assert parsed.account_number == "0012345678"
    assert parsed.currency == "CHF"  # no Acct/Ccy: the amount's currency
    (row,) = parsed.rows
    assert (row.date, row.amount, row.bank_id) == (
        date(2026, 3, 9),
        Decimal("-89.50"),
        "LSV-2026-03-0042",
    )
    assert (row.description, row.notes) == ("Rechnung Maerz Mobile", "Swisscom (Schweiz) AG")


def test_batch_whose_parts_do_not_add_up_stays_one_row():
    entry = (
        '<Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-04-01</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef>"
        "<AddtlNtryInf>Sammler</AddtlNtryInf><NtryDtls>"
        '<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">60.00</Amt></TxAmt></AmtDtls></TxDtls>'
        '<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">30.00</Amt></TxAmt></AmtDtls></TxDtls>'
        "</NtryDtls></Ntry>"
        '<Ntry><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-04-02</Dt></BookgDt><AcctSvcrRef>R2</AcctSvcrRef><NtryDtls>"
        "<TxDtls><RmtInf><Ustrd>ohne Betrag 1</Ustrd></RmtInf></TxDtls>"
        "<TxDtls><RmtInf><Ustrd>ohne Betrag 2</Ustrd></RmtInf></TxDtls>"
        "</NtryDtls></Ntry>"
    )
    parsed = parse_bank(camt052(entries=entry), "camt")
    assert parsed.account_number == "AT611904300234573201"
    assert [(row.line, row.amount, row.bank_id, row.description) for row in parsed.rows] == [
        (1, Decimal("-100.00"), "R1", "Sammler"),
        (2, Decimal("20.00"), "R2", "ohne Betrag 1; ohne Betrag 2"),
    ]


def test_bad_entries_are_row_errors():
    entries = (
        '<Ntry><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-04-01</Dt></BookgDt></Ntry>'
        '<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>01.04.2026</Dt></BookgDt></Ntry>'
        '<Ntry><Amt Ccy="EUR">5,00</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2026-04-01</Dt></BookgDt></Ntry>'
        '<Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd></Ntry>'
    )
    parsed = parse_bank(camt052(entries), "camt")
    assert parsed.rows == []
    assert [(error.line, error.reason) for error in parsed.errors] == [
        (1, "The amount is zero."),
        (2, "The date “01.04.2026” cannot be read."),
        (3, "The amount “5,00” cannot be read."),
        (4, "The entry has no booking or value date."),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ((BANK / "xml_bomb.camt.xml").read_bytes(), "declares a document type or entities"),
        ((BANK / "xxe.camt.xml").read_bytes(), "declares a document type or entities"),
        (
            (BANK / "camt053_batched.xml").read_bytes()[:1500],
            "This CAMT file is damaged or incomplete (the XML breaks off near line",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>',
            "holds no statement, report or notification",
        ),
        (
            camt052("").replace(
                b"</Rpt>",
                b"</Rpt><Rpt><Acct><Id><IBAN>DE02100100100006820101</IBAN></Id></Acct></Rpt>",
            ),
            "several accounts (AT611904300234573201, DE02100100100006820101)",
        ),
    ],
)
def test_hostile_and_broken_files_are_refused(data, message):
    with pytest.raises(ImportFileError) as caught:
        parse_bank(data, "camt")
    assert message in str(caught.value)

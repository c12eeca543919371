"""detect_format: the kind of an import file from its bytes, never its name, and a clear
refusal of what no import can read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from finora.services.imports.detect import detect_format
from finora.services.imports.rows import ImportFileError

BANK = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "bank"


def fixture(name: str) -> bytes:
    return (BANK / name).read_bytes()


def zipped(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("itau_102_cp1252.ofx", "ofx"),
        ("creditcard_220.ofx", "ofx"),
        ("truncated.ofx", "ofx"),  # detected as OFX; the parser then says it is incomplete
        ("camt053_batched.xml", "camt"),
        ("camt054_notification.xml", "camt"),
        ("us_dates.qif", "qif"),
        ("european_dates.qif", "qif"),
        ("quicken_apostrophe.qif", "qif"),
        ("splits.qif", "qif"),
        ("german_structured.sta", "mt940"),
        ("dutch_abn.940", "mt940"),
    ],
)
def test_bank_fixtures_are_recognised_by_content(name, fmt):
    assert detect_format(fixture(name)) == fmt


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"Data;Descricao;Valor\r\n05/01/2026;PADARIA;-12,30\r\n", "csv"),
        ("Datum;Buchungstext;Betrag\n02.01.2026;Bäckerei;-3,20\n".encode("cp1252"), "csv"),
        ("date,description,amount\n2026-01-02,Café,-3.20\n".encode("utf-16"), "csv"),
        (b"\xef\xbb\xbfdate,amount\n2026-01-02,5\n", "csv"),
        # OFX 1.x from a bank that leaves the header out
        (b"<OFX>\n<BANKMSGSRSV1>\n</BANKMSGSRSV1>\n</OFX>\n", "ofx"),
        # OFX 2.x with the processing instruction
        (b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX></OFX>', "ofx"),
        # camt.052, any version
        (
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>',
            "camt",
        ),
        (b"\n\n!type:bank\nD1/2/2026\nT-5\n^\n", "qif"),
        (b"!Option:AutoSwitch\n!Account\nNChecking\n^\n", "qif"),
        # MT940 inside a SWIFT envelope
        (
            b"{1:F01ABNANL2AXXXX0000000000}{2:O9401200260131ABNANL2AXXXX00000000002601311200N}{4:\r\n"
            b":20:ABN\r\n:25:NL91ABNA0417164300\r\n:28C:1/1\r\n:60F:C260130EUR1,00\r\n-}",
            "mt940",
        ),
        (
            b"{1:F01INGBNL2AXXXX0000000000}{4::20:ING\n:25:NL20INGB0001234567\n:61:260102C7,50NTRF\n-}",
            "mt940",
        ),
        (zipped(**{"[Content_Types].xml": "<Types/>", "xl__workbook.xml": "<workbook/>"}), "xlsx"),
    ],
)
def test_content_decides(data, fmt):
    assert detect_format(data) == fmt


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\t\n", "The file is empty."),
        (fixture("old_excel.xls"), "old Excel file (.xls)"),
        (fixture("old_excel.xls"), "save it as .xlsx or CSV"),
        (fixture("statement.pdf"), "a bank's PDF statement cannot be read"),
        (fixture("statement.pdf"), "Download the statement as CSV, OFX"),
        (fixture("truncated.xlsx"), "damaged or incomplete"),
        (fixture("statements.zip"), "This zip archive is not a spreadsheet"),
        (
            zipped(
                mimetype="application/vnd.oasis.opendocument.spreadsheet", **{"content.xml": "<x/>"}
            ),
            ".ods",
        ),
        (fixture("random.bin"), "binary data"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "neither an OFX nor a CAMT"),
        (
            b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>',
            "neither an OFX nor a CAMT",
        ),
        (
            b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
            "web page (HTML)",
        ),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(data, message):
    with pytest.raises(ImportFileError) as caught:
        detect_format(data)
    assert message in str(caught.value)


def test_a_csv_that_mentions_tags_in_its_text_stays_csv():
    data = b"date;description;amount\n2026-01-02;paid :20: and :25: of the invoice;-5\n"
    assert detect_format(data) == "csv"

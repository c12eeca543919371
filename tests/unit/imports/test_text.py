"""Bytes to text: BOMs, UTF-8, UTF-16 without a BOM, cp1252 with its latin-1 fallback,
and binary data refused with a message."""

from __future__ import annotations

import codecs
import os

import pytest

from finora.services.imports.rows import ImportFileError
from finora.services.imports.text import decode_as, decode_text

SAMPLE = "Data;Descrição;Valor\n05/01/2026;Padaria São João;-12,30\n"


def test_utf8_with_bom():
    text, encoding = decode_text(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert (text, encoding) == (SAMPLE, "utf-8-sig")


def test_utf16_le_with_bom_as_excel_unicode_text_writes_it():
    data = codecs.BOM_UTF16_LE + "Date\tAmount\r\n01/05/2026\t€12.30\r\n".encode("utf-16-le")
    text, encoding = decode_text(data)
    assert encoding == "utf-16-le"
    assert text == "Date\tAmount\r\n01/05/2026\t€12.30\r\n"


def test_utf16_be_with_bom():
    text, encoding = decode_text(codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"))
    assert (text, encoding) == (SAMPLE, "utf-16-be")


def test_utf16_without_bom_is_recognised_by_its_nuls():
    assert decode_text(SAMPLE.encode("utf-16-le")) == (SAMPLE, "utf-16-le")
    assert decode_text(SAMPLE.encode("utf-16-be")) == (SAMPLE, "utf-16-be")


def test_plain_utf8():
    assert decode_text(SAMPLE.encode("utf-8")) == (SAMPLE, "utf-8")


def test_cp1252_when_utf8_fails():
    data = "Histórico;Valor\nCafé – “bom”;-5,00\n".encode("cp1252")
    text, encoding = decode_text(data)
    assert encoding == "cp1252"
    assert text == "Histórico;Valor\nCafé – “bom”;-5,00\n"


def test_bytes_cp1252_leaves_undefined_read_as_latin1():
    # 0x81 and 0x8D are undefined in cp1252 and make the text invalid UTF-8 as well.
    text, encoding = decode_text(b"Descri\xe7\xe3o;Valor\nLoja\x81;1,00\n")
    assert encoding == "cp1252"
    assert text == "Descrição;Valor\nLoja\x81;1,00\n"


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls (OLE2)
        os.urandom(4096),
        b"abc\x00def\x01\x02\x03\x04\x05\x06\x07\x08",
    ],
)
def test_binary_data_is_refused(data):
    with pytest.raises(ImportFileError) as raised:
        decode_text(data)
    assert "binary" in str(raised.value)


def test_empty_file_is_refused():
    with pytest.raises(ImportFileError) as raised:
        decode_text(b"  \n")
    assert "empty" in str(raised.value)


def test_decode_as_follows_a_chosen_encoding_and_drops_the_bom():
    data = codecs.BOM_UTF8 + "Ação;1\n".encode()
    assert decode_as(data, "utf-8") == "Ação;1\n"
    assert decode_as("Ação;1\n".encode("cp1252"), "cp1252") == "Ação;1\n"
    with pytest.raises(ImportFileError) as raised:
        decode_as("Ação;1\n".encode("cp1252"), "utf-8")
    assert "UTF-8" in str(raised.value) and "byte 2" in str(raised.value)
    with pytest.raises(ImportFileError):
        decode_as(b"x", "ebcdic")

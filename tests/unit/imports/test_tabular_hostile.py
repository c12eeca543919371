"""Broken and hostile spreadsheets: each refused fast with a message naming the problem,
or read sanely; nothing half-read."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from openpyxl import Workbook

from finora.services.imports.rows import ImportFileError
from finora.services.imports.tabular import (
    TableOptions,
    apply_mapping,
    guess_mapping,
    read_table,
    sniff_options,
)
from finora.services.imports.tabular.xlsx import MAX_RATIO, MAX_UNPACKED_BYTES

LIMITS = {"max_rows": 20_000, "max_columns": 100, "max_cells": 2_000_000}
CSV = TableOptions(encoding="utf-8", delimiter=",", header_row=0)


def small_workbook(rows: int = 3, columns: int = 3) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in range(rows):
        sheet.append([f"r{row}c{column}" for column in range(columns)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(data: bytes, fmt: str, options: TableOptions = CSV, **limits) -> str:
    with pytest.raises(ImportFileError) as raised:
        read_table(data, fmt, options, **{**LIMITS, **limits})
    return str(raised.value)


def test_a_million_column_csv_is_refused_fast():
    data = b"Date,Description,Amount\n" + b"," * 1_000_000 + b"\n"
    started = time.perf_counter()
    message = refused(data, "csv")
    assert time.perf_counter() - started < 2
    assert message == "Line 2 has more than 100 columns, the most an import reads: refused."
    # Sniffing it does not hang either.
    started = time.perf_counter()
    sniff_options(data, "csv")
    assert time.perf_counter() - started < 2


def test_too_many_rows_names_the_limit_and_the_command():
    data = b"Date,Description,Amount\n" + b"2026-01-01,x,-1.00\n" * 51
    message = refused(data, "csv", max_rows=50)
    assert "more than 50 rows" in message and "flask finora import" in message
    assert len(read_table(data, "csv", CSV, **{**LIMITS, "max_rows": 51}).rows) == 51
    # No limit on the command line.
    assert len(read_table(data, "csv", CSV, **{**LIMITS, "max_rows": None}).rows) == 51


def test_too_many_cells():
    data = b"a,b,c,d\n" + b"1,2,3,4\n" * 30
    assert refused(data, "csv", max_cells=100) == "This file has more than 100 cells, the most an import reads: refused."


def test_invalid_utf8_reads_as_cp1252_sanely():
    data = b"Data;Descri\xe7\xe3o;Valor\n15/01/2026;Caf\xe9 \x81 \xff;-1,00\n"
    options = sniff_options(data, "csv")
    assert options.encoding == "cp1252"
    table = read_table(data, "csv", options, **LIMITS)
    parsed = apply_mapping(table, guess_mapping(table), "csv")
    assert table.rows == [["15/01/2026", "Café \x81 ÿ", "-1,00"]]
    # The stray control character goes; the letters stay.
    assert [(r.description, str(r.amount)) for r in parsed.rows] == [("Café ÿ", "-1.00")]


def test_binary_junk_is_refused_as_csv_and_as_xlsx():
    junk = os.urandom(2048) + b"\x00" * 16
    with pytest.raises(ImportFileError) as raised:
        sniff_options(junk, "csv")
    assert "binary" in str(raised.value)
    assert refused(junk, "xlsx") == "This spreadsheet is damaged or incomplete: it could not be opened."


def test_an_unclosed_quote_is_named():
    data = b'Date,Description,Amount\n2026-01-01,"never closed,-1.00\n2026-01-02,x,-2.00\n'
    assert refused(data, "csv") == "A quoted cell in this file is never closed: the file may be cut short."


def test_a_header_row_past_the_end():
    assert "line 10" in refused(b"a,b\n1,2\n", "csv", TableOptions(encoding="utf-8", delimiter=",", header_row=9))


def _bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_posing_as_xlsx_is_refused_before_unpacking():
    data = _bomb(MAX_UNPACKED_BYTES + 1024 * 1024)
    assert len(data) < 1024 * 1024  # a small file
    started = time.perf_counter()
    message = refused(data, "xlsx")
    assert time.perf_counter() - started < 1
    assert message == "This spreadsheet unpacks to more than 200 MB: refused."
    with pytest.raises(ImportFileError):
        sniff_options(data, "xlsx")


def test_a_member_that_packs_too_tight_is_refused():
    data = _bomb(20 * 1024 * 1024)
    assert refused(data, "xlsx") == f"This spreadsheet unpacks to more than {MAX_RATIO} times its size: refused."


def test_a_truncated_workbook_is_damaged():
    data = small_workbook()
    for cut in (len(data) // 2, len(data) - 30, 100):
        assert refused(data[:cut], "xlsx") == "This spreadsheet is damaged or incomplete: it could not be opened."


def test_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.txt", "hello")
    assert refused(buffer.getvalue(), "xlsx") == "This zip file is not an Excel workbook (.xlsx)."


def test_a_broken_sheet_inside_a_sound_zip():
    data = small_workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(info.filename, content)
    assert refused(out.getvalue(), "xlsx", TableOptions(header_row=0)) == (
        "This spreadsheet is damaged or incomplete: it could not be opened."
    )


def test_a_sheet_wider_than_the_limit_is_refused():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Description", "Amount"])
    sheet.cell(row=2, column=500, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = refused(buffer.getvalue(), "xlsx", TableOptions(header_row=0))
    assert message == "Line 2 has more than 100 columns, the most an import reads: refused."


def test_a_sheet_longer_than_the_limit_is_refused():
    data = small_workbook(rows=40)
    message = refused(data, "xlsx", TableOptions(header_row=0), max_rows=20)
    assert "more than 20 rows" in message and "flask finora import" in message


def test_a_false_dimension_does_not_pad_rows():
    data = small_workbook(rows=3)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:C3"', b'<dimension ref="A1:XFD1048576"')
                assert b"XFD1048576" in content
            target.writestr(info.filename, content)
    started = time.perf_counter()
    table = read_table(out.getvalue(), "xlsx", TableOptions(header_row=0), **LIMITS)
    assert time.perf_counter() - started < 2
    assert table.header == ["r0c0", "r0c1", "r0c2"]
    assert table.rows == [["r1c0", "r1c1", "r1c2"], ["r2c0", "r2c1", "r2c2"]]


def test_an_xml_bomb_inside_a_sheet_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
        + "]>"
    )
    data = small_workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = (laughs + content.decode().replace("r0c0", "&lol9;", 1)).encode()
            target.writestr(info.filename, content)
    message = refused(out.getvalue(), "xlsx", TableOptions(header_row=0))
    assert message == "This spreadsheet holds XML entities or declarations that could expand without bound: refused."

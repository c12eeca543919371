"""Bytes to text for the tabular import: a BOM, then strict UTF-8, then UTF-16 that has
lost its BOM, then cp1252 (latin-1 for the five bytes cp1252 leaves undefined).

Binary data (a picture, an old .xls, random bytes renamed .csv) is refused here with an
ImportFileError rather than handed on as text full of control characters.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import cast

from finora.services.imports.rows import ImportFileError
from finora.translation import gettext as _

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters a text file may hold: tab, line feed, vertical tab, form feed, carriage
# return, and the DOS end-of-file mark some old exports still append.
_ALLOWED_CONTROLS = frozenset("\t\n\x0b\x0c\r\x1a")
_SAMPLE = 4096


def _cp1252_or_latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    # The bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as latin-1 does.
    return error.object[error.start : error.end].decode("latin-1"), error.end


# Only decoding names this handler, so it only ever receives a UnicodeDecodeError.
codecs.register_error(
    "finora_latin1", cast("Callable[[UnicodeError], tuple[str, int]]", _cp1252_or_latin1)
)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NULs fill the alternate bytes of the start (ASCII text
    written as UTF-16), else None."""
    sample = data[:_SAMPLE]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.6 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.6 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _refuse_binary(text: str) -> None:
    if "\x00" in text:
        raise ImportFileError(_("This file holds binary data, not text: it is not a CSV or text file."))
    controls = sum(
        1 for char in text[: _SAMPLE * 4] if (char < " " or "\x7f" <= char < "\xa0") and char not in _ALLOWED_CONTROLS
    )
    if controls > max(2, len(text[: _SAMPLE * 4]) // 100):
        raise ImportFileError(_("This file holds binary data, not text: it is not a CSV or text file."))


def decode_as(data: bytes, encoding: str) -> str:
    """The text of `data` read in `encoding` (one of ENCODINGS, e.g. a user's choice), any
    BOM removed. ImportFileError when the bytes are not valid in that encoding."""
    if encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown text encoding “%(encoding)s”.", encoding=encoding))
    for bom, name in _BOMS:
        if data.startswith(bom) and (name == encoding or (name == "utf-8-sig" and encoding == "utf-8")):
            data = data[len(bom) :]
            break
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        if codec == "cp1252":
            text = data.decode("cp1252", errors="finora_latin1")
        else:
            text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "This file is not valid %(encoding)s text (at byte %(position)s): choose another encoding.",
                encoding=encoding.upper(),
                position=error.start + 1,
            )
        ) from None
    _refuse_binary(text)
    return text


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for the bytes of a text file, the encoding found as the module
    docstring says. Empty or binary data raises ImportFileError."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    for bom, name in _BOMS:
        if data.startswith(bom):
            return decode_as(data, name), name
    if b"\x00" not in data[:_SAMPLE]:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            _refuse_binary(text)
            return text, "utf-8"
    else:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            try:
                text = data.decode(utf16)
            except UnicodeDecodeError:
                pass
            else:
                _refuse_binary(text)
                return text, utf16
        raise ImportFileError(_("This file holds binary data, not text: it is not a CSV or text file."))
    return decode_as(data, "cp1252"), "cp1252"

"""The import key of a row: what tells a row already imported from a new one.

A bank's own id (OFX FITID, CAMT reference, MT940 reference) identifies its row. Without
one, a fingerprint of the date, the signed amount and the normalised description, plus
how many identical rows came earlier in the same file: two genuine coffees on one day
are occurrences 0 and 1 (both kept), and importing the same file again gives the same keys
(duplicates). The account is not in the key: it is unique per (account_id, import_key).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from finora.services.imports.rows import ImportedRow

# Payment processors' prefixes ("PAG*", "IFD*", "MP*", "PAYPAL *"): the merchant follows
# the star. A closed list: in "UBER *TRIP" the merchant is before it.
_PROCESSOR = re.compile(r"\b(?:pag|pg|ifd|mp|mercpago|pp|paypal|sq|sumup|ec|stn|zp|zig)\s?\*")
# Anything that is not a letter: digits (card numbers, dates, authorisation codes) and
# punctuation runs are dropped, so the same merchant reads the same on every statement.
_NOT_LETTERS = re.compile(r"[^a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")


@lru_cache(maxsize=16384)  # a pure function of the text; statements repeat merchants
def normalise_description(text: str | None) -> str:
    """"PAG*Padaria São João 12/03 ****1234" -> "padaria sao joao"."""
    if not text:
        return ""
    folded = text.casefold()
    if not folded.isascii():  # most bank text is ASCII: no accents to take off
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(char for char in folded if not unicodedata.combining(char))
    folded = _PROCESSOR.sub(" ", folded)
    return " ".join(_NOT_LETTERS.sub(" ", folded).split())


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bank_key(bank_id: str) -> str:
    return _sha("bank\0" + bank_id.strip())


def _identity(row: ImportedRow) -> str:
    cents = int(row.signed_amount * 100)
    return f"fp\0{row.date.isoformat()}\0{cents}\0{normalise_description(row.description)}"


def fingerprint_key(row: ImportedRow, occurrence: int) -> str:
    return _sha(f"{_identity(row)}\0{occurrence}")


class KeyMaker:
    """Keys for the rows of one file, in file order (the occurrence count runs across
    every call, so a file read in chunks gets the same keys as one read at once). Each
    identity is remembered as a 16-byte digest: a 100,000-row file costs a few MB."""

    def __init__(self) -> None:
        self._seen: dict[bytes, int] = {}

    def key(self, row: ImportedRow) -> str:
        if row.bank_id and row.bank_id.strip():
            return bank_key(row.bank_id)
        identity = _identity(row)
        digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=16).digest()
        occurrence = self._seen.get(digest, 0)
        self._seen[digest] = occurrence + 1
        return _sha(f"{identity}\0{occurrence}")


def import_keys(rows: Iterable[ImportedRow]) -> list[str]:
    """The key of each row of one file, in order."""
    maker = KeyMaker()
    return [maker.key(row) for row in rows]

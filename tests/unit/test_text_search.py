"""The search's SQLite shortcut rests on one fact about str.lower(): only two characters
outside ASCII become ASCII. Checked against every code point of this Python."""

from __future__ import annotations

import sys

from finora.services.ledger.text_search import ASCII_FROM_LOWER


def test_only_these_characters_lower_into_ascii():
    found = tuple(
        chr(point) for point in range(128, sys.maxunicode + 1)
        if any(ord(char) < 128 for char in chr(point).lower())
    )
    assert found == ASCII_FROM_LOWER

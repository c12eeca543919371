"""Import keys: the bank's id when there is one, else a fingerprint with the row's
occurrence in its file (twins stay two; the same file again gives the same keys)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from finora.services.imports.keys import KeyMaker, import_keys, normalise_description
from finora.services.imports.rows import ImportedRow


def _row(line, amount="-4.50", description="Café Central", day=date(2026, 3, 2), bank_id=None):
    return ImportedRow(line=line, date=day, amount=Decimal(amount), description=description, bank_id=bank_id)


def test_descriptions_read_the_same_on_every_statement():
    assert normalise_description("PAG*Padaria São João 12/03 ****1234") == "padaria sao joao"
    assert normalise_description("  IFD*RESTAURANTE   XYZ-SP ") == "restaurante xyz sp"
    assert normalise_description("PAYPAL *NETFLIX") == "netflix"
    # A merchant before the star is the merchant, not a processor's prefix.
    assert normalise_description("UBER *TRIP") == "uber trip"
    assert normalise_description("CAFÉ") == normalise_description("cafe 0042")
    assert normalise_description(None) == ""


def test_identical_rows_of_one_file_get_their_own_keys():
    keys = import_keys([_row(1), _row(2), _row(3, description="Padaria")])
    assert len(set(keys)) == 3
    assert all(len(key) == 64 for key in keys)


def test_the_same_file_twice_gives_the_same_keys():
    rows = [_row(1), _row(2), _row(3, amount="120.00", description="Salary")]
    assert import_keys(rows) == import_keys(list(rows))


def test_a_key_ignores_the_line_and_the_noise_of_a_description():
    first = import_keys([_row(1, description="PAG*Café Central 0301")])
    later = import_keys([_row(40, description="cafe central")])
    assert first == later


def test_the_fingerprint_tells_date_amount_and_sign_apart():
    base = import_keys([_row(1)])[0]
    assert import_keys([_row(1, day=date(2026, 3, 3))])[0] != base
    assert import_keys([_row(1, amount="-4.51")])[0] != base
    assert import_keys([_row(1, amount="4.50")])[0] != base


def test_a_bank_id_decides_alone():
    maker = KeyMaker()
    one = maker.key(_row(1, bank_id="FIT-1"))
    other_day = maker.key(_row(2, bank_id="FIT-1", day=date(2027, 1, 1), amount="-9.99"))
    assert one == other_day
    # Rows with a bank id do not move the occurrence count of fingerprinted rows.
    assert maker.key(_row(3)) == import_keys([_row(9)])[0]


def test_keys_made_chunk_by_chunk_equal_keys_made_at_once():
    rows = [_row(n) for n in range(1, 7)]
    maker = KeyMaker()
    chunked = [maker.key(row) for row in rows[:3]] + [maker.key(row) for row in rows[3:]]
    assert chunked == import_keys(rows)

"""A credit card's statements as CSV (docs/cards.md): plain keys, ISO dates and "1234.56",
UTF-8 with a BOM like the entries export."""

from __future__ import annotations

import csv
import io

from finora.services.exports.csv_export import BOM
from finora.services.ledger.card_statements import Statement

HEADERS = ("statement", "start", "closing_date", "due_date", "total", "paid", "outstanding", "entries", "status")


def statements_csv(statements: list[Statement]) -> str:
    """The statements, oldest first, one row each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for s in statements:
        writer.writerow([
            s.key, s.start.isoformat(), s.closing.isoformat(), s.due.isoformat(),
            f"{s.total:.2f}", f"{s.paid:.2f}", f"{s.outstanding:.2f}", s.entries, s.status,
        ])
    return BOM + buffer.getvalue()

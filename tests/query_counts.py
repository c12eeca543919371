"""How many SQL statements one request runs: the tests that keep page costs flat use it."""

from __future__ import annotations

from sqlalchemy import event

from finora.extensions import db


def queries_during_get(client, url: str) -> int:
    """GET `url` (it must answer 200) and count the statements sent to the database."""
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)

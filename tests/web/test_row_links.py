"""Row links built once per page (finora/web/navigation.py) are the links url_for builds."""

from __future__ import annotations

from flask import url_for

from finora.web.navigation import row_url, row_url_with, url_with


def test_row_links_match_url_for(app):
    here = "/dashboard/2026/3?q=12345&page=2&category=7"
    with app.test_request_context(here):
        for row_id in (1, 7, 12345, 10**12):
            assert row_url("entries.edit", "entry_id", row_id, next=here) == url_for(
                "entries.edit", entry_id=row_id, next=here)
            assert row_url("entries.delete", "entry_id", row_id) == url_for("entries.delete", entry_id=row_id)
            assert row_url("transfers.edit", "transfer_id", row_id, next=here) == url_for(
                "transfers.edit", transfer_id=row_id, next=here)
    with app.test_request_context("/transactions?q=12345&category=3&after=abc"):
        for row_id in (3, 99):
            assert row_url_with("category", row_id, after=None, before=None) == url_with(
                category=row_id, after=None, before=None)


def test_links_are_not_carried_from_one_request_to_the_next(app):
    with app.test_request_context("/transactions?q=rent"):
        first = row_url_with("category", 5)
    with app.test_request_context("/transactions?q=food"):
        second = row_url_with("category", 5)
    assert "q=rent" in first and "q=food" in second

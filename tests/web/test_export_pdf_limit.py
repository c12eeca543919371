"""A PDF is laid out whole in memory: above EXPORT_PDF_MAX_ENTRIES the export form says so
(400, translated) and points to CSV or XLSX; at the limit the PDF is made."""

from __future__ import annotations

import pytest
import time_machine

from finora.extensions import db
from tests.web.report_data import NOW, fill_march


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_pdf_over_the_limit_is_refused_with_the_way_out(app, household, signed_in):
    fill_march(household)
    query = "/exports/download?period=month&year=2026&month=3&format="
    count = int(signed_in.get(query + "csv&style=plain")
                .data.decode("utf-8-sig").count("\n")) - 1
    assert count >= 3

    app.config["EXPORT_PDF_MAX_ENTRIES"] = count - 1
    refused = signed_in.get(query + "pdf")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert f"A PDF holds at most {count - 1} entries and this period has {count}" in text
    assert 'id="export-form"' in text or "<form" in text
    # CSV and XLSX are never limited.
    assert signed_in.get(query + "xlsx").status_code == 200

    app.config["EXPORT_PDF_MAX_ENTRIES"] = count
    made = signed_in.get(query + "pdf")
    assert made.status_code == 200
    assert made.data.startswith(b"%PDF-")


def test_the_message_reads_in_portuguese(app, household, user, signed_in):
    fill_march(household)
    user.locale = "pt"
    db.session.commit()
    app.config["EXPORT_PDF_MAX_ENTRIES"] = 2
    response = signed_in.get("/exports/download?period=month&year=2026&month=3&format=pdf")
    assert response.status_code == 400
    assert "Um PDF tem no máximo 2 lançamentos" in response.get_data(as_text=True)

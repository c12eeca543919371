"""GET /reports/net-worth: the service's figures (tests/net_worth_data.py) as decimal
strings, the last twelve months by default, viewers read it, another household's money never
counts, and 422 on the field for a month that is none or a range that cannot be."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from finora.api.reports_json import NetWorthOut
from finora.dates import today
from finora.extensions import db
from finora.services.reports.net_worth import net_worth_report
from tests.api.planning_helpers import assert_error, stranger_household, viewer_api
from tests.ledger_factories import make_account
from tests.net_worth_data import EXPECTED, NOW, fill_net_worth


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def filled(household):
    fill_net_worth(household)
    return household


def test_the_figures_are_the_services(signed_api, filled):
    response = signed_api.get("/reports/net-worth")
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.json["data"]
    NetWorthOut.model_validate(data)
    assert (data["currency"], data["start"], data["end"]) == ("BRL", "2025-04", "2026-03")
    assert data["months"][0] == {"month": "2026-01", "date": "2026-01-31", "assets": "3050.00",
                                 "liabilities": "300.00", "net_worth": "2750.00", "change": None}
    assert data["months"][-1]["date"] == "2026-03-15"
    got = [(m["month"], Decimal(m["assets"]), Decimal(m["liabilities"]), Decimal(m["net_worth"]),
            None if m["change"] is None else Decimal(m["change"])) for m in data["months"]]
    assert got == EXPECTED
    report = net_worth_report(db.session, filled, today(filled))
    assert [Decimal(m["net_worth"]) for m in data["months"]] == [m.net for m in report.months]


def test_a_range(signed_api, filled):
    data = signed_api.get("/reports/net-worth?from=2026-02&to=2026-03").json["data"]
    assert [m["month"] for m in data["months"]] == ["2026-02", "2026-03"]
    assert data["months"][0]["change"] == "200.00"


def test_a_viewer_reads_it(api, filled):
    viewer_api(api, filled)
    assert api.get("/reports/net-worth").json["data"]["months"][-1]["net_worth"] == "5100.00"


def test_another_households_money_is_not_counted(signed_api, filled):
    make_account(stranger_household(), name="Theirs", opening_balance="99999")
    assert signed_api.get("/reports/net-worth").json["data"]["months"][-1]["net_worth"] == "5100.00"


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-13", "from"), ("to=abc", "to"), ("from=2026-3", "from"), ("to=1500-01", "to"),
    ("from=2026-03&to=2026-01", "from"), ("from=2010-01&to=2026-03", "from"),
])
def test_a_month_that_is_none_is_a_422_on_its_field(signed_api, query, field):
    body = assert_error(signed_api.get(f"/reports/net-worth?{query}"), 422, "validation_error")
    assert list(body["fields"]) == [field]

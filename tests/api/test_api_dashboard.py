"""PyCashFlow's mobile read endpoints (/dashboard, /transactions, /projections, /risk-score,
/settings, /insights): every field the iOS client decodes as non-optional is present and
not null, empty households answer honestly, and the figures are the household forecast's
(the same service the forecast page and the dashboard card use)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from finora.dates import today
from finora.extensions import db
from finora.models import Skip
from finora.services.planning.household_forecast import household_forecast
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account, make_entry
from tests.members_factories import add_member
from tests.planning_factories import make_rule

RISK_KEYS = {"score", "status", "color", "runway_days", "lowest_balance", "days_to_lowest",
             "avg_daily_expense", "days_below_threshold", "pct_below_threshold",
             "recovery_days", "near_term_buffer"}


def _ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json["data"]


def _funded(household, *, balance="5000.00"):
    """A counted account with `balance` today and a monthly rent of 1500 in five days."""
    day = today(household)
    account = make_account(household, name="Main", opening_balance=balance,
                           opening_date=day - timedelta(days=30))
    rule = make_rule(household, account_id=account.id, anchor_date=day + timedelta(days=5))
    return day, account, rule


def test_dashboard_of_an_empty_household_has_every_field(signed_api, household):
    data = _ok(signed_api.get("/dashboard"))
    assert data["balance"] == "0.00"
    assert data["balance_date"] == today(household).isoformat()
    assert data["min_balance"] == "0.00"
    assert data["upcoming_transactions"] == []
    assert data["ai_last_updated"] is None
    assert RISK_KEYS <= set(data["risk"]) and RISK_KEYS <= set(data["risk_v2"])
    # Nothing entered yet: explained, not scored "Critical".
    assert data["risk_v2"]["score"] is None and data["risk_v2"]["score_status"] == "no_data"
    assert data["risk_v2"]["lowest_balance"] == "0.00"


def test_dashboard_figures_are_the_household_forecasts(signed_api, household):
    day, _account, _rule = _funded(household)
    data = _ok(signed_api.get("/dashboard"))
    result = household_forecast(db.session, household, horizon_days=90)
    assert data["balance"] == "5000.00" == f"{result.current_balance:.2f}"
    assert data["balance_date"] == day.isoformat()
    assert data["min_balance"] == f"{result.forecast.lowest_90[1]:.2f}" == "500.00"
    assert data["risk_v2"]["score"] == result.risk.score
    assert data["risk_v2"]["status"] in {"Safe", "Stable", "Watch", "Risk", "Critical"}
    assert isinstance(data["risk"]["lowest_balance"], float)
    assert data["risk_v2"]["lowest_balance"] == "500.00"
    first = data["upcoming_transactions"][0]
    assert first == {"name": "Rent", "type": "Expense", "amount": "1500.00",
                     "date": (day + timedelta(days=5)).isoformat(),
                     "schedule_id": _rule.id, "entry_id": None, "overdue": False}
    assert len(data["upcoming_transactions"]) == 3  # three rents in 90 days


def test_transactions_apply_skips_and_holds_and_page(signed_api, household):
    day, _account, rule = _funded(household)
    db.session.add(Skip(household_id=household.id, rule_id=rule.id,
                        occurrence_date=day + timedelta(days=5)))
    db.session.commit()
    response = signed_api.get("/transactions")
    assert response.json["meta"] == {"total": 2, "limit": 50, "offset": 0}
    dates = [row["date"] for row in response.json["data"]]
    assert (day + timedelta(days=5)).isoformat() not in dates
    rule.hold_until = day + timedelta(days=40)
    db.session.commit()
    held = signed_api.get("/transactions").json
    assert held["meta"]["total"] == 1 and held["data"][0]["date"] >= (day + timedelta(days=40)).isoformat()
    page = signed_api.get("/transactions?limit=1&offset=1").json
    assert page["data"] == [] and page["meta"] == {"total": 1, "limit": 1, "offset": 1}


def test_transactions_of_an_empty_household(signed_api):
    response = signed_api.get("/transactions")
    assert response.json == {"data": [], "meta": {"total": 0, "limit": 50, "offset": 0}}


def test_older_overdue_entries_are_one_named_line(signed_api, household):
    # Beyond the 20 most recent, overdue entries are summed into one line with no name of
    # its own: the API names it (the client needs a name), in the caller's language.
    day, account, _rule = _funded(household)
    for back in range(1, 24):
        make_entry(household, account=account, amount=Decimal("10.00"),
                   date=day - timedelta(days=back), description=f"Old bill {back}")
    rows = signed_api.get("/transactions", query_string={"limit": 500}).json["data"]
    summed = [row for row in rows if row["name"] == "3 older unpaid entries"]
    assert len(summed) == 1 and summed[0]["amount"] == "30.00" and summed[0]["type"] == "Expense"
    assert all(row["name"] for row in rows)


def test_projections_without_and_with_a_scenario(signed_api, household):
    assert _ok(signed_api.get("/projections"))["schedule"] == []
    assert _ok(signed_api.get("/projections"))["scenario"] is None
    day, account, _rule = _funded(household)
    data = _ok(signed_api.get("/projections?days=90"))
    assert data["scenario"] is None
    assert data["schedule"][0] == {"date": day.isoformat(), "amount": "5000.00"}
    assert {"date": (day + timedelta(days=5)).isoformat(), "amount": "3500.00"} in data["schedule"]
    make_rule(household, name="New car", account_id=account.id, is_scenario=True,
              amount=Decimal("300.00"), anchor_date=day + timedelta(days=2))
    with_scenario = _ok(signed_api.get("/projections?days=90"))
    assert {"date": (day + timedelta(days=2)).isoformat(), "amount": "4700.00"} in with_scenario["scenario"]
    assert with_scenario["schedule"] == data["schedule"]
    bad = signed_api.get("/projections?days=7")
    assert bad.status_code == 422 and "days" in bad.json["fields"]


def test_risk_score_has_the_full_breakdown_with_money_as_strings(signed_api, household):
    _funded(household)
    data = _ok(signed_api.get("/risk-score"))
    assert RISK_KEYS <= set(data)
    for key in ("lowest_balance", "avg_daily_expense", "near_term_buffer"):
        Decimal(data[key])  # a decimal string
        assert isinstance(data[key], str)
    assert set(data["factors"]) == {"runway", "lowest", "days_to_lowest", "volatility"}
    assert data["near_term_buffer"] == "3500.00"


def test_settings_and_insights(signed_api, user):
    data = _ok(signed_api.get("/settings"))
    assert {k: data["user"][k] for k in ("id", "email", "is_admin", "is_guest")} == {
        "id": user.id, "email": user.email, "is_admin": True, "is_guest": False}
    assert data["user"]["name"] and data["app"]["version"] and data["app"]["python_version"]
    assert data["ai"] == {"configured": False, "provider": None, "model": None, "last_updated": None}
    assert _ok(signed_api.get("/insights")) == {
        "configured": False, "insights": [], "last_updated": None, "model": None}
    refused = signed_api.post("/insights/refresh", json={})
    assert refused.status_code == 409 and refused.json["code"] == "conflict"
    assert "not configured" in refused.json["error"]


def test_a_viewer_reads_but_cannot_write(api, household):
    viewer = add_member(household, "viewer")
    api.login(viewer.email)
    assert _ok(api.get("/settings"))["user"]["is_guest"] is True
    assert api.get("/dashboard").status_code == 200
    for path, body in (("/insights/refresh", {}), ("/balance", {"amount": "10.00"})):
        response = api.post(path, json=body)
        assert response.status_code == 403 and response.json["code"] == "forbidden"


def test_an_editor_cannot_refresh_insights(api, household):
    editor = add_member(household, "editor")
    api.login(editor.email)
    assert api.post("/insights/refresh", json={}).status_code == 403


def test_another_households_data_never_shows(signed_api, household):
    other_user = create_user()
    other = household_of(other_user)
    _funded(other)
    data = _ok(signed_api.get("/dashboard"))
    assert data["balance"] == "0.00" and data["upcoming_transactions"] == []
    assert signed_api.get("/transactions").json["meta"]["total"] == 0


def test_unpaid_entries_count_and_an_overdue_one_is_today(signed_api, household):
    from tests.ledger_factories import make_entry

    day, account, _rule = _funded(household)
    make_entry(household, account=account, amount=Decimal("40.00"), description="Water",
               date=day - timedelta(days=3))
    rows = signed_api.get("/transactions").json["data"]
    assert rows[0] == {"name": "Water", "type": "Expense", "amount": "40.00",
                       "date": day.isoformat(), "schedule_id": None,
                       "entry_id": rows[0]["entry_id"], "overdue": True}
    assert rows[0]["entry_id"] is not None
    data = signed_api.get("/dashboard").json["data"]
    assert data["min_balance"] == "460.00"  # 5000 − 40 − 3 × 1500


def test_the_legacy_risk_object_says_the_same_in_numbers(signed_api, household):
    _funded(household, balance="2000.00")
    data = signed_api.get("/dashboard").json["data"]
    legacy, full = data["risk"], data["risk_v2"]
    assert legacy["score"] == full["score"] is not None
    for key in ("lowest_balance", "avg_daily_expense", "near_term_buffer"):
        assert isinstance(legacy[key], float) and Decimal(full[key]) == Decimal(str(legacy[key]))
    # 2000 − 3 × 1500 goes below a month's reserve (50 a day × 30 = 1500) and stays there.
    assert full["days_below_threshold"] > 0 and full["recovery_days"] is None
    assert 0 < full["pct_below_threshold"] <= 1

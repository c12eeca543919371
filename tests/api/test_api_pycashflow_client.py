"""The API driven the way PyCashFlow's published mobile client drives it: sign in, read the
dashboard, set the balance, list and create schedules, hold one, skip one, read the
projections without and with a scenario, read the settings and insights, sign out.

Each answer is decoded like the client's Swift decoders (APIModels.swift in PyCashFlow's
repository): a field it declares non-optional must be present and of its type, never null,
or the app cannot show the screen."""

from __future__ import annotations

from datetime import timedelta

from finora.dates import today
from tests.factories import PASSWORD
from tests.ledger_factories import household_of, make_account

# The client's non-optional fields and their JSON types, per decoder.
USER = {"id": int, "email": str, "name": str, "is_admin": bool, "is_guest": bool}
LOGIN = {"user": dict}
DASHBOARD = {"balance": str, "balance_date": str, "upcoming_transactions": list,
             "min_balance": str}
TRANSACTION = {"name": str, "type": str, "amount": str, "date": str}
BALANCE = {"amount": str, "date": str}
SCHEDULE = {"id": int, "name": str, "amount": str, "type": str, "frequency": str,
            "start_date": str}
POINT = {"date": str, "amount": str}
PROJECTIONS = {"schedule": list}
SETTINGS = {"user": dict, "app": dict, "ai": dict}
SETTINGS_USER = USER
SETTINGS_APP = {"version": str, "python_version": str}
SETTINGS_AI = {"configured": bool}
INSIGHTS_OPTIONAL_ONLY: dict = {}


def decode(value, shape: dict):
    """What Swift's Decodable would do: every required key there, of its type, not null."""
    assert isinstance(value, dict), value
    for key, kind in shape.items():
        assert key in value and value[key] is not None, f"{key} missing or null in {value}"
        assert isinstance(value[key], kind), f"{key}: {value[key]!r} is not {kind.__name__}"
    return value


def data_of(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json["data"]


def listed(response, shape: dict) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert isinstance(body["data"], list) and isinstance(body["meta"]["total"], int)
    return [decode(item, shape) for item in body["data"]]


def test_a_mobile_session_from_sign_in_to_sign_out(api, user):
    household = household_of(user)
    day = today(household)
    make_account(household, name="Checking", opening_balance="0", opening_date=day - timedelta(days=60))

    # Sign in.
    login = decode(data_of(api.post("/auth/login", json={"email": user.email, "password": PASSWORD})), LOGIN)
    decode(login["user"], USER)
    api.token = login["token"]

    # The home screen of a new household: every field there, nothing to show yet.
    home = decode(data_of(api.get("/dashboard")), DASHBOARD)
    assert home["balance"] == "0.00" and home["upcoming_transactions"] == []
    assert listed(api.get("/schedules"), SCHEDULE) == []

    # Set today's balance, read it back.
    decode(data_of(api.post("/balance", json={"amount": "2500.00"}), 201), BALANCE)
    balance = decode(data_of(api.get("/balance")), BALANCE)
    assert balance["amount"] == "2500.00" and balance["date"] == day.isoformat()

    # Two schedules, as the app's form sends them.
    rent = decode(data_of(api.post("/schedules", json={
        "name": "Rent", "amount": "1200.00", "type": "Expense", "frequency": "Monthly",
        "start_date": (day + timedelta(days=5)).isoformat()}), 201), SCHEDULE)
    salary = decode(data_of(api.post("/schedules", json={
        "name": "Salary", "amount": "3000.00", "type": "Income", "frequency": "BiWeekly",
        "start_date": (day + timedelta(days=3)).isoformat()}), 201), SCHEDULE)
    assert {s["name"] for s in listed(api.get("/schedules"), SCHEDULE)} == {"Rent", "Salary"}

    upcoming = listed(api.get("/transactions"), TRANSACTION)
    assert {"Rent", "Salary"} <= {t["name"] for t in upcoming}
    home = decode(data_of(api.get("/dashboard")), DASHBOARD)
    assert [decode(t, TRANSACTION) for t in home["upcoming_transactions"]]

    # Projections without a scenario: the scenario line is null.
    projections = decode(data_of(api.get("/projections")), PROJECTIONS)
    assert projections["scenario"] is None
    assert [decode(point, POINT) for point in projections["schedule"]]

    # Hold the rent: it leaves the upcoming list; release it: it is back.
    hold = data_of(api.post("/holds", json={"schedule_id": rent["id"]}), 201)
    assert "Rent" not in {t["name"] for t in listed(api.get("/transactions"), TRANSACTION)}
    assert api.delete(f"/holds/{hold['id']}").status_code == 204
    assert "Rent" in {t["name"] for t in listed(api.get("/transactions"), TRANSACTION)}

    # Skip the next salary: that date leaves the upcoming list.
    first_pay = min(t["date"] for t in upcoming if t["name"] == "Salary")
    data_of(api.post("/skips", json={"schedule_id": salary["id"]}), 201)
    assert len(listed(api.get("/skips"), {"id": int, "name": str, "date": str, "amount": str,
                                          "type": str})) == 1
    after = listed(api.get("/transactions"), TRANSACTION)
    assert ("Salary", first_pay) not in {(t["name"], t["date"]) for t in after}

    # A what-if: the scenario line appears beside the schedule line.
    decode(data_of(api.post("/scenarios", json={
        "name": "New car", "amount": "800.00", "type": "Expense", "frequency": "Monthly",
        "start_date": (day + timedelta(days=10)).isoformat()}), 201), SCHEDULE)
    projections = decode(data_of(api.get("/projections")), PROJECTIONS)
    assert isinstance(projections["scenario"], list) and projections["scenario"]
    assert [decode(point, POINT) for point in projections["scenario"]]

    # Settings and insights screens.
    settings = decode(data_of(api.get("/settings")), SETTINGS)
    decode(settings["user"], SETTINGS_USER)
    decode(settings["app"], SETTINGS_APP)
    decode(settings["ai"], SETTINGS_AI)
    insights = data_of(api.get("/insights"))
    assert insights["configured"] is False

    # Sign out: the token no longer opens anything.
    assert data_of(api.post("/auth/logout"))["message"]
    assert api.get("/dashboard").status_code == 401

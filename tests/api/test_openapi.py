"""The OpenAPI 3.1 document (/api/v1/openapi.json) and its reference page: a valid document,
every /api/v1 route in it (and every view documented), envelopes and errors as the API
answers them, and real answers of PyCashFlow's endpoints matching their response models."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import jsonschema_rs
import pyotp
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from finora.api.envelope import CODES
from finora.api.openapi import api_views, undocumented
from finora.dates import today
from finora.extensions import db
from finora.models import Skip
from finora.services.ledger.snapshots import set_balance
from finora.services.people import totp
from tests.factories import PASSWORD
from tests.ledger_factories import make_account
from tests.planning_factories import make_rule

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")  # no token: the document is public
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_document_is_valid_openapi_3_1(document):
    errors = [error.message for error in OPENAPI_31_VALIDATOR.iter_errors(document)]
    assert errors == []
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "/api/v1"}]
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name  # JSON Schema 2020-12


def test_every_api_view_is_documented(app):
    """Fails for a view without @documented (finora/api/spec.py): add one to it."""
    with app.test_request_context():
        assert undocumented() == []


def test_every_route_and_method_is_in_the_document(app, document):
    with app.test_request_context():
        views = api_views()
    expected = set()
    for rule, _endpoint, _view in views:
        path = rule.rule.removeprefix("/api/v1")
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "{" + name + "}").replace(f"<{name}>", "{" + name + "}")
        expected |= {(path, method.lower()) for method in rule.methods & METHODS}
    found = {(path, method) for path, item in document["paths"].items() for method in item}
    assert found == expected
    assert "/openapi.json" not in document["paths"] and "/reference" not in document["paths"]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_paths_parameters_bodies_and_envelopes(document):
    paths = document["paths"]
    update = paths["/schedules/{rule_id}"]["put"]
    assert update["parameters"][0] == {"name": "rule_id", "in": "path", "required": True,
                                       "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
    assert update["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ScheduleUpdateBody"}
    listed = paths["/schedules"]["get"]
    assert [p["name"] for p in listed["parameters"]] == ["limit", "offset"]
    page = listed["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["required"] == ["data", "meta"]
    assert page["properties"]["data"]["items"] == {"$ref": "#/components/schemas/ScheduleOut"}
    created = paths["/schedules"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["properties"]["data"] == {
        "$ref": "#/components/schemas/ScheduleOut"}
    assert created["links"]["update_schedule"]["parameters"] == {"rule_id": "$response.body#/data/id"}
    deleted = paths["/schedules/{rule_id}"]["delete"]["responses"]["204"]
    assert "content" not in deleted
    days = paths["/projections"]["get"]["parameters"][0]
    assert days["name"] == "days" and days["in"] == "query" and days["required"] is False
    assert days["schema"]["enum"] == [30, 90, 180, 365]
    account = paths["/balance"]["get"]["parameters"][0]
    assert account["name"] == "account_id" and account["schema"]["type"] == "integer"
    money = document["components"]["schemas"]["ScheduleOut"]["properties"]["amount"]
    assert money["type"] == "string" and money["pattern"] == r"^-?\d{1,15}\.\d{2}$"
    assert document["components"]["schemas"]["ScheduleOut"]["additionalProperties"] is False


def test_errors_security_and_public_endpoints(document):
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]["code"]["enum"]) == set(CODES.values())
    assert error["required"] == ["error", "code", "status"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert schemes["cookieAuth"]["in"] == "cookie" and "X-CSRFToken" in schemes["cookieAuth"]["description"]
    login = document["paths"]["/auth/login"]["post"]
    assert login["security"] == [] and "401" in login["responses"] and "403" not in login["responses"]
    dashboard = document["paths"]["/dashboard"]["get"]
    assert dashboard["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert {"401", "403", "404", "422", "429", "500"} <= set(dashboard["responses"])
    assert "415" not in dashboard["responses"] and "409" not in dashboard["responses"]
    assert {"400", "409", "413", "415", "422"} <= set(document["paths"]["/schedules"]["post"]["responses"])


def test_a_real_error_answer_matches_the_error_schema(signed_api, document):
    validator = jsonschema_rs.validator_for(
        {**document["components"]["schemas"]["Error"], "$schema": "https://json-schema.org/draft/2020-12/schema"})
    missing = signed_api.put("/schedules/999999", json={})
    invalid = signed_api.post("/schedules", json={"name": "", "amount": "1.234"})
    assert missing.status_code == 404 and invalid.status_code == 422
    for answer in (missing.json, invalid.json):
        assert validator.is_valid(answer), answer


def test_the_reference_page_lists_every_operation(client, document):
    page = client.get("/api/v1/reference")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert f'id="op-{operation["operationId"]}"' in html
            assert f"/api/v1{path}" in html and method.upper() in html
    assert 'id="schema-ScheduleOut"' in html and 'id="tag-schedules"' in html
    assert 'src="http' not in html and 'href="http' not in html  # served locally, no CDN
    assert "Create a schedule" in html and "/api/v1/openapi.json" in html


def test_the_document_is_built_once_per_language_and_follows_the_reader(client):
    """Kept per app and language: each reader still gets the words of their own language."""
    english = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json
    portuguese = client.get("/api/v1/openapi.json", headers={"Accept-Language": "pt"}).json
    again = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json
    assert english == again and english != portuguese
    assert english["info"]["description"].startswith("Finora's JSON API")
    assert portuguese["info"]["description"] != english["info"]["description"]
    assert english["paths"].keys() == portuguese["paths"].keys()


# ---- real answers of the endpoints documented in auth/planning/forecast/demo_views ----


def _model(app, endpoint: str):
    doc = app.view_functions[f"api.{endpoint}"].api_doc
    return doc.response, doc.many


def _check(app, endpoint: str, response, status: int = 200) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    model, many = _model(app, endpoint)
    if many:
        assert response.json["data"], endpoint  # a real item, not an empty list
        for item in response.json["data"]:
            model.model_validate(item)
    else:
        model.model_validate(response.json["data"])


def test_planning_and_forecast_answers_match_their_models(app, signed_api, household):
    day = today(household)
    account = make_account(household, name="Main", opening_date=day - timedelta(days=60))
    set_balance(db.session, account, day - timedelta(days=1), Decimal("900.00"))
    rule = make_rule(household, name="Rent", anchor_date=day + timedelta(days=3), amount=Decimal("1200"))
    make_rule(household, name="Bonus", anchor_date=day + timedelta(days=8), kind="income",
              is_scenario=True)
    db.session.add(Skip(household_id=household.id, rule_id=rule.id, occurrence_date=day + timedelta(days=3)))
    db.session.commit()
    api = signed_api
    created = api.post("/schedules", json={"name": "Salary", "amount": 3000, "type": "INCOME",
                                           "frequency": "monthly", "start_date": (day + timedelta(days=5)).isoformat()})
    _check(app, "create_schedule", created, 201)
    _check(app, "update_schedule", api.put(f"/schedules/{created.json['data']['id']}", json={"end_date": None}))
    scenario = api.post("/scenarios", json={"name": "Car", "amount": "15000", "type": "expense",
                                            "frequency": "once", "first_date": (day + timedelta(days=20)).isoformat()})
    _check(app, "create_scenario", scenario, 201)
    _check(app, "update_scenario", api.put(f"/scenarios/{scenario.json['data']['id']}", json={"name": "Car 2"}))
    _check(app, "create_hold", api.post("/holds", json={"schedule_id": created.json["data"]["id"]}), 201)
    _check(app, "create_skip", api.post("/skips", json={"schedule_id": rule.id}), 201)
    _check(app, "set_balance_now", api.post("/balance", json={"amount": "-50.25"}), 201)
    for endpoint, path in [("list_schedules", "/schedules"), ("list_scenario_items", "/scenarios"),
                           ("list_holds", "/holds"), ("list_skip_items", "/skips"),
                           ("dashboard", "/dashboard"), ("transactions", "/transactions"),
                           ("projections", "/projections?days=90"), ("risk_score", "/risk-score"),
                           ("balance", "/balance"), ("balance_history", "/balance/history"),
                           ("settings", "/settings"), ("insights", "/insights")]:
        _check(app, endpoint, api.get(path))
    assert api.get("/projections").json["data"]["scenario"] is not None


def test_empty_household_answers_match_their_models(app, signed_api, household):
    """No account, no rule: the nulls the models allow, every field still there."""
    for endpoint, path in [("dashboard", "/dashboard"), ("projections", "/projections"),
                           ("risk_score", "/risk-score"), ("balance", "/balance")]:
        _check(app, endpoint, signed_api.get(path))


def test_auth_answers_match_their_models(app, api, user):
    _check(app, "login", api.post("/auth/login", json={"email": user.email, "password": PASSWORD}))
    api.token = api.post("/auth/login", json={"email": user.email, "password": PASSWORD}).json["data"]["token"]
    _check(app, "me", api.get("/auth/me"))
    refreshed = api.post("/auth/refresh")
    _check(app, "refresh", refreshed)
    api.token = refreshed.json["data"]["token"]
    _check(app, "password", api.put("/auth/password", json={"current_password": PASSWORD,
                                                            "new_password": "another long pass phrase 42"}))
    _check(app, "logout", api.post("/auth/logout"))
    secret = totp.begin_setup(db.session, user)
    totp.confirm_setup(db.session, user, pyotp.TOTP(secret).now())
    db.session.commit()
    api.token = None
    challenge = api.post("/auth/login", json={"email": user.email, "password": "another long pass phrase 42"})
    _check(app, "login", challenge)
    assert challenge.json["data"]["twofa_required"] is True


def test_the_demo_answer_matches_its_model(app_factory):
    demo_app = app_factory(DEMO_MODE_ENABLED=True)
    with demo_app.app_context():
        answer = demo_app.test_client().post("/api/v1/auth/demo")
        _check(demo_app, "demo", answer, 200)

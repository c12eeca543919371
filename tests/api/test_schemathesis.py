"""schemathesis against /api/v1/openapi.json: every operation, called by a signed-in owner of
a household with data (an account, a balance, schedules, a scenario, a hold, a skip and each
area's objects), answers without a 500, with a status the document lists, JSON, and a body
that matches the document. Bounded: few examples per operation, derandomized, so the whole
run stays near a minute on each database."""

from __future__ import annotations

import importlib
import os
import pkgutil
import time
from datetime import timedelta
from decimal import Decimal

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import tests.api
from finora.dates import today
from finora.extensions import db
from finora.models import Skip
from finora.services.ledger.snapshots import set_balance
from finora.services.people.api_tokens import issue_token
from finora.services.planning.rules import delete_rule, list_rules
from tests.ledger_factories import make_account
from tests.planning_factories import make_rule

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# A few examples each keeps the run near half a minute; FINORA_SCHEMATHESIS_EXAMPLES=50 digs deeper.
EXAMPLES = int(os.environ.get("FINORA_SCHEMATHESIS_EXAMPLES", "6"))
# Each area's objects (tests/api/objects_<area>.py, as the role matrix uses them).
AREAS = [importlib.import_module(f"tests.api.{info.name}")
         for info in pkgutil.iter_modules(tests.api.__path__) if info.name.startswith("objects_")]
# Operations that end the token they are called with: each call gets a token of its own.
TOKEN_ENDING = {"logout", "refresh", "password"}
SECONDS = 240  # a safety bound for the whole run (about 30 s alone on one database)


def _data(household) -> dict[str, int]:
    """The objects the paths name, one of each, in the owner's household."""
    day = today(household)
    account = make_account(household, name="Main", opening_date=day - timedelta(days=60))
    set_balance(db.session, account, day - timedelta(days=1), Decimal("2500.00"))
    schedule = make_rule(household, name="Rent", anchor_date=day + timedelta(days=3))
    scenario = make_rule(household, name="Bonus", anchor_date=day + timedelta(days=9),
                         is_scenario=True)
    held = make_rule(household, name="Gym", anchor_date=day + timedelta(days=5),
                     hold_until=day + timedelta(days=60))
    skipped = make_rule(household, name="Internet", anchor_date=day + timedelta(days=6))
    skip = Skip(household_id=household.id, rule_id=skipped.id,
                occurrence_date=day + timedelta(days=6))
    db.session.add(skip)
    db.session.commit()
    ids = {"rule_id": schedule.id, "hold_id": held.id, "skip_id": skip.id,
           "account_id": account.id, "scenario_rule_id": scenario.id}
    for area in AREAS:
        ids.update(area.objects(household))
    return ids


def _token(user, household) -> str:
    issued = issue_token(db.session, user, household, ttl=timedelta(days=1), name="schemathesis",
                         kind="personal")
    db.session.commit()
    return issued.raw


def _bodies(household) -> dict[str, dict]:
    """Bodies a client would send, by operationId: the words the document shows as text
    (`type`, `frequency`) are rarely drawn right at random."""
    day = today(household)
    schedule = {"name": "Salary", "amount": "3100.00", "type": "Income", "frequency": "Monthly",
                "start_date": (day + timedelta(days=10)).isoformat()}
    return {
        "create_schedule": schedule,
        "create_scenario": {**schedule, "name": "New job", "amount": "4000"},
        "update_schedule": {"amount": "1234.50", "frequency": "weekly"},
        "update_scenario": {"name": "Raise", "type": "income"},
        "create_hold": {"until": (day + timedelta(days=30)).isoformat()},
        "create_skip": {},
        "set_balance_now": {"amount": "-120.10"},
    }


def _order(operation) -> tuple[int, str]:
    """Reads first, then writes, then deletions (one object, then every one), sign-outs
    last: they remove what the others use."""
    method = operation.method.upper()
    rank = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}[method]
    if method == "DELETE" and not operation.path_parameters:
        rank = 3
    if operation.definition.raw.get("operationId") in TOKEN_ENDING:
        rank = 4
    return rank, operation.label


def _strategy(operation, ids: dict[str, int], bodies: dict[str, dict]):
    """Positive and negative cases; with a path id, some on the household's object; with a
    known body, some with it."""
    options = [operation.as_strategy(GenerationMode.POSITIVE),
               operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [p.name for p in operation.path_parameters]
    real = None
    if names and all(name in ids for name in names):
        real = {name: ids["scenario_rule_id"] if name == "rule_id" and "/scenarios/" in operation.path
                else ids[name] for name in names}
        options.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real))
    body = bodies.get(operation.definition.raw.get("operationId"))
    if body is not None:
        if operation.path == "/holds" or operation.path == "/skips":
            body = {**body, "schedule_id": ids["rule_id"]}
        options.append(operation.as_strategy(GenerationMode.POSITIVE, body=body, path_parameters=real))
    return st.one_of(options)


def _fuzz(operation, strategy, token_for, answered: dict[str, set[int]]) -> None:
    """A few cases of one operation, each answer checked against the document."""
    ending = operation.definition.raw.get("operationId") in TOKEN_ENDING

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        headers = {"Authorization": f"Bearer {token_for(ending)}", "Accept-Language": "en"}
        response = case.call(headers=headers)
        answered.setdefault(operation.label, set()).add(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


@pytest.fixture
def owner_data(app, user, household):
    return user, household, _data(household)


def test_every_operation_conforms_to_the_document(app, owner_data):
    user, household, ids = owner_data
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) >= 40
    shared = _token(user, household)
    bodies = _bodies(household)
    started = time.monotonic()
    answered: dict[str, set[int]] = {}

    for operation in operations:
        _fuzz(operation, _strategy(operation, ids, bodies),
              lambda ending: _token(user, household) if ending else shared, answered)
        assert time.monotonic() - started < SECONDS, f"too slow, stopped after {operation.label}"
    # Not only refusals: the household's data was read and written.
    for label, status in [("GET /dashboard", 200), ("GET /schedules", 200),
                          ("POST /schedules", 201), ("PUT /schedules/{rule_id}", 200),
                          ("POST /scenarios", 201), ("PUT /scenarios/{rule_id}", 200),
                          ("POST /holds", 201), ("POST /skips", 201), ("POST /balance", 201),
                          ("DELETE /skips/{skip_id}", 204), ("DELETE /holds/{hold_id}", 204),
                          ("DELETE /schedules/{rule_id}", 204), ("GET /balance/history", 200)]:
        assert status in answered[label], (label, answered[label])


def test_stateful_links_create_change_and_delete(app, owner_data):
    """The document's links drive sequences: POST /schedules -> its id -> PUT/DELETE
    /schedules/{rule_id} (and the other creations likewise), each answer checked."""
    user, household, _ids = owner_data
    document = app.test_client().get("/api/v1/openapi.json").json
    links = document["paths"]["/schedules"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"update_schedule", "delete_schedule"}
    # Dates a household would use (the document says only "a date"; Finora takes the years
    # 1900 to 2199): drawn from these, most creations succeed and their links are followed.
    near = {"type": "string", "pattern": "^202[7-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$"}
    body = document["components"]["schemas"]["ScheduleBody"]
    body["properties"]["first_date"] = near
    body["required"] = [*body.get("required", []), "first_date"]
    body.pop("anyOf", None)
    for name in ("ScheduleBody", "ScheduleUpdateBody"):
        fields = document["components"]["schemas"][name]["properties"]
        for field in ("start_date", "end_date"):
            fields[field] = {"anyOf": [near, {"type": "null"}]}
    schema = schemathesis.openapi.from_dict(document).include(path_regex="^/schedules")
    schema.app = app
    shared = _token(user, household)
    linked: list[tuple[str, int]] = []

    class Machine(schema.as_state_machine()):
        def setup(self):
            # Every sequence starts from the same household: one schedule, nothing else, so
            # hypothesis sees the same answers when it replays a sequence.
            for rule in list_rules(db.session, household):
                delete_rule(db.session, rule)
            make_rule(household, name="Rent", anchor_date=today(household) + timedelta(days=3))
            db.session.commit()

        def get_call_kwargs(self, case):
            token_ending = case.operation.definition.raw.get("operationId") in TOKEN_ENDING
            token = _token(user, household) if token_ending else shared
            return {"headers": {"Authorization": f"Bearer {token}", "Accept-Language": "en"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            if "{" in case.operation.path and case.operation.path.startswith("/schedules"):
                linked.append((case.operation.label, response.status_code))
            case.validate_response(response, checks=CHECKS)

    Machine.run(settings=settings(max_examples=25, stateful_step_count=5, derandomize=True,
                                  phases=[Phase.explicit, Phase.generate],
                                  deadline=None, database=None,
                                  suppress_health_check=list(HealthCheck)))
    assert {("PUT /schedules/{rule_id}", 200), ("DELETE /schedules/{rule_id}", 204)} <= set(linked)

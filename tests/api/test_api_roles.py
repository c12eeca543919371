"""The API's 404 and 403 matrices over every household endpoint, found from the URL map so a
new endpoint is covered the day it is added: without a token 401; a viewer's write and a
read-only token's write 403, before anything runs; another household's id 404 for every
method; nothing written by any refused request."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import tests.api
from finora import create_app
from finora.api.access import HOUSEHOLD, access_of
from finora.dates import today
from finora.extensions import db
from finora.models import AuditEvent, BalanceSnapshot, RecurringRule, Skip
from finora.services.people.api_tokens import issue_token
from tests.conftest import shared_app
from tests.factories import create_user
from tests.ledger_factories import household_of, make_account
from tests.members_factories import add_member
from tests.planning_factories import make_rule

WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Each area's objects: tests/api/objects_<area>.py holds `objects(household) -> {path
# argument name: id}` (one object per id a path names) and `COUNTED`, the models its
# writes add to or delete from.
AREAS = [importlib.import_module(f"tests.api.{info.name}")
         for info in pkgutil.iter_modules(tests.api.__path__) if info.name.startswith("objects_")]
COUNTED = (RecurringRule, Skip, BalanceSnapshot) + tuple(
    model for area in AREAS for model in area.COUNTED)


def _household_rules():
    app = create_app({"FINORA_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("api.") and access_of(r.endpoint) == HOUSEHOLD]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


RULES = _household_rules()
CALLS = [pytest.param(rule.rule, method, id=f"{method} {rule.rule}")
         for rule in RULES for method in sorted(rule.methods & (WRITES | {"GET"}))]
WRITE_CALLS = [p for p in CALLS if p.values[1] in WRITES]
ID_CALLS = [p for p in CALLS if "<" in p.values[0]]


def _objects(household) -> dict[str, int]:
    """One of each object an API path names, in `household`: a schedule, a scenario, a held
    schedule (a hold's id is its rule's) and a skip."""
    day = today(household)
    make_account(household, name="Main", opening_date=day - timedelta(days=30))
    schedule = make_rule(household, name="Rent", anchor_date=day + timedelta(days=3))
    scenario = make_rule(household, name="What if", anchor_date=day + timedelta(days=4),
                         is_scenario=True)
    held = make_rule(household, name="Gym", anchor_date=day + timedelta(days=5),
                     hold_until=day + timedelta(days=60))
    skip = Skip(household_id=household.id, rule_id=schedule.id,
                occurrence_date=day + timedelta(days=3))
    db.session.add(skip)
    db.session.commit()
    ids = {"rule_id": schedule.id, "hold_id": held.id, "skip_id": skip.id,
           "scenario_rule_id": scenario.id}
    for area in AREAS:
        ids.update(area.objects(household))
    return ids


def _url(rule: str, ids: dict[str, int]) -> str:
    def value(match):
        name = match.group(1)
        if name == "rule_id" and rule.startswith("/api/v1/scenarios/"):
            return str(ids["scenario_rule_id"])
        return str(ids[name])

    return re.sub(r"<(?:\w+:)?(\w+)>", value, rule)


def _counts() -> dict:
    db.session.expire_all()
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}
    counts["holds"] = db.session.scalar(
        select(func.count()).select_from(RecurringRule).where(RecurringRule.hold_until.is_not(None)))
    counts["events"] = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(~AuditEvent.action.like("auth.%")))
    return counts


def _bearer(user, household, scope="write") -> dict:
    issued = issue_token(db.session, user, household, ttl=timedelta(days=1), name="t", scope=scope)
    db.session.commit()
    return {"Authorization": f"Bearer {issued.raw}"}


# Every test here is refused and writes nothing (each checks it), so the module builds its
# world once (tests/conftest.py module_app).
app = pytest.fixture(shared_app)


@pytest.fixture(scope="module")
def world(module_app):
    user = create_user()
    mine = household_of(user)
    other = household_of(create_user(name="Other Owner", household_name="Other home"))
    viewer = add_member(mine, "viewer", name="Vera Viewer")
    return {
        "mine": _objects(mine),
        "theirs": _objects(other),
        "owner": _bearer(user, mine),
        "viewer": _bearer(viewer, mine),
        "read_only": _bearer(user, mine, scope="read"),
    }


def _send(client, method, url, headers):
    return client.open(url, method=method, headers=headers, json={})


def test_every_household_endpoint_is_in_the_matrix():
    assert RULES, "no household endpoint found"
    names = {name for rule in RULES for name in rule.arguments}
    app = create_app({"FINORA_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        household = household_of(create_user(name="Matrix", household_name="Matrix home"))
        known = set(_objects(household))
    assert names <= known, names - known


@pytest.mark.parametrize(("rule", "method"), CALLS)
def test_without_a_token_it_is_401(client, world, rule, method):
    response = _send(client, method, _url(rule, world["mine"]), {})
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


@pytest.mark.parametrize(("rule", "method"), WRITE_CALLS)
@pytest.mark.parametrize("who", ["viewer", "read_only"])
def test_a_viewers_or_read_only_tokens_write_is_403_and_writes_nothing(client, world, rule,
                                                                       method, who):
    before = _counts()
    response = _send(client, method, _url(rule, world["mine"]), world[who])
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.json["code"] == "forbidden"
    assert _counts() == before


@pytest.mark.parametrize(("rule", "method"), ID_CALLS)
def test_another_households_id_is_404_and_writes_nothing(client, world, rule, method):
    before = _counts()
    response = _send(client, method, _url(rule, world["theirs"]), world["owner"])
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.json["code"] == "not_found"
    assert _counts() == before


@pytest.mark.parametrize(("rule", "method"), [p for p in ID_CALLS if p.values[1] in WRITES])
def test_a_viewer_naming_another_households_id_gets_403_not_a_hint(client, world, rule, method):
    # Refused for the role before the id is looked at: the answer says nothing about it.
    response = _send(client, method, _url(rule, world["theirs"]), world["viewer"])
    assert response.status_code == 403


"""Who may use the import pages: a viewer is refused every one of them (GET included) and
does not see the navigation entry; another household's batch, profile or staged upload is a
404, as is another member's upload; a visitor who is not signed in goes to the sign-in page.
The routes are read from the URL map, so a new import route is covered at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import func, select

from finora import create_app
from finora.extensions import db
from finora.models import Entry, ImportBatch, ImportProfile
from finora.services.imports.staging import stage_upload
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import checking_account, household_of
from tests.members_factories import add_member

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
CSV = b"Date,Description,Amount\n2026-03-01,Bakery,-3.50\n"


def _import_rules():
    app = create_app({"FINORA_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("imports.")]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


RULES = _import_rules()
CASES = [
    pytest.param(rule.rule, method, id=f"{method} {rule.rule}")
    for rule in RULES
    for method in sorted(rule.methods & {"GET", "POST"})
]
WITH_OBJECTS = [
    p for p in CASES if re.search(r"<(?:\w+:)?(batch_id|profile_id|token)>", p.values[0])
]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _objects(household, user) -> dict:
    account = checking_account(household)
    batch = ImportBatch(
        household_id=household.id,
        account_id=account.id,
        file_name="a.csv",
        format="csv",
        created_by_id=user.id,
    )
    profile = ImportProfile(
        household_id=household.id,
        name=f"Profile {household.id}-{user.id}",
        header_key="0" * 64,
        settings='{"options": {}, "mapping": {}}',
    )
    db.session.add_all([batch, profile])
    db.session.commit()
    staged = stage_upload(household, user, "a.csv", CSV)
    return {
        "batch_id": batch.id,
        "profile_id": profile.id,
        "token": staged.token,
        "account_id": account.id,
    }


@pytest.fixture
def world(app, user):
    mine = household_of(user)
    other_owner = create_user(name="Other Owner", household_name="Other home")
    other = household_of(other_owner)
    editor = add_member(mine, "editor", name="Eddie Editor")
    return SimpleNamespace(
        owner=user,
        viewer=add_member(mine, "viewer", name="Vera Viewer"),
        editor=editor,
        mine=_objects(mine, user),
        editors=_objects(mine, editor),
        theirs=_objects(other, other_owner),
    )


def _sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def _url(rule: str, ids: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)


def _counts() -> tuple:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Entry, ImportBatch, ImportProfile)
    )


def test_every_import_route_is_covered():
    endpoints = {rule.endpoint for rule in RULES}
    assert {
        "imports.index",
        "imports.mapping",
        "imports.review",
        "imports.errors_csv",
        "imports.cancel",
        "imports.batch",
        "imports.undo",
        "imports.delete_profile_view",
    } <= endpoints
    assert len(WITH_OBJECTS) >= 8


@pytest.mark.parametrize(("rule", "method"), CASES)
def test_a_viewer_is_refused_every_import_route(client, world, rule, method):
    _sign_in(client, world.viewer)
    before = _counts()
    # The form names the household's own account: still 403, never a 404.
    data = {"account_id": str(world.mine["account_id"])}
    response = client.open(_url(rule, world.mine), method=method, data=data)
    assert response.status_code == 403, response.text[:300]
    assert _counts() == before


@pytest.mark.parametrize(
    ("rule", "method"), [p for p in WITH_OBJECTS if "token" not in p.values[0]]
)
def test_a_viewer_naming_another_households_batch_or_profile_gets_404(client, world, rule, method):
    _sign_in(client, world.viewer)
    response = client.open(_url(rule, world.theirs), method=method)
    assert response.status_code == 404


@pytest.mark.parametrize(("rule", "method"), WITH_OBJECTS)
def test_another_households_objects_are_404_for_the_owner(client, world, rule, method):
    _sign_in(client, world.owner)
    before = _counts()
    response = client.open(_url(rule, world.theirs), method=method)
    assert response.status_code == 404, response.text[:300]
    assert _counts() == before


@pytest.mark.parametrize(("rule", "method"), [p for p in WITH_OBJECTS if "token" in p.values[0]])
def test_another_members_upload_is_404(client, world, rule, method):
    _sign_in(client, world.owner)
    response = client.open(_url(rule, world.editors), method=method)
    assert response.status_code == 404


@pytest.mark.parametrize(("rule", "method"), CASES)
def test_a_visitor_is_sent_to_sign_in(client, world, rule, method):
    response = client.open(_url(rule, world.mine), method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_navigation_entry_is_for_editors_and_owners(client, world):
    _sign_in(client, world.viewer)
    assert 'href="/imports/"' not in client.get("/dashboard", follow_redirects=True).text
    client.post("/logout")
    _sign_in(client, world.editor)
    page = client.get("/dashboard", follow_redirects=True).text
    assert 'href="/imports/"' in page
    assert client.get("/imports/").status_code == 200
    assert client.get(f"/imports/batches/{world.mine['batch_id']}").status_code == 200

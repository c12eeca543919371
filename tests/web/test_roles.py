"""Roles: a viewer is refused every write route (403 on the household's own objects, 404 on
anyone else's) and sees no write buttons; an editor writes the ledger but not the owner's
pages. The routes are read from the app's URL map, so a new route is covered at once."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from finora import create_app
from finora.extensions import db
from finora.models import (
    Account,
    AiInsight,
    AiSettings,
    AuditEvent,
    Backup,
    BackupSchedule,
    BalanceSnapshot,
    Budget,
    Category,
    EmailImportConfig,
    Entry,
    Goal,
    GoalContribution,
    Household,
    ImportBatch,
    ImportProfile,
    Invitation,
    Membership,
    Payee,
    RecurringRule,
    Tag,
    Transfer,
    UndoRecord,
)
from tests.conftest import shared_app
from tests.members_factories import two_households_with_members

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)
# Blueprints about the person, not a household: no role applies to them.
PERSONAL = {"public", "assets", "auth", "profile", "admin", "invitations", "static", "updates", "api",
            "metrics", "pwa"}
OWNER_ONLY = {"household", "backups", "email_import", "ai"}
# Areas a viewer may not even look at (their GET pages are refused too).
HIDDEN_FROM_VIEWERS = {"imports"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _household_rules():
    app = create_app({"FINORA_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.partition(".")[0] not in PERSONAL]
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


RULES = _household_rules()
# Every write, and every GET page that exists only to write (its URL also takes a POST).
REFUSED = [
    pytest.param(rule.endpoint, method, id=f"{method} {rule.rule}")
    for rule in RULES
    for method in sorted(rule.methods & (WRITES | {"GET"}))
    if method in WRITES or rule.methods & WRITES
]


def _rule(endpoint: str):
    return next(r for r in RULES if r.endpoint == endpoint)


REFUSED_WITH_IDS = [
    p for p in REFUSED if any(arg.endswith("_id") for arg in _rule(p.values[0]).arguments)
]
READ_PAGES = [
    pytest.param(rule.endpoint, id=rule.rule)
    for rule in RULES
    if "GET" in rule.methods and not rule.methods & WRITES
    and rule.endpoint.partition(".")[0] not in OWNER_ONLY | HIDDEN_FROM_VIEWERS
]


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# Every test here only reads or is refused (the refusals check that nothing was written), so
# the module builds its world once (tests/conftest.py module_app); the editor's writes are
# in test_roles_editor.py.
app = pytest.fixture(shared_app)


@pytest.fixture(scope="module")
def world(module_app):
    with time_machine.travel(NOW, tick=False):
        return two_households_with_members()


def _sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302, response.text
    return client


def _url(endpoint: str, ids: dict) -> str:
    # A staged import's token: the role check refuses a viewer before any lookup.
    # A card statement's key: the role check refuses a viewer before any lookup.
    values = {"year": 2026, "month": 3, "token": "t" * 32, "key": "2026-03", **ids}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), _rule(endpoint).rule)


COUNTED = (Account, Entry, Transfer, Category, RecurringRule, Budget, Goal, GoalContribution,
           BalanceSnapshot, Membership, Invitation, Household, ImportBatch, ImportProfile, Backup,
           BackupSchedule, EmailImportConfig, AiSettings, AiInsight, UndoRecord, Payee, Tag)


def _counts() -> dict:
    db.session.expire_all()
    counts = {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED}
    counts["events"] = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action != "auth.signed_in")
    )
    return counts


def _send(client, endpoint: str, method: str, ids: dict, data: dict | None = None):
    return client.open(_url(endpoint, ids), method=method, data=data or {})


def test_every_household_route_is_covered():
    """The lists below are built from the URL map; this guards against an empty map."""
    assert len(REFUSED) >= 40
    assert {"entries.new", "rules.import_csv", "household.settings", "household.invite_member",
            "forecasting.skip", "goals.delete_contribution_view"} <= {p.values[0] for p in REFUSED}


@pytest.mark.parametrize(("endpoint", "method"), REFUSED)
def test_a_viewer_is_refused_every_write_route(client, world, endpoint, method):
    _sign_in(client, world.viewer)
    before = _counts()
    # The form carries the household's own ids too (the skip form names its rule).
    response = _send(client, endpoint, method, world.my_ids, data=dict(world.my_ids))
    assert response.status_code == 403, response.text[:300]
    assert _counts() == before


@pytest.mark.parametrize(("endpoint", "method"), REFUSED_WITH_IDS)
def test_a_viewer_gets_404_for_another_households_ids(client, world, endpoint, method):
    _sign_in(client, world.viewer)
    before = _counts()
    response = _send(client, endpoint, method, world.their_ids)
    assert response.status_code == 404
    assert _counts() == before


def test_a_viewer_naming_another_households_rule_in_a_form_gets_404(client, world):
    _sign_in(client, world.viewer)
    for path in ("/forecast/skip", "/forecast/restore"):
        response = client.post(path, data={"rule_id": world.their_ids["rule_id"], "date": "2026-04-10"})
        assert response.status_code == 404


_ACTION = re.compile(r'\s(?:href|action|formaction)="([^"#]*)"')


def _main(page: str) -> str:
    """The page's own content (the navigation bar is checked on its own)."""
    return page[page.index('<main id="main"'):page.index("</main>")]


def _write_links(app, page: str) -> list[str]:
    """Links and form targets on a page that lead to a write or a write-only form page."""
    adapter = app.url_map.bind("localhost")
    found = []
    for target in _ACTION.findall(_main(page)):
        path = target.split("?")[0].replace("&amp;", "&")
        if not path.startswith("/"):
            continue
        try:
            endpoint, _args = adapter.match(path, method="GET")
            rule_methods = next(r.methods for r in app.url_map.iter_rules(endpoint))
        except HTTPException:  # no GET route here: a form target (POST only)
            try:
                endpoint, _args = adapter.match(path, method="POST")
            except HTTPException:
                continue
            rule_methods = {"POST"}
        if endpoint.partition(".")[0] in PERSONAL:
            continue
        if rule_methods & WRITES or endpoint.partition(".")[0] in OWNER_ONLY:
            found.append(target)
    return found


@pytest.mark.parametrize("endpoint", READ_PAGES)
def test_a_viewer_reads_every_page_without_write_buttons(app, client, world, endpoint):
    _sign_in(client, world.viewer)
    response = client.get(_url(endpoint, world.my_ids))
    assert response.status_code in (200, 302), response.text[:300]
    if response.status_code == 200 and response.mimetype == "text/html":
        assert _write_links(app, response.text) == []


def test_the_navigation_offers_the_household_pages_to_owners_only(client, world):
    _sign_in(client, world.viewer)
    page = client.get("/dashboard", follow_redirects=True).text
    assert "Vera Viewer" in page
    assert 'href="/household"' not in page


def test_the_owner_sees_the_write_buttons(app, client, world):
    """The check above would pass on an empty page: the same pages do offer writes to owners."""
    _sign_in(client, world.mine.memberships[0].user)
    pages = ["/dashboard", "/accounts", "/goals", "/budgets", "/rules", "/categories"]
    for path in pages:
        assert _write_links(app, client.get(path, follow_redirects=True).text), path


def test_the_owner_keeps_everything(client, world):
    _sign_in(client, world.mine.memberships[0].user)
    assert client.get("/household").status_code == 200
    assert client.get("/household/members").status_code == 200
    assert client.get(f"/entries/{world.their_ids['entry_id']}/edit").status_code == 404


def test_a_viewers_dashboard_has_no_add_buttons(client, world):
    _sign_in(client, world.viewer)
    page = client.get("/dashboard/2026/3").text
    assert "Groceries" in page
    assert "/entries/new" not in page and "/paid" not in page

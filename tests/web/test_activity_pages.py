"""Activity trails: the household's (owners only) and each user's own, paged and scoped."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from finora.extensions import db
from finora.models import AuditEvent
from finora.services.system import audit
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry
from tests.members_factories import add_member


def _events(user, household, count: int, action: str = "entry.created", prefix: str = "Item") -> None:
    for n in range(count):
        audit.record(
            db.session, action, user=user, household_id=household.id, object_type="entry",
            object_id=n + 1, details={"description": f"{prefix} {n:03d}", "amount": "10.00"},
        )
    db.session.commit()


def _rows(page: str) -> int:
    return len(re.findall(r'class="activity-event"', page))


def test_owners_see_their_households_trail_fifty_per_page(signed_in, user):
    home = household_of(user)
    _events(user, home, 60)
    first = signed_in.get("/household/activity").get_data(as_text=True)
    assert _rows(first) == 50 and "Page 1 of 2" in first
    assert "Item 059" in first and "Item 000" not in first  # newest first
    second = signed_in.get("/household/activity?page=2").get_data(as_text=True)
    assert _rows(second) == 10 and "Item 000" in second


def test_real_changes_show_with_their_amount(signed_in, user):
    home = household_of(user)
    make_entry(home, description="Groceries at the market", amount="87.40")
    page = signed_in.get("/household/activity").get_data(as_text=True)
    assert "Entry created" in page and "Groceries at the market" in page and "87.40" in page


def test_another_households_events_are_never_shown(signed_in, user):
    stranger = create_user()
    _events(stranger, household_of(stranger), 3, prefix="Secret")
    _events(user, household_of(user), 1, prefix="Mine")
    page = signed_in.get("/household/activity").get_data(as_text=True)
    assert "Mine 000" in page and "Secret" not in page
    own = signed_in.get("/profile/activity").get_data(as_text=True)
    assert "Mine 000" in own and "Secret" not in own


def test_filter_by_type(signed_in, user):
    home = household_of(user)
    _events(user, home, 2, action="entry.created", prefix="Entry")
    _events(user, home, 2, action="budget.created", prefix="Budget")
    page = signed_in.get("/household/activity?type=budget").get_data(as_text=True)
    assert _rows(page) == 2 and "Budget 000" in page and "Entry 000" not in page
    # An unknown type shows everything rather than failing.
    assert _rows(signed_in.get("/household/activity?type=nope").get_data(as_text=True)) == 4


def test_the_next_page_keeps_the_chosen_type(signed_in, user):
    home = household_of(user)
    _events(user, home, 55, action="budget.created", prefix="Budget")
    _events(user, home, 3, action="entry.created", prefix="Entry")
    first = signed_in.get("/household/activity?type=budget").get_data(as_text=True)
    assert "Page 1 of 2" in first
    (link,) = re.findall(r'href="([^"]*page=2[^"]*)"', first)
    assert "type=budget" in link
    second = signed_in.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert _rows(second) == 5 and "Entry" not in second


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_editors_and_viewers_cannot_see_the_household_trail(client, auth, user, role):
    home = household_of(user)
    _events(user, home, 1, prefix="Owner only")
    member = add_member(home, role)
    auth.login(member.email)
    response = client.get("/household/activity")
    assert response.status_code == 403
    assert "Owner only" not in response.get_data(as_text=True)
    # Their own history is theirs to see.
    assert client.get("/profile/activity").status_code == 200


def test_visitors_are_sent_to_sign_in(client):
    for url in ("/household/activity", "/profile/activity"):
        assert "/login" in client.get(url).headers["Location"]


def test_own_history_lists_sign_ins_and_is_paged(client, auth, user):
    auth.login(user.email)
    page = client.get("/profile/activity").get_data(as_text=True)
    assert "Signed in" in page
    _events(user, household_of(user), 55)
    assert "Page 1 of 2" in client.get("/profile/activity").get_data(as_text=True)
    auth_only = client.get("/profile/activity?type=auth").get_data(as_text=True)
    assert _rows(auth_only) == 1


def test_own_history_includes_what_the_admin_did_to_the_account(client, auth, user):
    member = create_user(status="pending")
    auth.login(user.email)
    client.post(f"/admin/users/{member.id}/approve")
    auth.logout()
    auth.login(member.email)
    page = client.get("/profile/activity").get_data(as_text=True)
    assert "Sign-up approved" in page


def test_the_profile_hub_lists_the_activity_section(signed_in):
    page = signed_in.get("/profile").get_data(as_text=True)
    assert 'href="/profile/activity"' in page


def test_the_trail_cannot_be_deleted(signed_in, user):
    home = household_of(user)
    _events(user, home, 3)
    event_id = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id).limit(1))
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for method in ("post", "delete", "put"):
        for url in ("/household/activity", "/profile/activity"):
            assert getattr(signed_in, method)(url).status_code == 405, (method, url)
    for url in (f"/household/activity/{event_id}", f"/household/activity/{event_id}/delete",
                f"/profile/activity/{event_id}/delete"):
        assert signed_in.post(url).status_code == 404
    routes = [r.rule for r in signed_in.application.url_map.iter_rules() if "activity" in r.rule]
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in signed_in.application.url_map.iter_rules()
               if "activity" in r.rule), routes
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before

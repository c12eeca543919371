"""The Tags page: the list with entry counts, rename (a taken name refused), merge into
another tag, delete with Undo; a viewer sees no write buttons and is refused the writes."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import func, select

from finora.extensions import db
from finora.models import Entry, EntryTag, Tag
from finora.services.ledger.tags import set_entry_tags
from tests.factories import PASSWORD, create_user
from tests.ledger_factories import field_error, household_of, make_entry
from tests.members_factories import add_member

UNDO_FORM = re.compile(
    r'<form method="post" action="(/undo/\d+)"[^>]*>.*?name="form_token" value="([^"]*)"'
    r'.*?name="next" value="([^"]*)"', re.S,
)


def _tagged(household, *names):
    entry = make_entry(household)
    set_entry_tags(db.session, household, entry, list(names))
    db.session.commit()
    return entry


def _tag(name: str) -> Tag:
    db.session.expire_all()
    return db.session.scalar(select(Tag).where(Tag.name == name))


def _names(entry_id: int) -> list[str]:
    db.session.expire_all()
    return [t.name for t in db.session.get(Entry, entry_id).tags]


def test_the_list_shows_counts_and_the_categories_page_links_to_it(signed_in, household):
    _tagged(household, "trip", "kids")
    _tagged(household, "trip")
    assert 'href="/tags"' in signed_in.get("/categories").text
    page = signed_in.get("/tags").text
    trip = _tag("trip")
    row = re.search(rf'<tr data-tag-id="{trip.id}">(.*?)</tr>', page, re.S).group(1)
    assert f'href="/transactions?tag={trip.id}"' in row and '<td class="text-end">2</td>' in row
    assert f'href="/tags/{trip.id}"' in row


def test_rename_and_a_taken_name_is_refused(signed_in, household):
    entry = _tagged(household, "trip", "kids")
    trip = _tag("trip")
    response = signed_in.post(f"/tags/{trip.id}/rename", data={"name": " Kids "})
    assert response.status_code == 422
    assert "Another tag already has this name" in field_error(response.text, "name")
    assert 'value="Kids"' in response.text
    response = signed_in.post(f"/tags/{trip.id}/rename", data={"name": "Holiday  2026"})
    assert response.status_code == 302
    assert _names(entry.id) == ["Holiday 2026", "kids"]
    assert _tag("Holiday 2026").name_key == "holiday 2026"


def test_merge_moves_the_entries_once(signed_in, household):
    both = _tagged(household, "trip", "travel")
    only = _tagged(household, "trip")
    trip, travel = _tag("trip"), _tag("travel")
    response = signed_in.post(f"/tags/{trip.id}/merge", data={"target_id": str(travel.id)})
    assert response.status_code == 302
    assert "“trip” merged into “travel”: 2 entries changed." in unescape(signed_in.get("/tags").text)
    assert _names(both.id) == ["travel"] and _names(only.id) == ["travel"]
    assert _tag("trip") is None
    response = signed_in.post(f"/tags/{travel.id}/merge", data={"target_id": ""})
    assert response.status_code == 422


def test_delete_and_its_undo(signed_in, household):
    first = _tagged(household, "trip", "kids")
    second = _tagged(household, "trip")
    trip = _tag("trip")
    links = sorted(db.session.execute(select(EntryTag.id, EntryTag.entry_id, EntryTag.tag_id)).all())
    response = signed_in.post(f"/tags/{trip.id}/delete")
    page = signed_in.get(response.location).text
    assert "Tag “trip” deleted." in unescape(page)
    assert _names(first.id) == ["kids"] and _names(second.id) == []
    action, token, back = UNDO_FORM.search(page).groups()
    signed_in.post(action, data={"form_token": token, "next": unescape(back)})
    assert _tag("trip").id == trip.id
    assert sorted(db.session.execute(select(EntryTag.id, EntryTag.entry_id, EntryTag.tag_id)).all()) == links


def test_a_viewer_sees_the_list_and_is_refused_the_writes(client, app):
    owner = create_user()
    home = household_of(owner)
    _tagged(home, "trip")
    trip = _tag("trip")
    viewer = add_member(home, "viewer")
    assert client.post("/login", data={"email": viewer.email, "password": PASSWORD}).status_code == 302
    page = client.get("/tags").text
    assert "trip" in page and f'href="/tags/{trip.id}"' not in page
    assert client.post(f"/tags/{trip.id}/rename", data={"name": "x"}).status_code == 403
    assert client.post(f"/tags/{trip.id}/delete").status_code == 403
    assert _tag("trip") is not None


def test_another_households_tag_is_404(signed_in, household):
    theirs = household_of(create_user())
    _tagged(theirs, "secret")
    _tagged(household, "mine")
    secret, mine = _tag("secret"), _tag("mine")
    assert signed_in.get(f"/tags/{secret.id}").status_code == 404
    assert signed_in.post(f"/tags/{secret.id}/rename", data={"name": "x"}).status_code == 404
    assert signed_in.post(f"/tags/{secret.id}/delete").status_code == 404
    assert signed_in.post(f"/tags/{mine.id}/merge", data={"target_id": str(secret.id)}).status_code == 404
    assert "secret" not in signed_in.get("/tags").text
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 2 and _names_count() == 2


def _names_count() -> int:
    return db.session.scalar(select(func.count()).select_from(EntryTag))

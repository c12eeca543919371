"""Adding tags to, and removing a tag from, a selection of entries, and the undo of each:
existing tags are kept, the undo takes away exactly what was added (and the tags made for
it) or puts back exactly what was removed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from finora.errors import FieldError
from finora.extensions import db
from finora.models import Entry, EntryTag, Tag, UndoRecord
from finora.services.ledger.tags import MAX_TAGS_PER_ENTRY, set_entry_tags
from finora.services.undo.errors import UndoConflictError
from finora.services.undo.records import undo
from finora.services.undo.tag_actions import add_tags_with_undo, remove_tag_with_undo
from tests.factories import create_user
from tests.ledger_factories import household_of, make_entry

NOW = datetime(2026, 3, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def owner(app):
    return create_user()


@pytest.fixture
def home(owner):
    return household_of(owner)


def _names(entry_id: int) -> list[str]:
    db.session.expire_all()
    return [tag.name for tag in db.session.get(Entry, entry_id).tags]


def _undo(record_id: int, user) -> int:
    record = db.session.get(UndoRecord, record_id)
    try:
        restored = undo(db.session, record, user)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return restored


def _tagged(home, *names: str) -> Entry:
    entry = make_entry(home)
    set_entry_tags(db.session, home, entry, list(names))
    db.session.commit()
    return entry


def test_adding_tags_keeps_the_old_ones_and_undo_takes_only_the_new(home, owner):
    first = _tagged(home, "kids")
    second = _tagged(home, "Trip")
    record = add_tags_with_undo(db.session, home, owner, [first, second], ["trip", "beach"])
    db.session.commit()
    assert record.count == 2
    assert _names(first.id) == ["beach", "kids", "Trip"]
    assert _names(second.id) == ["beach", "Trip"]  # "trip" is the household's "Trip"
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 3
    assert _undo(record.id, owner) == 3
    assert _names(first.id) == ["kids"] and _names(second.id) == ["Trip"]
    # "beach" was made for the change and is used by nothing now: it goes too.
    assert sorted(db.session.scalars(select(Tag.name))) == ["Trip", "kids"]


def test_adding_tags_every_entry_has_changes_nothing(home, owner):
    entry = _tagged(home, "trip")
    assert add_tags_with_undo(db.session, home, owner, [entry], ["Trip"]) is None
    with pytest.raises(FieldError):
        add_tags_with_undo(db.session, home, owner, [entry], [])


def test_an_entry_would_pass_the_most_tags_refuses_the_change(home, owner):
    full = _tagged(home, *(f"t{n}" for n in range(MAX_TAGS_PER_ENTRY)))
    other = make_entry(home)
    with pytest.raises(FieldError):
        add_tags_with_undo(db.session, home, owner, [other, full], ["one more"])
    db.session.rollback()
    assert _names(other.id) == []


def test_a_tag_removed_since_blocks_the_undo_of_adding_it(home, owner):
    entry = make_entry(home)
    record = add_tags_with_undo(db.session, home, owner, [entry], ["trip"])
    db.session.commit()
    set_entry_tags(db.session, home, db.session.get(Entry, entry.id), [])
    db.session.commit()
    with pytest.raises(UndoConflictError):
        _undo(record.id, owner)


def test_removing_a_tag_and_its_undo(home, owner):
    first = _tagged(home, "trip", "kids")
    second = _tagged(home, "trip")
    untagged = make_entry(home)
    trip = db.session.scalar(select(Tag).where(Tag.name == "trip"))
    before = sorted(db.session.execute(select(EntryTag.id, EntryTag.entry_id, EntryTag.tag_id)).all())
    record = remove_tag_with_undo(db.session, home, owner, [first, second, untagged], trip)
    db.session.commit()
    assert record.count == 2
    assert _names(first.id) == ["kids"] and _names(second.id) == []
    assert _undo(record.id, owner) == 2
    assert sorted(db.session.execute(select(EntryTag.id, EntryTag.entry_id, EntryTag.tag_id)).all()) == before
    assert remove_tag_with_undo(db.session, home, owner, [untagged], trip) is None

"""Adding tags to, or removing one tag from, a selection of entries, with undo.

Adding keeps each entry's tags and links the new ones: the record keeps the ids of the
entry_tags rows it inserted (and of the tags it had to create), and undo deletes them —
only while every one of those rows is still there. Removing snapshots the entry_tags rows
it deletes, and undo inserts them again like any deleted row (restore_rows)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import Entry, EntryTag, Household, Tag, UndoRecord, User
from finora.services.ledger.tags import MAX_TAGS_PER_ENTRY, delete_tag, tags_named
from finora.services.system import audit
from finora.services.undo.records import create_record
from finora.services.undo.snapshot import capture, table_named
from finora.services.undo.tag_links import ADD_KIND, REMOVE_KIND
from finora.translation import lazy_gettext as _l


def add_tags_with_undo(
    session: Session, household: Household, user: User, entries: Sequence[Entry], names: list[str],
) -> UndoRecord | None:
    """Give every entry these tags (parsed with parse_tags), keeping the tags it has; an
    entry that would pass MAX_TAGS_PER_ENTRY refuses the whole change. None when every
    entry had them all already."""
    if not names:
        raise FieldError("bulk_tags", _l("Type the tags to add, separated by commas."))
    existing_ids = set(session.scalars(select(Tag.id).where(Tag.household_id == household.id)))
    tags = tags_named(session, household, names)
    session.flush()
    created = [tag.id for tag in tags if tag.id not in existing_ids]
    links: list[EntryTag] = []
    changed = 0
    for entry in entries:
        have = {tag.id for tag in entry.tags}
        missing = [tag for tag in tags if tag.id not in have]
        if not missing:
            continue
        if len(have) + len(missing) > MAX_TAGS_PER_ENTRY:
            raise FieldError(
                "bulk_tags",
                _l("“%(name)s” would have more than %(count)d tags.", name=entry.description, count=MAX_TAGS_PER_ENTRY),
            )
        links.extend(EntryTag(entry_id=entry.id, tag_id=tag.id) for tag in missing)
        changed += 1
        audit.record(session, "entry.updated", object=entry, details={"tags_added": [t.name for t in missing]})
    if not links:
        for tag_id in created:  # nothing to link: a tag made just now would be left empty
            session.execute(delete(Tag).where(Tag.id == tag_id))
        session.flush()
        return None
    session.add_all(links)
    session.flush()
    for entry in entries:
        session.expire(entry, ["tags"])
    payload = {"added": [link.id for link in links], "created_tags": created}
    label = ", ".join(tag.name for tag in tags)
    return create_record(session, household, user, kind=ADD_KIND, label=label, count=changed, payload=payload)


def remove_tag_with_undo(
    session: Session, household: Household, user: User, entries: Sequence[Entry], tag: Tag,
) -> UndoRecord | None:
    """Take `tag` (the household's) off every entry that has it; None when none had it."""
    ids = list(session.scalars(
        select(EntryTag.id).where(EntryTag.tag_id == tag.id, EntryTag.entry_id.in_([e.id for e in entries]))
    ))
    if not ids:
        return None
    payload = capture(session, table_named("entry_tags"), ids)
    count = len(ids)
    for entry in entries:
        if any(t.id == tag.id for t in entry.tags):
            audit.record(session, "entry.updated", object=entry, details={"tag_removed": tag.name})
    session.execute(delete(EntryTag).where(EntryTag.id.in_(ids)).execution_options(synchronize_session=False))
    session.flush()
    for entry in entries:
        session.expire(entry, ["tags"])
    return create_record(session, household, user, kind=REMOVE_KIND, label=tag.name, count=count, payload=payload)


def delete_tag_with_undo(session: Session, household: Household, user: User, tag: Tag) -> UndoRecord:
    """Delete the household's tag (its entries lose it) and keep it, with its links, for
    undo (an ordinary delete record: restore_rows puts both back)."""
    payload = capture(session, table_named("tags"), [tag.id])
    label = tag.name
    delete_tag(session, tag)
    return create_record(session, household, user, kind="delete", label=label, count=1, payload=payload)

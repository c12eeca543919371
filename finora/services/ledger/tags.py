"""Free tags on entries: typed as comma-separated text, one row per name per household."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from finora.errors import FieldError, FinoraError
from finora.models import Entry, EntryTag, Household, Tag
from finora.models.tag import TAG_NAME_MAX
from finora.services.system import audit
from finora.translation import lazy_gettext as _l

MAX_TAGS_PER_ENTRY = 20


def tag_key(name: str) -> str:
    """The name two spellings of one tag share ("Trip", "trip ")."""
    return " ".join(name.split()).casefold()


def parse_tags(text: str | Iterable[str] | None, field: str = "tags") -> list[str]:
    """The tag names in what the user typed ("trip, Kids ,trip" -> ["trip", "Kids"]): the
    first spelling of a name wins; a name too long or too many names is a FieldError."""
    if text is None:
        return []
    parts = text.split(",") if isinstance(text, str) else list(text)
    names: dict[str, str] = {}
    for part in parts:
        name = " ".join(str(part).split())
        if not name:
            continue
        if len(name) > TAG_NAME_MAX:
            raise FieldError(field, _l("A tag has at most %(count)d characters.", count=TAG_NAME_MAX))
        names.setdefault(tag_key(name), name)
    if len(names) > MAX_TAGS_PER_ENTRY:
        raise FieldError(field, _l("An entry has at most %(count)d tags.", count=MAX_TAGS_PER_ENTRY))
    return list(names.values())


def tidy_tag_names(names: Iterable[str]) -> tuple[str, ...]:
    """Tag names from a file, made to fit instead of refused: each cut to the longest name
    a tag may have, once per name, at most MAX_TAGS_PER_ENTRY."""
    kept: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())[:TAG_NAME_MAX].strip()
        if name:
            kept.setdefault(tag_key(name), name)
    return tuple(kept.values())[:MAX_TAGS_PER_ENTRY]


def tags_named(session: Session, household: Household, names: list[str]) -> list[Tag]:
    """The household's tags with these names, created when new (one query to read)."""
    if not names:
        return []
    keys = {tag_key(name): name for name in names}
    existing = {
        tag.name_key: tag
        for tag in session.scalars(
            select(Tag).where(Tag.household_id == household.id, Tag.name_key.in_(list(keys)))
        )
    }
    tags = []
    for key, name in keys.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag(household_id=household.id, name=name, name_key=key)
            session.add(tag)
            existing[key] = tag
        tags.append(tag)
    return tags


def tag_keys_by_entry(session: Session, entry_ids: list[int]) -> dict[int, set[str]]:
    """entry id -> the name keys of its tags, for a batch of entries (IN lists of 500)."""
    found: dict[int, set[str]] = {}
    for start in range(0, len(entry_ids), 500):
        rows = session.execute(
            select(EntryTag.entry_id, Tag.name_key)
            .join(Tag, Tag.id == EntryTag.tag_id)
            .where(EntryTag.entry_id.in_(entry_ids[start:start + 500]))
        )
        for entry_id, key in rows:
            found.setdefault(entry_id, set()).add(key)
    return found


def tags_to_add(names: Iterable[str], have: set[str]) -> list[str]:
    """The names an entry whose tags have the keys `have` lacks, as many as still fit in
    MAX_TAGS_PER_ENTRY (the first ones first): rules add tags, they never refuse."""
    room = max(MAX_TAGS_PER_ENTRY - len(have), 0)
    return [name for name in names if tag_key(name) not in have][:room]


def set_entry_tags(session: Session, household: Household, entry: Entry, names: list[str]) -> None:
    """Replace the entry's tags with these names (parse them with parse_tags first)."""
    entry.tags = tags_named(session, household, names)


def list_tags(session: Session, household: Household) -> list[Tag]:
    """The household's tags by name (the entry form's suggestions, the filter's choices)."""
    return list(
        session.scalars(select(Tag).where(Tag.household_id == household.id).order_by(Tag.name_key))
    )


def tag_names_by_entry(session: Session, entry_ids: list[int]) -> dict[int, list[str]]:
    """entry id -> its tag names in order, for a batch of entries (exports): one query."""
    found: dict[int, list[str]] = {}
    if not entry_ids:
        return found
    rows = session.execute(
        select(EntryTag.entry_id, Tag.name)
        .join(Tag, Tag.id == EntryTag.tag_id)
        .where(EntryTag.entry_id.in_(entry_ids))
        .order_by(EntryTag.entry_id, Tag.name_key)
    )
    for entry_id, name in rows:
        found.setdefault(entry_id, []).append(name)
    return found


def tag_counts(session: Session, household: Household) -> dict[int, int]:
    """tag id -> how many entries carry it."""
    rows = session.execute(
        select(EntryTag.tag_id, func.count())
        .join(Tag, Tag.id == EntryTag.tag_id)
        .where(Tag.household_id == household.id)
        .group_by(EntryTag.tag_id)
    )
    return {tag_id: count for tag_id, count in rows}


class TagNameTakenError(FinoraError):
    message = _l("Another tag already has this name: merge into it instead.")


def rename_tag(session: Session, tag: Tag, name: str) -> None:
    """Give the tag another name; a name another tag of the household has is refused."""
    text = " ".join((name or "").split())
    if not text:
        raise FieldError("name", _l("Enter a name."))
    if len(text) > TAG_NAME_MAX:
        raise FieldError("name", _l("A tag has at most %(count)d characters.", count=TAG_NAME_MAX))
    key = tag_key(text)
    taken = session.scalar(
        select(Tag.id).where(Tag.household_id == tag.household_id, Tag.name_key == key, Tag.id != tag.id)
    )
    if taken is not None:
        raise FieldError("name", TagNameTakenError.message)
    tag.name, tag.name_key = text, key
    session.flush()
    audit.record(session, "tag.renamed", object=tag)


def merge_tags(session: Session, source: Tag, target: Tag) -> int:
    """Give `target` to every entry `source` is on, then delete `source`; how many entries
    carried `source`. Both belong to one household (the caller loaded them so)."""
    if source.household_id != target.household_id:
        raise FinoraError(_l("Not found."))
    if source.id == target.id:
        raise FieldError("target_id", _l("Choose another tag to merge into."))
    links = list(session.execute(select(EntryTag.id, EntryTag.entry_id).where(EntryTag.tag_id == source.id)))
    both = set(session.scalars(
        select(EntryTag.entry_id).where(EntryTag.tag_id == target.id, EntryTag.entry_id.in_([e for _i, e in links]))
    )) if links else set()
    drop = [link_id for link_id, entry_id in links if entry_id in both]
    move = [link_id for link_id, entry_id in links if entry_id not in both]
    if drop:
        session.execute(delete(EntryTag).where(EntryTag.id.in_(drop)).execution_options(synchronize_session=False))
    if move:
        session.execute(
            update(EntryTag).where(EntryTag.id.in_(move)).values(tag_id=target.id)
            .execution_options(synchronize_session=False)
        )
    audit.record(session, "tag.merged", object=target, details={"from": source.name, "entries": len(links)})
    session.delete(source)
    session.flush()
    session.expire_all()
    return len(links)


def delete_tag(session: Session, tag: Tag) -> None:
    """Delete the tag; its entries lose it (the entry_tags rows cascade)."""
    count = session.scalar(select(func.count()).select_from(EntryTag).where(EntryTag.tag_id == tag.id)) or 0
    audit.record(session, "tag.deleted", object=tag, details={"entries": count})
    session.delete(tag)
    session.flush()
    session.expire_all()

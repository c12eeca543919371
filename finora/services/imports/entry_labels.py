"""An import's payees and tags: the names a file (or a learned pattern) gives its rows,
made into the household's payees and tags once per name, and the tags linked to the
entries the bulk insert added."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from finora.models import Entry, EntryTag, Household
from finora.services.ledger.payees import learn_pattern, payee_key, payee_named
from finora.services.ledger.tags import tag_key, tags_named


class EntryLabels:
    def __init__(self, session: Session, household: Household) -> None:
        self.session, self.household = session, household
        self._payees: dict[str, int] = {}

    def payee_id(self, name: str | None) -> int | None:
        """The id of the household's payee of this name (made when new), one lookup per name."""
        if not name:
            return None
        key = payee_key(name)
        if key not in self._payees:
            payee = payee_named(self.session, self.household, name)
            if payee is None:
                return None
            self._payees[key] = payee.id
        return self._payees[key]

    def learn(self, name: str, description: str) -> int | None:
        """The payee of this name (made when new), remembered for descriptions like this
        one: the user chose it for the row on the review."""
        payee = payee_named(self.session, self.household, name)
        if payee is None:
            return None
        self._payees[payee_key(name)] = payee.id
        learn_pattern(self.session, self.household, payee, description)
        return payee.id

    def link_tags(self, batch_id: int, tags_by_key: dict[tuple[int, str], tuple[str, ...]]) -> None:
        """Tag the batch's entries: (account id, import key) -> tag names. Two queries and
        one insert, whatever the number of rows."""
        if not tags_by_key:
            return
        names = sorted({name for names in tags_by_key.values() for name in names})
        tags = {tag.name_key: tag for tag in tags_named(self.session, self.household, names)}
        self.session.flush()
        ids = {
            (account_id, key): entry_id
            for entry_id, account_id, key in self.session.execute(
                select(Entry.id, Entry.account_id, Entry.import_key).where(Entry.import_batch_id == batch_id)
            )
        }
        links: list[dict[str, int]] = []
        for row_key, row_names in tags_by_key.items():
            entry_id = ids.get(row_key)
            if entry_id is None:
                continue
            chosen = {tags[tag_key(name)].id for name in row_names}
            links.extend({"entry_id": entry_id, "tag_id": tag_id} for tag_id in sorted(chosen))
        if links:
            self.session.execute(insert(EntryTag), links)

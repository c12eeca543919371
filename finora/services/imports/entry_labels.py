"""An import's payees and tags: what the user chose for a row on the review (page or API),
checked; the names a file (or a learned pattern) gives its rows, made into the household's
payees and tags once per name, and the tags linked to the entries the bulk insert added."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from finora.errors import FieldError
from finora.models import Entry, EntryTag, Household
from finora.services.ledger.payees import clean_payee_name, learn_pattern, payee_key, payee_named
from finora.services.ledger.tags import parse_tags, tag_key, tags_named
from finora.translation import gettext as _


def chosen_labels(line: int, payee: str | None, tags: str | Iterable[str] | None) -> tuple[str, list[str]]:
    """The payee and tags the user gave review row `line` (the page's fields, the API's
    decision), as the staged decisions keep them: the payee's spaces collapsed ("" for
    none), the tags once per name. A name too long or too many tags is a FieldError on
    "payee" or "tags" whose message names the row ("Row N: …")."""
    try:
        return clean_payee_name(payee, "payee"), parse_tags(tags, "tags")
    except FieldError as error:
        raise FieldError(error.field or "payee", _("Row %(number)d: %(problem)s", number=line,
                                                   problem=str(error.message))) from None


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

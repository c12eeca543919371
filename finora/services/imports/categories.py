"""Category names a file gives, resolved to the household's categories of the row's kind
(case, accents and spaces ignored; seeded categories answer to their name in pt, en and es),
and created at commit when the household has none by that name."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from finora.errors import FinoraError
from finora.models import Category, Household
from finora.models.category_defaults import default_label
from finora.models.user import LOCALES
from finora.services.ledger.catalogue import NAME_MAX_LENGTH, create_category
from finora.translation import ngettext

LINES_NAMED = 10  # rows named per category in CategoryGoneError's message


def name_key(name: str | None) -> str:
    folded = unicodedata.normalize("NFKD", (name or "").casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def clean_name(name: str | None) -> str | None:
    """A file's category name as it would be stored (None when blank)."""
    name = " ".join((name or "").split())[:NAME_MAX_LENGTH].strip()
    return name or None


@dataclass(frozen=True)
class Resolved:
    category_id: int | None
    subcategory_id: int | None
    # Names to create at commit: a new top category, and/or a new subcategory (under the
    # new one, or under category_id when that one exists, whose label is parent_label).
    new_parent: str | None = None
    new_child: str | None = None
    parent_label: str | None = None

    @property
    def is_new(self) -> bool:
        return self.new_parent is not None or self.new_child is not None

    @property
    def new_label(self) -> str | None:
        """"Pets", "Pets › Vet", or "Food › Organic" when only the subcategory is new."""
        if not self.is_new:
            return None
        return " › ".join(name for name in (self.new_parent or self.parent_label, self.new_child) if name)


class CategoryGoneError(FinoraError):
    """Categories the review chose (or the file named) were deleted or archived before the
    commit: nothing is imported; the message names each category and its rows."""

    status = 409

    def __init__(self, gone: list[tuple[str, list[int]]]) -> None:
        self.gone = gone  # (category's label, rows)
        named = []
        for name, lines in gone:
            rows = ", ".join(str(line) for line in sorted(lines)[:LINES_NAMED])
            rows += ", …" if len(lines) > LINES_NAMED else ""
            named.append(ngettext("“%(name)s” (row %(rows)s)", "“%(name)s” (rows %(rows)s)",
                                  len(lines), name=name, rows=rows))
        super().__init__(ngettext(
            "Nothing was imported: a category chosen for some rows was deleted or archived "
            "meanwhile: %(categories)s. Choose another category for those rows and import again.",
            "Nothing was imported: categories chosen for some rows were deleted or archived "
            "meanwhile: %(categories)s. Choose other categories for those rows and import again.",
            len(gone), categories="; ".join(named),
        ))


class CategoryIndex:
    """The household's categories, loaded once, looked up by name."""

    def __init__(self, session: Session, household: Household) -> None:
        self.categories = list(
            session.scalars(select(Category).where(Category.household_id == household.id))
        )
        self.by_id = {c.id: c for c in self.categories}
        self.usable = {c.id for c in self.categories if not c.archived}
        codes = [c.code for c in self.categories if c.code and not c.name]
        names: dict[int, set[str]] = {c.id: {name_key(c.name)} for c in self.categories if c.name}
        for locale in LOCALES:
            with force_locale(locale):
                labels = {code: name_key(default_label(code)) for code in codes}
            for c in self.categories:
                if c.code and not c.name:
                    names.setdefault(c.id, set()).add(labels[c.code])
        # (kind, parent_id, name key) -> category; a name shared by an archived and an open
        # category resolves to the open one.
        self._index: dict[tuple[str, int | None, str], Category] = {}
        self._resolved: dict[tuple, Resolved | None] = {}
        for c in sorted(self.categories, key=lambda c: (not c.archived, c.id)):
            for key in names.get(c.id, ()):
                self._index[(c.kind, c.parent_id, key)] = c

    def find(self, kind: str, parent_id: int | None, name: str) -> Category | None:
        return self._index.get((kind, parent_id, name_key(name)))

    def resolve(self, kind: str, category: str | None, subcategory: str | None) -> Resolved | None:
        """The file's names as categories of this kind; None when the file names none (or
        only an archived one, which new entries may not use). Each combination is worked
        out once per file: a statement repeats its few categories on every row."""
        asked = (kind, category, subcategory)
        if asked not in self._resolved:
            self._resolved[asked] = self._resolve(kind, category, subcategory)
        return self._resolved[asked]

    def _resolve(self, kind: str, category: str | None, subcategory: str | None) -> Resolved | None:
        top_name, sub_name = clean_name(category), clean_name(subcategory)
        if top_name is None:
            if sub_name is None:
                return None
            # A subcategory alone: used when exactly one category of the kind has it.
            found = [
                c for c in self.categories
                if c.kind == kind and c.parent_id in self.usable and not c.archived
                and self.find(kind, c.parent_id, sub_name) is c
            ]
            return Resolved(found[0].parent_id, found[0].id) if len(found) == 1 else None
        top = self.find(kind, None, top_name)
        if top is None:
            return Resolved(None, None, new_parent=top_name, new_child=sub_name)
        if top.archived:
            return None
        if sub_name is None:
            return Resolved(top.id, None)
        sub = self.find(kind, top.id, sub_name)
        if sub is None:
            return Resolved(top.id, None, new_child=sub_name, parent_label=top.label)
        if sub.archived:
            return Resolved(top.id, None)
        return Resolved(top.id, sub.id)


class CategoryMaker:
    """Creates the categories a commit needs, each once however many rows name it."""

    def __init__(self, session: Session, household: Household) -> None:
        self.session, self.household = session, household
        self._made: dict[tuple, Category] = {}
        self.created: list[Category] = []

    def _create(self, kind: str, parent: Category | None, name: str) -> Category:
        key = (kind, parent.id if parent else None, name_key(name))
        if key not in self._made:
            category = create_category(self.session, self.household, kind=kind, name=name, parent=parent)
            self._made[key] = category
            self.created.append(category)
        return self._made[key]

    def make(self, kind: str, resolved: Resolved, line: int) -> tuple[int, int | None]:
        """The (category, subcategory) ids of file row `line`, made where new."""
        if resolved.new_parent is not None:
            parent = self._create(kind, None, resolved.new_parent)
        else:
            # Read again (not the review's copy): another member may have deleted it since.
            found = (
                self.session.get(Category, resolved.category_id, populate_existing=True)
                if resolved.category_id else None
            )
            if found is None:
                raise CategoryGoneError([(resolved.parent_label or "", [line])])
            parent = found
        if resolved.new_child is not None:
            child = self._create(kind, parent, resolved.new_child)
            return parent.id, child.id
        return parent.id, resolved.subcategory_id

"""A page of a list already in memory (the review's rows), shaped like Flask-SQLAlchemy's
pagination so the `pager` macro draws it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListPage:
    items: list
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def page_of(items: list, page: int, size: int) -> ListPage:
    """Page `page` (1-based) of `items`; a page beyond the end is the last one."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return ListPage(items[(page - 1) * size : page * size], page, pages, len(items))

"""Case-insensitive text search in SQL: `lower(text) LIKE pattern`, cheap on SQLite.

SQLite's own lower() folds only A-Z, so Finora registers Python's str.lower as lower()
(finora/database.py), and a search calls it for every row it reads: on a 100,000-entry
household a search that finds nothing spent most of its time in those calls. SQLite's LIKE
already ignores the case of A-Z, and the only characters outside ASCII that str.lower()
turns into ASCII are U+0130 (İ, to "i̇") and U+212A (the Kelvin sign, to "k"). So for a
pattern that is all ASCII (and lower case, as `search_pattern` makes it), `lower(t) LIKE p`
holds exactly when `t LIKE p` holds, or `t` holds one of those two characters and
`lower(t) LIKE p`: SQLite answers that without calling Python for the rows that hold
neither. Other patterns, and the other databases (whose lower() is their own), keep
`lower(t) LIKE p`.
"""

from __future__ import annotations

from sqlalchemy import and_, func, literal_column, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# The characters outside ASCII whose str.lower() holds an ASCII character
# (tests/unit/test_text_search.py checks this against every code point).
ASCII_FROM_LOWER = ("\u0130", "\u212a")


class _FoldedLike(FunctionElement):
    """lower(text) LIKE pattern ESCAPE '\\'. No Boolean type on purpose: SQLAlchemy writes a
    Boolean function as `(...) = 1` on SQLite, and SQLite then evaluates every operand
    (lower() on every row) instead of stopping at the first that decides."""

    inherit_cache = True
    name = "folded_like"


class _FoldedAsciiLike(_FoldedLike):
    """The same, for an all-ASCII pattern (its own class: its own compiled SQL)."""

    inherit_cache = True


@compiles(_FoldedLike)
def _lower_like(element, compiler, **kw):
    text, pattern = list(element.clauses)
    condition = func.lower(text).like(pattern, escape="\\")
    return f"({compiler.process(condition, **kw)})"


@compiles(_FoldedAsciiLike, "sqlite")
def _sqlite_ascii_like(element, compiler, **kw):
    text, pattern = list(element.clauses)
    rare = or_(*(func.instr(text, literal_column(f"'{char}'")) > 0 for char in ASCII_FROM_LOWER))
    condition = or_(
        text.like(pattern, escape="\\"),
        and_(rare, func.lower(text).like(pattern, escape="\\")),
    )
    # In parentheses: the caller may AND it with other conditions.
    return f"({compiler.process(condition, **kw)})"


def folded_like(text, pattern: str):
    """`lower(text) LIKE pattern ESCAPE '\\'`; `pattern` in lower case (`search_pattern`)."""
    kind = _FoldedAsciiLike if pattern.isascii() else _FoldedLike
    return kind(text, pattern)

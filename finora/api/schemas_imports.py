"""The import endpoints' bodies and answers (docs/api.md, "Imports"): a file sent as
base64 with how to read it, the review of its rows, the decisions that commit it, and the
import batches."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from finora.api.schemas import Body
from finora.api.serialize import day, money, stamp
from finora.api.spec import Day, Money, Out, Stamp
from finora.models import ImportBatch
from finora.services.imports.tabular import ROLES
from finora.services.imports.text import ENCODINGS
from finora.translation import gettext as _

Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
# The reading options' words for a CSV's separator (the mapping page's codes) and the
# characters themselves.
DELIMITER_WORDS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|",
                   ",": ",", ";": ";", "\t": "\t", "|": "|"}


def _read_base64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError(_("Send the file's content as base64 text."))
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(_("This is not valid base64: send the file's bytes encoded as base64.")) from None


def _read_delimiter(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in DELIMITER_WORDS:
        return DELIMITER_WORDS[value.lower()]
    raise ValueError(_("Choose comma, semicolon, tab or pipe."))


def _read_columns(value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(_("Give each role its column number, such as {\"date\": 0}."))
    columns = {}
    for role, index in value.items():
        if role not in ROLES:
            raise ValueError(_("“%(role)s” is not a column role. Roles: %(roles)s.",
                               role=str(role)[:40], roles=", ".join(ROLES)))
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 10_000:
            raise ValueError(_("A column is a number from 0 (the first column)."))
        columns[role] = index
    return columns


Content = Annotated[bytes, BeforeValidator(_read_base64)]
Delimiter = Annotated[str | None, BeforeValidator(_read_delimiter)]
Columns = Annotated[dict[str, int] | None, BeforeValidator(_read_columns)]


class ImportBody(Body):
    """POST /imports: the file and, for a spreadsheet, how to read it (what is not given
    is detected, as the mapping page suggests it)."""

    filename: str = Field(min_length=1, max_length=1000)
    content_base64: Content
    account_id: Id | None = None
    encoding: Literal[ENCODINGS] | None = None  # type: ignore[valid-type]
    delimiter: Delimiter = None
    header_row: int | None = Field(default=None, ge=-1, le=9)
    sheet: str | None = Field(default=None, max_length=200)
    columns: Columns = None
    date_order: Literal["dmy", "mdy", "ymd", "serial"] | None = None
    number_style: Literal["comma_decimal", "dot_decimal"] | None = None
    commit: bool = False


class DecisionBody(Body):
    """One row's decision: leave a new row out, decline a match (the row becomes a new
    entry), put it in another category, give it another payee (null or "" for none) or
    other tags; left out, `payee` and `tags` stay what the review proposes. They are
    checked as the review page checks its fields (a payee of at most 100 characters, at
    most 20 tags of at most 50: else a 422 on the field naming the row)."""
    # Not with Field limits: the page's limits count after spaces are collapsed and
    # repeated tags merged, and its messages name the row (imports/entry_labels.py).

    line: int = Field(ge=1, le=2**31 - 1)
    skip: bool = False
    match: bool = True
    category_id: Id | None = None
    payee: str | None = None
    tags: list[str] = Field(default_factory=list)


class CommitBody(Body):
    """POST /imports/staged/<token>/commit."""

    account_id: Id | None = None  # another account than the upload's: reviewed again
    decisions: list[DecisionBody] = Field(default_factory=list, max_length=100_000)


# ---- answers ------------------------------------------------------------------------------


class BatchOut(Out):
    id: int
    filename: str
    format: str
    account_id: int | None
    account_name: str | None
    created_at: Stamp
    created_by_id: int | None
    created_by_name: str | None
    rows_in_file: int
    added: int
    matched: int
    duplicates: int
    skipped: int
    errors: int
    undone: bool
    undone_at: Stamp | None


class SplitLineOut(Out):
    """One line of a split row (a QIF split transaction), as the commit writes it."""

    category_id: int | None
    subcategory_id: int | None
    new_category: str | None  # the category the commit creates for the line, named by the file
    amount: Money  # positive, in the row's direction
    note: str | None


class InstallmentOut(Out):
    number: int  # k of "PARCELA k/N"
    count: int  # N


class ReviewRowOut(Out):
    line: int
    status: str  # "new" | "duplicate" | "match" | "error"
    reason: str | None  # an error row's, in the caller's language
    date: Day | None
    amount: Money | None  # positive; `kind` says which way
    kind: str | None
    description: str | None
    account_id: int | None
    category_id: int | None
    subcategory_id: int | None
    category_source: str | None  # "file" | "rule" | "history" | "default" | "new"
    rule: str | None  # the categorisation rule that set the category ("rule" source)
    new_category: str | None  # the category the commit creates, named by the file
    match_entry_id: int | None  # the pending entry a "match" row pays
    payee: str | None  # the file's payee, else a rule's, else the one a learned description pattern gives
    tags: list[str]  # the file's tags and the rules'
    lines: list[SplitLineOut]  # a split row's lines ([] when the row is not split)
    installment: InstallmentOut | None  # a card statement's installment row


class CountsOut(Out):
    new: int
    duplicate: int
    match: int
    error: int


class ImportReviewOut(Out):
    token: str | None  # the staged upload's (null once committed)
    filename: str
    format: str
    account_id: int
    expires_at: Stamp | None
    counts: CountsOut
    rows: list[ReviewRowOut]
    batch: BatchOut | None  # set when the upload was committed (`"commit": true`)


# ---- answers written -------------------------------------------------------------------


def batch_json(batch: ImportBatch, account_name: str | None, person_name: str | None) -> dict:
    return {
        "id": batch.id, "filename": batch.file_name, "format": batch.format,
        "account_id": batch.account_id, "account_name": account_name,
        "created_at": stamp(batch.created_at), "created_by_id": batch.created_by_id,
        "created_by_name": person_name, "rows_in_file": batch.rows_in_file or 0,
        "added": batch.added or 0, "matched": batch.matched or 0,
        "duplicates": batch.duplicates or 0, "skipped": batch.skipped or 0,
        "errors": batch.errors or 0, "undone": batch.undone_at is not None,
        "undone_at": stamp(batch.undone_at),
    }


def _row_json(item) -> dict:
    row = item.row
    return {
        "line": row.line, "status": item.status, "reason": None, "date": day(row.date),
        "amount": money(row.magnitude), "kind": item.kind, "description": row.description,
        "account_id": item.account.id if item.account else None,
        "category_id": item.category_id, "subcategory_id": item.subcategory_id,
        "category_source": item.category_source, "rule": item.rule_name, "new_category": item.new_category,
        "match_entry_id": item.match.id if item.match is not None else None,
        "payee": item.payee_name, "tags": list(row.tags),
        "lines": [_line_json(line) for line in item.split_lines],
        "installment": ({"number": item.installment[1], "count": item.installment[2]}
                        if item.installment is not None else None),
    }


def _line_json(line) -> dict:
    return {
        "category_id": line.category_id, "subcategory_id": line.subcategory_id,
        "new_category": line.resolved.new_label if line.resolved is not None else None,
        "amount": money(line.amount), "note": line.note,
    }


def _error_json(error) -> dict:
    return {
        "line": error.line, "status": "error", "reason": str(error.reason), "date": None,
        "amount": None, "kind": None, "description": None, "account_id": None,
        "category_id": None, "subcategory_id": None, "category_source": None, "rule": None,
        "new_category": None, "match_entry_id": None, "payee": None, "tags": [],
        "lines": [], "installment": None,
    }


def review_json(staged, account, review, batch: dict | None = None, *, hours: int) -> dict:
    rows = [_row_json(item) for item in review.rows] + [_error_json(e) for e in review.errors]
    return {
        "token": None if batch else staged.token,
        "filename": staged.file_name,
        "format": staged.format,
        "account_id": account.id,
        "expires_at": None if batch else stamp(staged.created_at + timedelta(hours=hours)),
        "counts": dict(review.counts),
        "rows": sorted(rows, key=lambda row: row["line"]),
        "batch": batch,
    }

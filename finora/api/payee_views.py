"""Payees and tags (docs/api.md): list them with how many entries use each, rename a payee
or a tag, merge one into another of its kind, delete a tag. The views call the services the payees page calls; entries
name their payee and tags by name (see entry_views.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from finora.api import bp
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.schemas import Body
from finora.api.spec import Out, documented
from finora.errors import FieldError
from finora.extensions import db
from finora.models import Household, Payee, Tag
from finora.models.tag import PAYEE_NAME_MAX, TAG_NAME_MAX
from finora.services.ledger.payees import (
    list_payees,
    merge_payees,
    payee_entry_counts,
    rename_payee,
)
from finora.services.ledger.tags import delete_tag, list_tags, merge_tags, rename_tag, tag_counts
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Payees and tags"
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class NamedOut(Out):
    id: int
    name: str
    entries: int  # how many of the household's entries use it


class PayeeUpdateBody(Body):
    """PUT /payees/<id>: a new name (another payee's name, in any case, is refused)."""

    name: str = Field(min_length=1, max_length=PAYEE_NAME_MAX)


class PayeeMergeBody(Body):
    """POST /payees/<id>/merge: the payee that keeps the entries and learned descriptions."""

    into_id: Id


class TagUpdateBody(Body):
    """PUT /tags/<id>: a new name (another tag's name, in any case, is refused)."""

    name: str = Field(min_length=1, max_length=TAG_NAME_MAX)


class TagMergeBody(Body):
    """POST /tags/<id>/merge: the tag its entries get instead."""

    into_id: Id


def _household() -> Household:
    return caller().membership.household


def _named(row, counts: dict[int, int]) -> dict:
    return {"id": row.id, "name": row.name, "entries": counts.get(row.id, 0)}


@bp.get("/payees")
@documented(_l("The household's payees"), tag=TAG, response=NamedOut, many=True)
def list_payee_items():
    household = _household()
    page = page_params()
    rows, counts = list_payees(db.session, household), payee_entry_counts(db.session, household)
    return many([_named(row, counts) for row in page.cut(rows)], total=len(rows),
                limit=page.limit, offset=page.offset)


@bp.put("/payees/<int:payee_id>")
@documented(_l("Rename a payee"), tag=TAG, body=PayeeUpdateBody, response=NamedOut)
def rename_payee_item(payee_id: int):
    payee = get_owned_or_404(Payee, payee_id)
    body = read_json(PayeeUpdateBody)
    try:
        rename_payee(db.session, payee, body.name)
    except FieldError as error:
        raise ApiValidationError({"name": error.message}, error.message) from None
    db.session.commit()
    counts = payee_entry_counts(db.session, _household())
    return one(_named(payee, counts))


@bp.post("/payees/<int:payee_id>/merge")
@documented(_l("Merge a payee into another"), tag=TAG, body=PayeeMergeBody, response=NamedOut,
            description=_l("Its entries and learned descriptions move to `into_id`, which is "
                           "returned; the merged payee is removed."))
def merge_payee_item(payee_id: int):
    payee = get_owned_or_404(Payee, payee_id)
    body = read_json(PayeeMergeBody)
    target = owned_ref(Payee, body.into_id, "into_id")
    try:
        merge_payees(db.session, payee, target)
    except FieldError as error:
        raise ApiValidationError({"into_id": error.message}, error.message) from None
    db.session.commit()
    counts = payee_entry_counts(db.session, _household())
    return one(_named(target, counts))


@bp.get("/tags")
@documented(_l("The household's tags"), tag=TAG, response=NamedOut, many=True)
def list_tag_items():
    household = _household()
    page = page_params()
    rows, counts = list_tags(db.session, household), tag_counts(db.session, household)
    return many([_named(row, counts) for row in page.cut(rows)], total=len(rows),
                limit=page.limit, offset=page.offset)


@bp.put("/tags/<int:tag_id>")
@documented(_l("Rename a tag"), tag=TAG, body=TagUpdateBody, response=NamedOut)
def rename_tag_item(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    body = read_json(TagUpdateBody)
    try:
        rename_tag(db.session, tag, body.name)
    except FieldError as error:
        raise ApiValidationError({"name": error.message}, error.message) from None
    db.session.commit()
    return one(_named(tag, tag_counts(db.session, _household())))


@bp.post("/tags/<int:tag_id>/merge")
@documented(_l("Merge a tag into another"), tag=TAG, body=TagMergeBody, response=NamedOut,
            description=_l("Its entries get `into_id` (returned) instead; the merged tag is removed."))
def merge_tag_item(tag_id: int):
    tag = get_owned_or_404(Tag, tag_id)
    body = read_json(TagMergeBody)
    target = owned_ref(Tag, body.into_id, "into_id")
    try:
        merge_tags(db.session, tag, target)
    except FieldError as error:
        raise ApiValidationError({"into_id": error.message}, error.message) from None
    db.session.commit()
    return one(_named(target, tag_counts(db.session, _household())))


@bp.delete("/tags/<int:tag_id>")
@documented(_l("Delete a tag"), tag=TAG, description=_l("Its entries lose the tag; nothing else changes."))
def delete_tag_item(tag_id: int):
    delete_tag(db.session, get_owned_or_404(Tag, tag_id))
    db.session.commit()
    return no_content()

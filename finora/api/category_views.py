"""Categories (docs/api.md, "Categories, budgets and goals"): the household's catalogue as a
flat list in tree order (each with its parent_id), add, rename, archive or restore, and
delete one nothing uses. The views call the catalogue service the categories page calls."""

from __future__ import annotations

from finora.api import bp
from finora.api import plans_json as out
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json, read_query
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.refs import owned_ref
from finora.api.schemas_plans import CategoryBody, CategoryQuery, CategoryUpdateBody
from finora.api.spec import documented
from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.models import Category, Household
from finora.models.category import KINDS
from finora.services.ledger.catalogue import (
    ArchivedParentError,
    category_tree,
    create_category,
    delete_category,
    rename_category,
    set_category_archived,
)
from finora.tenancy import get_owned_or_404
from finora.translation import lazy_gettext as _l

TAG = "Categories"
TOP_LEVEL_ONLY = _l("Choose a top-level category: subcategories have no subcategories.")
OTHER_KIND = _l("Choose a category of the same kind.")


def _household() -> Household:
    return caller().membership.household


def _saved(call):
    """Run a service call; a refusal that names a field (a duplicate name) is a 422 on it."""
    try:
        return call()
    except FieldError:
        raise
    except ArchivedParentError as error:
        raise ApiValidationError({"parent_id": error.message}, error.message) from None
    except FinoraError as error:
        if error.field:
            raise ApiValidationError({error.field: error.message}, error.message) from None
        raise


def _in_tree_order(household: Household, kinds, include_archived: bool) -> list[Category]:
    rows: list[Category] = []
    for kind in kinds:
        for node in category_tree(db.session, household, kind, include_archived=include_archived):
            rows.append(node.category)
            rows.extend(node.children)
    return rows


@bp.get("/categories")
@documented(_l("The household's categories"), tag=TAG, query=CategoryQuery,
            response=out.CategoryOut, many=True,
            description=_l("A flat list in tree order: income first, then expenses, each "
                           "top-level category followed by its subcategories (by name)."))
def list_categories():
    query = read_query(CategoryQuery)
    page = page_params()
    kinds = (query.kind,) if query.kind else KINDS
    rows = _in_tree_order(_household(), kinds, query.include_archived)
    return many([out.category(row) for row in page.cut(rows)],
                total=len(rows), limit=page.limit, offset=page.offset)


@bp.get("/categories/<int:category_id>")
@documented(_l("One category"), tag=TAG, response=out.CategoryOut)
def get_category(category_id: int):
    return one(out.category(get_owned_or_404(Category, category_id)))


@bp.post("/categories")
@documented(_l("Add a category or a subcategory"), tag=TAG, body=CategoryBody,
            response=out.CategoryOut, status=201)
def create_category_item():
    household = _household()
    body = read_json(CategoryBody)
    parent = owned_ref(Category, body.parent_id, "parent_id")
    kind = body.kind or body.type or (parent.kind if parent is not None else None)
    if kind is None:
        raise ApiValidationError({"kind": _l("This field is required.")})
    if parent is not None and parent.parent_id is not None:
        raise ApiValidationError({"parent_id": TOP_LEVEL_ONLY})
    if parent is not None and parent.kind != kind:
        raise ApiValidationError({"parent_id": OTHER_KIND})
    category = _saved(lambda: create_category(db.session, household, kind=kind, name=body.name,
                                              parent=parent))
    db.session.commit()
    return one(out.category(category), 201)


@bp.put("/categories/<int:category_id>")
@documented(_l("Rename, archive or restore a category"), tag=TAG, body=CategoryUpdateBody,
            response=out.CategoryOut,
            description=_l("Archiving a category archives its subcategories; restoring a "
                           "subcategory restores its category. Entries keep their categories."))
def update_category(category_id: int):
    category = get_owned_or_404(Category, category_id)
    body = read_json(CategoryUpdateBody)
    if body.name is not None:
        _saved(lambda: rename_category(db.session, category, body.name))
    if body.archived is not None and body.archived != category.archived:
        _saved(lambda: set_category_archived(db.session, category, body.archived))
    db.session.commit()
    return one(out.category(category))


@bp.delete("/categories/<int:category_id>")
@documented(_l("Delete a category nothing uses"), tag=TAG,
            description=_l("Refused with 409 (conflict) while an entry, a recurring rule, a "
                           "budget or a subcategory uses it: archive it instead."))
def delete_category_item(category_id: int):
    category = get_owned_or_404(Category, category_id)
    delete_category(db.session, category)
    db.session.commit()
    return no_content()

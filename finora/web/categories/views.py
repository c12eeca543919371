"""Category catalogue views: list by kind, add, rename, archive and restore."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Category
from finora.models.category import KINDS
from finora.services.ledger.catalogue import (
    category_tree,
    create_category,
    rename_category,
    set_category_archived,
)
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.categories import bp
from finora.web.categories.forms import CategoryForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm


def _kind(default: str = "expense") -> str:
    kind = request.args.get("kind") or default
    if kind not in KINDS:
        abort(404)
    return kind


def _parent_arg() -> Category | None:
    """The `parent` query argument: a top-level category of this household, else 404."""
    value = request.args.get("parent")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):  # "²".isdigit() is True, int("²") fails
        abort(404)
    parent = get_owned_or_404(Category, int(value))
    if parent.parent_id is not None:
        abort(404)
    return parent


@bp.get("")
def index():
    kind = _kind()
    tree = category_tree(db.session, require_household(), kind, include_archived=True)
    return render_template("categories/index.html", kind=kind, tree=tree, form=EmptyForm())


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    parent = _parent_arg()
    kind = _kind(parent.kind if parent else "expense")
    if parent is not None and parent.kind != kind:
        abort(404)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = create_category(
                db.session, household, kind=kind, name=form.name.data, parent=parent
            )
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("“%(name)s” was added.", name=category.label), "success")
            return redirect(url_for("categories.index", kind=kind))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "categories/form.html", form=form, kind=kind, parent=parent, category=None
    ), status


@bp.route("/<int:category_id>/edit", methods=["GET", "POST"])
def edit(category_id: int):
    category = get_owned_or_404(Category, category_id)
    old_label = category.label
    form = CategoryForm()
    if not form.is_submitted():
        form.name.data = old_label
    if form.validate_on_submit():
        try:
            rename_category(db.session, category, form.name.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("“%(old)s” is now “%(new)s”.", old=old_label, new=category.label), "success")
            return redirect(url_for("categories.index", kind=category.kind))
    parent = db.session.get(Category, category.parent_id) if category.parent_id else None
    status = 422 if form.is_submitted() else 200
    return render_template(
        "categories/form.html",
        form=form,
        kind=category.kind,
        parent=parent,
        category=category,
        old_label=old_label,
    ), status


def _set_archived(category_id: int, archived: bool):
    category = get_owned_or_404(Category, category_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        set_category_archived(db.session, category, archived)
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        if archived:
            message = _(
                "“%(name)s” was archived. Entries that use it keep it.", name=category.label
            )
        else:
            message = _("“%(name)s” was restored.", name=category.label)
        flash(message, "success")
    return redirect(url_for("categories.index", kind=category.kind))


@bp.post("/<int:category_id>/archive")
def archive(category_id: int):
    return _set_archived(category_id, True)


@bp.post("/<int:category_id>/restore")
def restore(category_id: int):
    return _set_archived(category_id, False)

"""An entry's split page: divide it into category lines, edit them, or unsplit it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from finora.amounts import ZERO
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Category, Entry
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.splits import (
    MAX_LINES,
    SplitLine,
    SplitLineError,
    split_entry,
    unsplit_entry,
)
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.entries import bp
from finora.web.entries.split_form import SplitForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.navigation import safe_path


def _back(entry: Entry) -> str:
    target = request.form.get("next") or request.args.get("next")
    fallback = url_for("dashboard.month", year=entry.date.year, month=entry.date.month)
    return safe_path(target) or fallback


def _prefill(form: SplitForm, entry: Entry) -> None:
    """The entry's lines, or (not yet split) its category with the whole amount and an
    empty row to fill in."""
    form.amount.data = entry.amount
    rows = [(s.subcategory_id or s.category_id, s.amount, s.note) for s in entry.splits]
    if not rows:
        rows = [(entry.subcategory_id or entry.category_id, entry.amount, None), (None, None, None)]
    while form.lines.entries:
        form.lines.pop_entry()
    for category_id, amount, note in rows:
        form.lines.append_entry({"category_id": category_id, "amount": amount, "note": note})


def _kept_categories(entry: Entry) -> list[Category]:
    """Archived categories the entry or its lines already use: still offered."""
    used = [entry.category, entry.subcategory] + [c for s in entry.splits for c in (s.category, s.subcategory)]
    seen, kept = set(), []
    for category in used:
        if category is not None and category.archived and category.id not in seen:
            seen.add(category.id)
            kept.append(category)
    return kept


def _lines(form: SplitForm) -> tuple[list[SplitLine], list[int]]:
    """The filled rows as SplitLines (a subcategory choice gives its parent too) and the
    index of each row, so an error on a line lands on its row."""
    lines, rows = [], []
    for index, row in enumerate(form.lines):
        if row.is_blank():
            continue
        chosen = db.session.get(Category, row.category_id.data) if row.category_id.data else None
        if chosen is not None and chosen.parent_id is not None:
            top, sub = chosen.parent_id, chosen.id
        else:
            top, sub = row.category_id.data, None
        lines.append(SplitLine(top, row.amount.data, sub, row.note.data))
        rows.append(index)
    return lines, rows


def _show_line_error(form: SplitForm, rows: list[int], error: FinoraError) -> None:
    if isinstance(error, SplitLineError):
        db.session.rollback()
        row = form.lines[rows[error.index]]
        field = {"amount": row.amount, "note": row.note}.get(error.line_field, row.category_id)
        field.errors = [*field.errors, str(error.message)]
    elif error.field == "lines":  # about the lines together: above the form
        db.session.rollback()
        form.form_errors.append(str(error.message))
    else:
        show_error(form, error)


def _typed_total(form: SplitForm):
    """What the rows typed so far add up to (shown beside the entry's amount)."""
    return sum((row.amount.data for row in form.lines if row.amount.data is not None), ZERO)


@bp.route("/<int:entry_id>/split", methods=["GET", "POST"])
def split(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    household = require_household()
    form = SplitForm()
    if not form.is_submitted():
        _prefill(form, entry)
    elif form.add_line.data and len(form.lines) < MAX_LINES:
        form.lines.append_entry()
    form.set_category_choices(category_tree(db.session, household, entry.kind), _kept_categories(entry))
    if form.is_submitted() and not form.add_line.data and form.validate():
        lines, rows = _lines(form)
        try:
            split_entry(db.session, entry, lines, amount=form.amount.data)
        except FinoraError as error:
            _show_line_error(form, rows, error)
        else:
            db.session.commit()
            flash(_("Entry “%(name)s” split into %(count)s lines.", name=entry.description, count=len(lines)),
                  "success")
            return redirect(_back(entry))
    status = 422 if form.is_submitted() and not form.add_line.data else 200
    return render_template(
        "entries/split.html", form=form, entry=entry, typed_total=_typed_total(form),
        next_url=request.values.get("next", ""), unsplit_form=EmptyForm(),
    ), status


@bp.post("/<int:entry_id>/unsplit")
def unsplit(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    unsplit_entry(db.session, entry)
    db.session.commit()
    flash(_("Entry “%(name)s” is no longer split: it is all “%(category)s”.",
            name=entry.description, category=entry.category.label), "success")
    return redirect(url_for("entries.edit", entry_id=entry.id, next=request.form.get("next") or None))

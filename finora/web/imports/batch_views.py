"""A committed import: its summary and entries, and undo after a confirmation page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account, Entry, ImportBatch, ImportMatch, User
from finora.services.imports.batches import undo_batch
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.converters import parse_int
from finora.web.forms import EmptyForm
from finora.web.imports import bp

BATCH_ENTRIES_PAGE = 50


def _batch_counts(batch: ImportBatch) -> tuple[int, int]:
    entries = db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.import_batch_id == batch.id)
    )
    matches = db.session.scalar(
        select(func.count()).select_from(ImportMatch).where(ImportMatch.batch_id == batch.id)
    )
    return entries or 0, matches or 0


@bp.get("/batches/<int:batch_id>")
def batch(batch_id: int):
    household = require_household()
    found = get_owned_or_404(ImportBatch, batch_id)
    page = db.paginate(
        select(Entry)
        .where(Entry.household_id == household.id, Entry.import_batch_id == found.id)
        .order_by(Entry.date, Entry.id),
        page=max(parse_int(request.args.get("page")) or 1, 1),
        per_page=BATCH_ENTRIES_PAGE,
        error_out=False,
    )
    account = db.session.get(Account, found.account_id) if found.account_id else None
    person = db.session.get(User, found.created_by_id) if found.created_by_id else None
    return render_template(
        "imports/batch.html", batch=found, page=page, account=account, person=person
    )


@bp.route("/batches/<int:batch_id>/undo", methods=["GET", "POST"])
def undo(batch_id: int):
    found = get_owned_or_404(ImportBatch, batch_id)
    if found.undone_at is not None:
        flash(_("This import was already undone."), "info")
        return redirect(url_for("imports.index"))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            removed = undo_batch(db.session, found, current_user._get_current_object())
        except FinoraError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
            return redirect(url_for("imports.batch", batch_id=batch_id))
        db.session.commit()
        flash(
            ngettext(
                "Import undone: %(num)d entry removed.",
                "Import undone: %(num)d entries removed.",
                removed,
            ),
            "success",
        )
        return redirect(url_for("imports.index"))
    entries, matches = _batch_counts(found)
    return render_template(
        "imports/undo.html", batch=found, form=form, entries=entries, matches=matches
    )

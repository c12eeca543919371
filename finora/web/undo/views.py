"""POST /undo/<id>: put back what a deletion or a bulk edit changed, then go back."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from finora.errors import FinoraError, NotFoundError
from finora.extensions import db
from finora.services.undo.records import get_record, undo
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.form_token import first_submission
from finora.web.navigation import safe_path
from finora.web.undo import bp
from finora.web.undo_offer import UndoForm, undo_form


@bp.before_request
@login_required
def _signed_in():
    return None


bp.add_app_template_global(undo_form, "undo_form")


def _done_message(kind: str, label: str, count: int) -> str:
    if kind == "categorise":
        return ngettext(
            "Undone: %(num)d entry has its previous category again.",
            "Undone: %(num)d entries have their previous categories again.", count,
        )
    if kind == "mark_paid":
        return ngettext(
            "Undone: %(num)d entry is unpaid again.", "Undone: %(num)d entries are unpaid again.", count,
        )
    if kind == "tag_add":
        return ngettext(
            "Undone: %(num)d entry has its previous tags again.", "Undone: %(num)d entries have their previous tags again.", count,
        )
    if kind == "rule_apply":
        return ngettext(
            "Undone: %(num)d entry is as it was before the rules.",
            "Undone: %(num)d entries are as they were before the rules.", count,
        )
    if kind == "tag_remove":
        return ngettext(
            "Undone: “%(name)s” is back on %(num)d entry.", "Undone: “%(name)s” is back on %(num)d entries.", count,
            name=label,
        )
    if count == 1:
        return _("Undone: “%(name)s” is back.", name=label)
    return ngettext("Undone: %(num)d item is back.", "Undone: %(num)d items are back.", count)


@bp.post("/undo/<int:undo_id>")
def restore(undo_id: int):
    household = require_household()
    try:
        record = get_record(db.session, household, current_user._get_current_object(), undo_id)
    except NotFoundError:
        abort(404)
    form = UndoForm()
    back = safe_path(form.next.data or request.form.get("next")) or url_for("transactions.index")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        for message in form.form_errors:
            flash(message, "danger")
        return redirect(back)
    if not first_submission(form):
        return redirect(back)
    try:
        undo(db.session, record, current_user._get_current_object())
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(back)
    db.session.commit()
    flash(_done_message(record.kind, record.label, record.count), "success")
    return redirect(back)

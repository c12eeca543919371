"""POST /transactions/bulk: categorise, apply the categorisation rules, mark paid, add or
remove tags or delete the ticked rows, with Undo."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from finora.dates import today
from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.ids import parse_id
from finora.models import Entry, Household, Tag, Transfer, UndoRecord
from finora.services.ledger.tags import parse_tags
from finora.services.undo.actions import categorise_with_undo, delete_with_undo, mark_paid_with_undo
from finora.services.undo.rule_apply import apply_rules_with_undo
from finora.services.undo.tag_actions import add_tags_with_undo, remove_tag_with_undo
from finora.tenancy import get_all_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.form_token import first_submission
from finora.web.navigation import safe_path
from finora.web.transactions import bp
from finora.web.transactions.forms import BulkForm
from finora.web.undo_offer import flash_undo

ACTIONS = ("categorise", "apply_rules", "mark_paid", "tag_add", "tag_remove", "delete")
# A page shows 50 rows; a hand-made request naming more is refused.
MAX_SELECTED = 200


def _parse(values: list[str]) -> tuple[list[int], list[int]]:
    """Entry and transfer ids of "e12" / "t5" values; anything else is a 400."""
    entries: set[int] = set()
    transfers: set[int] = set()
    for value in values:
        number = parse_id(value[1:]) if value[:1] in ("e", "t") and value[1:].isdigit() else None
        if number is None:
            abort(400)
        (entries if value[0] == "e" else transfers).add(number)
    return sorted(entries), sorted(transfers)


def _back_with(back: str, selected: list[str], category: int | None, tags: str | None = None) -> str:
    """The page again with the rows still ticked and what was typed (after a refused action)."""
    extra = [("selected", value) for value in selected]
    if category is not None:
        extra.append(("bulk_category", str(category)))
    if tags:
        extra.append(("bulk_tags", tags))
    return back + ("&" if "?" in back else "?") + urlencode(extra)


def _tag(household: Household, tag_id: int | None) -> Tag:
    """The household's tag chosen to remove: none chosen is a message, another's a 404."""
    if tag_id is None:
        raise FieldError("bulk_remove_tag", _l("Choose the tag to remove."))
    tag = db.session.get(Tag, tag_id)
    if tag is None or tag.household_id != household.id:
        abort(404)
    return tag


@bp.post("/transactions/bulk")
def bulk():
    household = require_household()
    selected = request.form.getlist("selected")
    if len(selected) > MAX_SELECTED:
        abort(400)
    entry_ids, transfer_ids = _parse(selected)
    entries = get_all_owned_or_404(Entry, entry_ids)
    transfers = get_all_owned_or_404(Transfer, transfer_ids)
    form = BulkForm()
    back = safe_path(form.next.data) or url_for("transactions.index")
    if not form.validate_on_submit() or form.action.data not in ACTIONS:
        if "csrf_token" in form.errors or form.action.data not in ACTIONS:
            abort(400)
        for message in [*form.form_errors, *form.bulk_category.errors, *form.bulk_tags.errors]:
            flash(message, "danger")
        return redirect(_back_with(back, selected, None, form.bulk_tags.data))
    if not entries and not transfers:
        flash(_("Tick the transactions to change first."), "warning")
        return redirect(back)
    if form.action.data != "delete" and not entries:
        flash(_("Transfers have no category, tags or paid day: tick income or expenses."), "warning")
        return redirect(_back_with(back, selected, form.bulk_category.data, form.bulk_tags.data))
    if not first_submission(form):
        return redirect(back)
    user = current_user._get_current_object()
    record: UndoRecord | None
    try:
        if form.action.data == "delete":
            label = entries[0].description if entries else (transfers[0].description or _("Transfer"))
            record = delete_with_undo(db.session, household, user, label=label, entries=entries, transfers=transfers)
            message = ngettext("%(num)d transaction deleted.", "%(num)d transactions deleted.", record.count)
        elif form.action.data == "categorise":
            record = categorise_with_undo(db.session, household, user, entries, form.bulk_category.data)
            message = ngettext(
                "Category set on %(num)d entry.", "Category set on %(num)d entries.", record.count if record else 0,
            )
        elif form.action.data == "apply_rules":
            record = apply_rules_with_undo(db.session, household, user, entries)
            message = ngettext(
                "Rules applied: %(num)d entry changed.", "Rules applied: %(num)d entries changed.",
                record.count if record else 0,
            )
        elif form.action.data == "tag_add":
            names = parse_tags(form.bulk_tags.data, field="bulk_tags")
            record = add_tags_with_undo(db.session, household, user, entries, names)
            message = ngettext(
                "Tags added to %(num)d entry.", "Tags added to %(num)d entries.", record.count if record else 0,
            )
        elif form.action.data == "tag_remove":
            record = remove_tag_with_undo(db.session, household, user, entries, _tag(household, form.bulk_remove_tag.data))
            message = ngettext(
                "Tag removed from %(num)d entry.", "Tag removed from %(num)d entries.", record.count if record else 0,
            )
        else:
            record = mark_paid_with_undo(db.session, household, user, entries, today(household))
            message = ngettext(
                "%(num)d entry marked as paid.", "%(num)d entries marked as paid.", record.count if record else 0,
            )
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return redirect(_back_with(back, selected, form.bulk_category.data, form.bulk_tags.data))
    db.session.commit()
    if record is None:
        if form.action.data == "apply_rules":
            flash(_("Nothing to change: the rules match none of the ticked entries, or they already have what the rules set."), "info")
        else:
            flash(_("Nothing to change: the ticked entries already were that way."), "info")
        return redirect(back)
    if transfers and form.action.data != "delete":
        message += " " + ngettext(
            "%(num)d transfer left as it was.", "%(num)d transfers left as they were.", len(transfers),
        )
    flash_undo(message, record)
    return redirect(back)

"""Entries: add, edit, duplicate, delete, mark paid or unpaid — then back where the user was."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from finora.dates import today
from finora.errors import FieldError, FinoraError
from finora.extensions import db
from finora.models import Entry
from finora.services.ledger.accounts import list_accounts, primary_account
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.entries import (
    EntryData,
    create_entry,
    entry_data,
    set_entry_paid,
    update_entry,
)
from finora.services.ledger.installments import create_installments, installment_group
from finora.services.ledger.payees import list_payees
from finora.services.ledger.splits import copy_split
from finora.services.ledger.tags import list_tags
from finora.services.planning.rules import create_rule_from_entry
from finora.services.undo.actions import delete_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.entries import bp
from finora.web.entries.forms import EntryForm
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.navigation import safe_path
from finora.web.posted import flash_posted
from finora.web.undo_offer import flash_undo


@bp.before_request
@login_required
def _signed_in():
    return None


def _back(entry_date: date | None = None) -> str:
    """The page the user came from (kept in `next`), else the entry's month."""
    target = request.form.get("next") or request.args.get("next")
    if entry_date is not None:
        fallback = url_for("dashboard.month", year=entry_date.year, month=entry_date.month)
    else:
        fallback = url_for("dashboard.index")
    return safe_path(target) or fallback


def _prepare(form: EntryForm, entry: Entry | None) -> None:
    household = require_household()
    accounts = [a for a in list_accounts(db.session, household) if not a.archived]
    if entry is not None and entry.account.archived:
        accounts.append(entry.account)
    expense = category_tree(db.session, household, "expense")
    income = category_tree(db.session, household, "income")
    form.set_choices(accounts, expense, income)
    if entry is not None and entry.splits:  # the amount changes with the lines, on the split page
        form.amount.render_kw = {**(form.amount.render_kw or {}), "readonly": True}
    if entry is not None:  # an archived category stays selectable on the entry that has it
        for category in (entry.category, entry.subcategory):
            if category is not None and category.archived:
                target = form.category_id if category.parent_id is None else form.subcategory_id
                target.choices.append(SelectChoice(str(category.id), category.label))


def _data(form: EntryForm, household) -> EntryData:
    paid_on = None
    if form.paid.data:
        paid_on = form.paid_on.data or today(household)
    return EntryData(
        kind=form.kind.data,
        amount=form.amount.data,
        date=form.date.data,
        description=form.description.data or "",
        account_id=form.account_id.data,
        category_id=form.category_id.data,
        subcategory_id=form.subcategory_id.data,
        paid_on=paid_on,
        notes=form.notes.data,
        payment_method=form.payment_method.data,
        payee=form.payee.data or "",
        tags=tuple((form.tags.data or "").split(",")),
    )


def _default_account_id(household) -> int | None:
    """The household's primary account (the first checking account, else the first)."""
    chosen = primary_account(db.session, household)
    return chosen.id if chosen else None


def _default_date(household) -> date:
    """Today when adding in the current month, else the 1st of the month being viewed."""
    day = today(household)
    year = request.args.get("year", type=int)
    month = request.args.get("month", type=int)
    if year and month and 1 <= month <= 12 and (year, month) != (day.year, day.month):
        try:
            return date(year, month, 1)
        except (ValueError, OverflowError):  # a huge year overflows date() instead
            return day
    return day


def _render(form: EntryForm, entry: Entry | None, mode: str):
    status = 422 if form.is_submitted() else 200
    form.use_words_of_kind()
    household = require_household()
    return render_template(
        "entries/form.html", form=form, entry=entry, mode=mode,
        payees=list_payees(db.session, household), tags=list_tags(db.session, household),
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    form = EntryForm()
    _prepare(form, None)
    if not form.is_submitted():
        form.kind.data = request.args.get("kind") if request.args.get("kind") in ("income", "expense") else "expense"
        form.date.data = _default_date(household)
        form.next.data = request.args.get("next", "")
        form.account_id.data = _default_account_id(household)
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(_back(form.date.data))
        try:
            rule = posted = None
            if form.installments.data is not None:
                entry = _installments(form, household)[0]
            else:
                entry = create_entry(db.session, household, _data(form, household), user=current_user, apply_rules=True)
            if form.repeat.data:  # the entry is the rule's first occurrence, in one transaction
                rule, posted = create_rule_from_entry(db.session, entry, form.repeat.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            if entry.installment_count:
                flash(_("Purchase “%(name)s” added in %(count)d installments.",
                        name=entry.description, count=entry.installment_count), "success")
            else:
                flash(_("Entry “%(name)s” added.", name=entry.description), "success")
            if rule is not None:
                flash(
                    Markup('{} <a href="{}">{}</a>').format(
                        _("It repeats: rule “%(name)s” created.", name=rule.name),
                        url_for("rules.index"),
                        _("See recurring rules"),
                    ),
                    "success",
                )
                flash_posted(posted)
            return redirect(_back(entry.date))
    return _render(form, None, "new")


def _installments(form: EntryForm, household) -> list[Entry]:
    if form.repeat.data:
        raise FieldError("installments", _l("An installment purchase cannot also repeat."))
    return create_installments(
        db.session, household, _data(form, household), form.installments.data, user=current_user
    )


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    form = EntryForm(obj=entry)
    _prepare(form, entry)
    if not form.is_submitted():
        form.paid.data = entry.paid_on is not None
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(_back(entry.date))
        try:
            update_entry(db.session, entry, _data(form, require_household()))
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Entry “%(name)s” saved.", name=entry.description), "success")
            return redirect(_back(entry.date))
    return _render(form, entry, "edit")


@bp.route("/<int:entry_id>/duplicate", methods=["GET", "POST"])
def duplicate(entry_id: int):
    """A new entry prefilled from an existing one (unpaid until said otherwise)."""
    source = get_owned_or_404(Entry, entry_id)
    household = require_household()
    form = EntryForm(obj=entry_data(source)) if request.method == "GET" else EntryForm()
    _prepare(form, None)
    if source.splits:  # the copy keeps the lines, so their total
        form.amount.render_kw = {**(form.amount.render_kw or {}), "readonly": True}
    if not form.is_submitted():
        form.paid.data = False
        form.paid_on.data = None
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(_back(form.date.data))
        try:
            entry = create_entry(db.session, household, _data(form, household), user=current_user, apply_rules=True)
            copy_split(db.session, source, entry)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Entry “%(name)s” added.", name=entry.description), "success")
            return redirect(_back(entry.date))
    return _render(form, source, "duplicate")


@bp.post("/<int:entry_id>/delete")
def delete(entry_id: int):
    entry = get_owned_or_404(Entry, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    day, name = entry.date, entry.description
    # "Delete all installments" (docs/cards.md) sends group=1; otherwise this one only.
    entries = installment_group(db.session, entry) if request.form.get("group") == "1" else [entry]
    record = delete_with_undo(
        db.session, require_household(), current_user._get_current_object(), label=name, entries=entries
    )
    db.session.commit()
    flash_undo(_("Entry “%(name)s” deleted.", name=name), record)
    return redirect(_back(day))


@bp.post("/<int:entry_id>/paid")
def mark_paid(entry_id: int):
    return _set_paid(entry_id, paid=True)


@bp.post("/<int:entry_id>/unpaid")
def mark_unpaid(entry_id: int):
    return _set_paid(entry_id, paid=False)


def _set_paid(entry_id: int, *, paid: bool):
    entry = get_owned_or_404(Entry, entry_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_entry_paid(db.session, entry, today(require_household()) if paid else None)
    db.session.commit()
    if paid:
        flash(_("Entry “%(name)s” marked as paid.", name=entry.description), "success")
    else:
        flash(_("Entry “%(name)s” marked as not paid.", name=entry.description), "info")
    return redirect(_back(entry.date))


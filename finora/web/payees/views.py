"""Payee views: the list, one payee's page (rename, merge into another)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Payee
from finora.services.ledger.payees import (
    list_payees,
    merge_payees,
    payee_entry_counts,
    rename_payee,
)
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.form_errors import show_error
from finora.web.payees import bp
from finora.web.payees.forms import PayeeMergeForm, PayeeNameForm


@bp.get("")
def index():
    household = require_household()
    return render_template(
        "payees/index.html",
        payees=list_payees(db.session, household),
        counts=payee_entry_counts(db.session, household),
    )


def _merge_form(payee: Payee) -> PayeeMergeForm:
    form = PayeeMergeForm()
    others = [p for p in list_payees(db.session, require_household()) if p.id != payee.id]
    form.target_id.choices = [SelectChoice("", _("Choose…"))] + [SelectChoice(str(p.id), p.name) for p in others]
    return form


def _page(payee: Payee, name_form: PayeeNameForm, merge_form: PayeeMergeForm, status: int = 200):
    count = payee_entry_counts(db.session, require_household()).get(payee.id, 0)
    return render_template(
        "payees/edit.html", payee=payee, form=name_form, merge_form=merge_form, count=count
    ), status


@bp.get("/<int:payee_id>")
def edit(payee_id: int):
    payee = get_owned_or_404(Payee, payee_id)
    return _page(payee, PayeeNameForm(obj=payee), _merge_form(payee))


@bp.post("/<int:payee_id>/rename")
def rename(payee_id: int):
    payee = get_owned_or_404(Payee, payee_id)
    form = PayeeNameForm()
    if form.validate_on_submit():
        try:
            rename_payee(db.session, payee, form.name.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Payee renamed to “%(name)s”.", name=payee.name), "success")
            return redirect(url_for("payees.index"))
    return _page(payee, form, _merge_form(payee), 422)


@bp.post("/<int:payee_id>/merge")
def merge(payee_id: int):
    payee = get_owned_or_404(Payee, payee_id)
    form = _merge_form(payee)
    if form.validate_on_submit():
        target = get_owned_or_404(Payee, form.target_id.data)
        source_name, target_name = payee.name, target.name
        try:
            moved = merge_payees(db.session, payee, target)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "“%(source)s” merged into “%(target)s”: %(num)d entry moved.",
                    "“%(source)s” merged into “%(target)s”: %(num)d entries moved.",
                    moved, source=source_name, target=target_name,
                ),
                "success",
            )
            return redirect(url_for("payees.index"))
    return _page(payee, PayeeNameForm(obj=payee), form, 422)

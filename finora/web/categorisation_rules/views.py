"""Categorisation rule views: the ordered list, the form (with a preview of the past entries
the rule would change, before saving), move, delete, preview and apply a saved rule."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from finora.errors import FinoraError
from finora.extensions import db
from finora.models import CategorisationRule, Household
from finora.services.ledger.accounts import list_accounts
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.categorisation import (
    category_labels,
    create_rule,
    draft_rule,
    list_rules,
    move_rule,
    update_rule,
)
from finora.services.ledger.categorisation_preview import preview_rule
from finora.services.undo.categorisation import apply_rule_with_undo, delete_rule_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.categorisation_rules import bp
from finora.web.categorisation_rules.forms import MATCH_FIELD_LABELS, MATCH_KIND_LABELS, RuleForm
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.undo_offer import flash_undo


def _with_choices(form: RuleForm, household: Household) -> RuleForm:
    accounts = list_accounts(db.session, household, include_archived=False)
    form.account_id.choices = [SelectChoice("", _("Any account"))] + [
        SelectChoice(str(a.id), a.name) for a in accounts
    ]
    options = [SelectChoice("", _("Leave as it is"))]
    for kind, kind_label in (("expense", _("Expense")), ("income", _("Income"))):
        for node in category_tree(db.session, household, kind):
            options.append(SelectChoice(str(node.category.id), f"{kind_label}: {node.category.label}"))
            for child in node.children:
                options.append(SelectChoice(str(child.id), f"{kind_label}: {node.category.label} › {child.label}"))
    form.category_id.choices = options
    return form


@bp.get("")
def index():
    household = require_household()
    return render_template(
        "categorisation_rules/index.html", rules=list_rules(db.session, household), labels=category_labels(db.session, household),
        fields=MATCH_FIELD_LABELS, kinds=MATCH_KIND_LABELS, action_form=EmptyForm(),
    )


def _form_page(form: RuleForm, rule: CategorisationRule | None, preview=None, status: int = 200):
    return render_template("categorisation_rules/form.html", form=form, rule=rule, preview=preview), status


def _save_or_preview(form: RuleForm, household: Household, rule: CategorisationRule | None):
    if not form.validate_on_submit():
        return _form_page(form, rule, status=422 if form.is_submitted() else 200)
    data = form.rule_input()
    try:
        if form.preview.data:
            # Checked and matched like a saved rule, but never added to the session.
            preview = preview_rule(db.session, household, draft_rule(db.session, household, data))
            db.session.rollback()
            return _form_page(form, rule, preview)
        if rule is None:
            rule = create_rule(db.session, household, data)
        else:
            update_rule(db.session, household, rule, data)
    except FinoraError as error:
        show_error(form, error)
        return _form_page(form, rule, status=422)
    db.session.commit()
    flash(_("Rule “%(name)s” saved.", name=rule.name), "success")
    return redirect(url_for("categorisation_rules.show", catrule_id=rule.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    household = require_household()
    return _save_or_preview(_with_choices(RuleForm(), household), household, None)


@bp.route("/<int:catrule_id>/edit", methods=["GET", "POST"])
def edit(catrule_id: int):
    household = require_household()
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    return _save_or_preview(_with_choices(RuleForm(obj=rule), household), household, rule)


@bp.get("/<int:catrule_id>")
def show(catrule_id: int):
    household = require_household()
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    return render_template(
        "categorisation_rules/show.html", rule=rule, preview=preview_rule(db.session, household, rule),
        labels=category_labels(db.session, household), fields=MATCH_FIELD_LABELS, kinds=MATCH_KIND_LABELS, action_form=EmptyForm(),
    )


@bp.post("/<int:catrule_id>/apply")
def apply(catrule_id: int):
    household = require_household()
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = apply_rule_with_undo(db.session, household, current_user._get_current_object(), rule)
    db.session.commit()
    if record is None:
        flash(_("No entry needed a change."), "info")
    else:
        flash_undo(
            ngettext(
                "Rule “%(name)s” applied: %(num)d entry changed.",
                "Rule “%(name)s” applied: %(num)d entries changed.", record.count, name=rule.name,
            ),
            record,
        )
    return redirect(url_for("categorisation_rules.show", catrule_id=rule.id))


@bp.post("/<int:catrule_id>/up")
def move_up(catrule_id: int):
    return _move(catrule_id, -1)


@bp.post("/<int:catrule_id>/down")
def move_down(catrule_id: int):
    return _move(catrule_id, 1)


def _move(catrule_id: int, step: int):
    household = require_household()
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    move_rule(db.session, household, rule, step)
    db.session.commit()
    return redirect(url_for("categorisation_rules.index"))


@bp.post("/<int:catrule_id>/delete")
def delete(catrule_id: int):
    rule = get_owned_or_404(CategorisationRule, catrule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    record = delete_rule_with_undo(db.session, require_household(), current_user._get_current_object(), rule)
    db.session.commit()
    flash_undo(_("Rule “%(name)s” deleted.", name=record.label), record)
    return redirect(url_for("categorisation_rules.index"))

"""Recurring rules: list with the next occurrences, create, edit, hold, resume, end, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from finora.dates import today
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import RecurringRule
from finora.services.ledger.accounts import list_accounts, primary_account
from finora.services.ledger.catalogue import category_tree
from finora.services.planning.posting import post_rule_now
from finora.services.planning.rules import (
    RuleData,
    calendar_of,
    create_rule,
    end_rule,
    is_ended,
    list_rules,
    next_occurrences,
    next_posting,
    pause_rule,
    resume_rule,
    skips_by_rule,
    update_rule,
)
from finora.services.undo.actions import delete_with_undo
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.form_errors import show_error
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.labels import FREQUENCIES
from finora.web.posted import flash_posted
from finora.web.rules import bp
from finora.web.rules.forms import POLICIES, EndForm, HoldForm, RuleForm
from finora.web.undo_offer import flash_undo


def _owned_rule(rule_id: int) -> RecurringRule:
    rule = get_owned_or_404(RecurringRule, rule_id)
    if rule.is_scenario:  # what-if rules live on the forecast page
        abort(404)
    return rule


def _index(failed: tuple[int, str, object] | None = None, status: int = 200):
    """The list; `failed` is (rule id, "hold" or "end", form) of a refused date form."""
    household = require_household()
    day = today(household)
    calendar = calendar_of(household)
    skips = skips_by_rule(db.session, household)
    rows = [
        (
            rule,
            next_occurrences(rule, day, calendar, skips=skips.get(rule.id, frozenset())),
        )
        for rule in list_rules(db.session, household)
    ]
    return render_template(
        "rules/index.html",
        rows=rows,
        today=day,
        is_ended=is_ended,
        frequencies=FREQUENCIES,
        policies=POLICIES,
        failed=failed,
        button_form=EmptyForm(),
    ), status


@bp.get("")
def index():
    return _index()


def prepare_rule_form(form: RuleForm, rule: RecurringRule | None) -> None:
    """The account and category choices, keeping the rule's archived ones selectable."""
    household = require_household()
    accounts = list_accounts(db.session, household, include_archived=False)
    if rule is not None and rule.account.archived:
        accounts.append(rule.account)
    expense = category_tree(db.session, household, "expense")
    income = category_tree(db.session, household, "income")
    form.set_choices(accounts, expense, income)
    if rule is not None:  # an archived category stays selectable on the rule that has it
        for category in (rule.category, rule.subcategory):
            if category is not None and category.archived:
                target = form.category_id if category.parent_id is None else form.subcategory_id
                target.choices.append(SelectChoice(str(category.id), category.label))


def rule_data(form: RuleForm) -> RuleData:
    return RuleData(
        name=form.name.data or "",
        kind=form.kind.data,
        amount=form.amount.data,
        account_id=form.account_id.data,
        category_id=form.category_id.data,
        subcategory_id=form.subcategory_id.data,
        payment_method=form.payment_method.data,
        frequency=form.frequency.data,
        anchor_date=form.anchor_date.data,
        end_date=form.end_date.data,
        business_day_policy=form.business_day_policy.data,
        # A scenario's form has neither field: what-if rules are never posted.
        auto_post="auto_post" in form and bool(form.auto_post.data),
        mark_paid="mark_paid" in form and bool(form.mark_paid.data),
    )


def rule_form_page(
    form: RuleForm,
    rule: RecurringRule | None,
    *,
    template: str,
    done_endpoint: str,
    created: str,
    saved: str,
    scenario: bool = False,
):
    """The new/edit page of a rule or of a what-if scenario: the form, then one service
    call; `created`/`saved` are the flash messages (with %(name)s), already translated."""
    household = require_household()
    prepare_rule_form(form, rule)
    if rule is None and not form.is_submitted():
        form.anchor_date.data = today(household)
        primary = primary_account(db.session, household)
        if primary is not None:  # the account new entries start on
            form.account_id.data = primary.id
    if form.validate_on_submit():
        if not first_submission(form):
            return redirect(url_for(done_endpoint))
        try:
            if rule is None:
                rule = create_rule(db.session, household, rule_data(form), scenario=scenario)
                message = created
            else:
                update_rule(db.session, rule, rule_data(form))
                message = saved
            # Due occurrences go to the ledger now, not at the scheduler's next run.
            posted = post_rule_now(db.session, rule)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(message % {"name": rule.name}, "success")
            flash_posted(posted)
            return redirect(url_for(done_endpoint))
    status = 422 if form.is_submitted() else 200
    form.use_words_of_kind()
    posting_on = None
    if rule is not None and rule.id is not None:
        posting_on = next_posting(db.session, rule, today(household), calendar_of(household))
    return render_template(template, form=form, rule=rule, next_posting=posting_on), status


def _rule_page(form: RuleForm, rule: RecurringRule | None):
    return rule_form_page(
        form, rule, template="rules/form.html", done_endpoint="rules.index",
        created=_("Rule “%(name)s” created."), saved=_("Rule “%(name)s” saved."),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _rule_page(RuleForm(), None)


@bp.route("/<int:rule_id>/edit", methods=["GET", "POST"])
def edit(rule_id: int):
    rule = _owned_rule(rule_id)
    return _rule_page(RuleForm(obj=rule), rule)


@bp.post("/<int:rule_id>/hold")
def hold(rule_id: int):
    rule = _owned_rule(rule_id)
    form = HoldForm()
    if form.validate_on_submit():
        try:
            pause_rule(db.session, rule, form.until.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Rule “%(name)s” paused until %(date)s.",
                    name=rule.name,
                    date=format_date(form.until.data, "medium"),
                ),
                "success",
            )
            return redirect(url_for("rules.index"))
    return _index(failed=(rule.id, "hold", form), status=422)


@bp.post("/<int:rule_id>/resume")
def resume(rule_id: int):
    rule = _owned_rule(rule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    resume_rule(db.session, rule)
    posted = post_rule_now(db.session, rule)
    db.session.commit()
    flash(_("Rule “%(name)s” resumed.", name=rule.name), "success")
    flash_posted(posted)
    return redirect(url_for("rules.index"))


@bp.post("/<int:rule_id>/end")
def end(rule_id: int):
    rule = _owned_rule(rule_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            end_rule(db.session, rule, form.end_on.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Rule “%(name)s” ended.", name=rule.name), "success")
            return redirect(url_for("rules.index"))
    return _index(failed=(rule.id, "end", form), status=422)


@bp.post("/<int:rule_id>/delete")
def delete(rule_id: int):
    rule = _owned_rule(rule_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = rule.name
    record = delete_with_undo(
        db.session, require_household(), current_user._get_current_object(), label=name, rules=[rule]
    )
    db.session.commit()
    flash_undo(_("Rule “%(name)s” deleted; the entries it posted stay.", name=name), record)
    return redirect(url_for("rules.index"))

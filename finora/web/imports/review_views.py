"""The last step of an import: every row with its status and category, the errors and
their CSV, the user's choices; Import commits the file in one transaction, Cancel
discards it. Nothing reaches the ledger before Import."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from finora.errors import FinoraError, NotFoundError
from finora.extensions import db
from finora.services.imports.accounts import AccountNames
from finora.services.imports.commit import commit_import
from finora.services.imports.entry_labels import chosen_labels
from finora.services.imports.error_rows import error_rows_csv
from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded
from finora.services.imports.parse import parse_staged
from finora.services.imports.review import build_review, proposed_payee, taught_payees
from finora.services.imports.rows import TABULAR_FORMATS, ImportFileError
from finora.services.imports.staging import discard_staged, save_staged
from finora.services.ledger.accounts import primary_account
from finora.services.ledger.catalogue import category_tree
from finora.services.ledger.payees import list_payees
from finora.tenancy import require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.converters import parse_int
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.imports import bp
from finora.web.imports.common import (
    account_choices,
    active_accounts,
    chosen_account,
    number_note,
    staged_or_404,
)
from finora.web.imports.forms import (
    DATE_ORDER_LABELS,
    NUMBER_STYLE_LABELS,
    PAGE_SIZE,
    STATUS_FILTERS,
    ReviewForm,
)
from finora.web.imports.paging import page_of

ERRORS_SHOWN = 200  # on the page; the errors' CSV has every one


def _category_options(household) -> dict[str, list[tuple[int, str]]]:
    """Each kind's active categories, a subcategory as "Parent › Sub"."""
    options: dict[str, list[tuple[int, str]]] = {}
    for kind in ("expense", "income"):
        items = []
        for node in category_tree(db.session, household, kind):
            items.append((node.category.id, node.category.label))
            items.extend(
                (child.id, f"{node.category.label} › {child.label}") for child in node.children
            )
        options[kind] = items
    return options


def _parsed_and_review(household, staged, account):
    parsed = parse_staged(
        staged, max_rows=current_app.config["IMPORT_MAX_ROWS"],
        accounts=AccountNames(db.session, household),
    )
    return parsed, build_review(db.session, household, account, parsed)


def _offered(row, categories) -> set[int]:
    return {value for value, _label in categories.get(row.kind, [])}


def _gone(row, decision: dict | None, categories) -> bool:
    """Whether the row's saved choice is a category no longer offered (deleted or archived
    since by another member): the page says so and shows the row's own category."""
    chosen = (decision or {}).get("category_id")
    return bool(chosen) and chosen not in _offered(row, categories)


def _selected_category(row, decision: dict | None, categories) -> int | None:
    if decision and decision.get("category_id") and not _gone(row, decision, categories):
        return decision["category_id"]
    if row.new_category:  # a category commit makes: the "new: …" option
        return None
    return row.subcategory_id or row.category_id


def _labels(line: int) -> tuple[str, list[str]] | str:
    """The payee and tags typed for row `line`, else why they cannot be kept."""
    try:
        return chosen_labels(line, request.form.get(f"payee-{line}", ""), request.form.get(f"tags-{line}", ""))
    except FinoraError as error:
        return str(error.message)


def _read_decisions(review, categories) -> tuple[dict[str, dict], list[str]]:
    """The decisions posted for the rows the page showed (each such row posts `seen-N`)."""
    decisions: dict[str, dict] = {}
    problems = []
    for row in review.rows:
        line = row.row.line
        if row.status == "duplicate" or request.form.get(f"seen-{line}") is None:
            continue
        labels = _labels(line)
        if isinstance(labels, str):
            problems.append(labels)
            continue
        raw = request.form.get(f"category-{line}", "")
        category_id = None
        if raw and raw != "new":
            category_id = parse_int(raw)
            if category_id not in _offered(row, categories):
                problems.append(
                    _("Row %(number)d: choose one of the categories offered.", number=line)
                )
                continue
        decisions[str(line)] = {
            "category_id": category_id,
            # Named in the commit's refusal should the category be deleted before it.
            "category_label": dict(categories[row.kind]).get(category_id) if category_id else None,
            "skip": row.status == "new" and request.form.get(f"skip-{line}") is not None,
            "match": row.status == "match" and request.form.get(f"match-{line}") is not None,
            # What the row's payee and tags fields hold (the proposal, or what was typed).
            "payee": labels[0],
            "tags": labels[1],
        }
    return decisions, problems


def _typed_labels(review) -> dict[int, dict]:
    """Row line -> the payee and tags as they were posted, for a page shown again after a
    problem: what the user typed stays in the fields, even when it was refused."""
    if review is None or request.method != "POST":
        return {}
    typed = {}
    for row in review.rows:
        line = row.row.line
        if request.form.get(f"seen-{line}") is not None and f"payee-{line}" in request.form:
            typed[line] = {
                "payee": request.form.get(f"payee-{line}", ""),
                "tags": request.form.get(f"tags-{line}", ""),
            }
    return typed


def _shown_labels(row, decision: dict | None, typed: dict | None, taught: dict) -> tuple[str, str]:
    """The payee and tags a row's fields show: as typed on a page shown again, else the
    saved choice, else what the import would set (the file's, one the user gave a row of
    the same description, a rule's or a learned one)."""
    if typed is not None:
        return typed["payee"], typed["tags"]
    if decision and "payee" in decision:
        return decision.get("payee") or "", ", ".join(decision.get("tags") or ())
    return proposed_payee(row, taught) or "", ", ".join(row.row.tags)


def _status_filter() -> str:
    value = request.args.get("status", "all")
    return value if value in STATUS_FILTERS else "all"


@bp.route("/<token>/review", methods=["GET", "POST"])
def review(token: str):
    household = require_household()
    try:
        staged = staged_or_404(token)
    except NotFoundError:
        if _second_click():
            return redirect(url_for("imports.index"))
        raise
    if staged.format in TABULAR_FORMATS and not staged.mapping:
        return redirect(url_for("imports.mapping", token=token))
    accounts = active_accounts(household)
    form = ReviewForm()
    account_choices(form.account_id, accounts)
    by_id = {account.id: account for account in accounts}
    account = by_id.get(staged.account_id) or primary_account(db.session, household)
    if not form.is_submitted():
        form.account_id.data = account.id if account else None
    if request.method == "POST" and request.form.get("action") == "reading":
        return _reading_choice(staged)
    try:
        parsed, found = _parsed_and_review(household, staged, account) if account else (None, None)
    except (DateOrderNeeded, NumberStyleNeeded) as needed:
        return _reading_page(staged, needed)
    except ImportFileError as error:
        return _review_error(staged, str(error.message))
    categories = _category_options(household)
    problems: list[str] = []
    status = 200
    if form.is_submitted():
        action = request.form.get("action")
        valid = form.validate_on_submit()
        chosen = chosen_account(form.account_id, accounts)
        if valid and chosen is not None and found is not None:
            decisions, problems = _read_decisions(found, categories)
            if not problems:
                staged.decisions = {**(staged.decisions or {}), **decisions}
                if chosen.id != account.id:
                    # Duplicates and matches depend on the account: look again before importing.
                    staged.account_id = chosen.id
                    staged.decisions = {}
                    save_staged(staged)
                    if action == "import":
                        flash(
                            _(
                                "The account changed, so the review was made again: check it before importing."
                            ),
                            "warning",
                        )
                    return redirect(url_for("imports.review", token=token, **_review_args()))
                save_staged(staged)
                if action == "import":
                    return _commit(household, staged, chosen, parsed, found, form)
                flash(_("Your choices on this page are saved."), "success")
                return redirect(url_for("imports.review", token=token, **_review_args()))
        status = 422
    return _review_page(
        household, staged, form, account, parsed, found, categories, problems, status
    )


def _second_click() -> bool:
    """Whether this is a second press of Import whose first press already imported the file
    (and so discarded it): its form token was used. Anything else stays a 404."""
    if request.method != "POST" or request.form.get("action") != "import":
        return False
    form = ReviewForm()
    form.account_id.choices = []
    if not form.validate_on_submit() or not form.form_token.submitted:
        return False
    if first_submission(form):  # unused: the upload is simply gone (expired, cancelled)
        db.session.rollback()
        return False
    return True


def _review_args() -> dict:
    args = {}
    if request.args.get("status") in STATUS_FILTERS:
        args["status"] = request.args["status"]
    page = parse_int(request.args.get("page"))
    if page and page > 1:
        args["page"] = page
    return args


def _commit(household, staged, account, parsed, found, form):
    if not first_submission(form):
        # A second click on Import: the first one imported the file.
        return redirect(url_for("imports.index"))
    try:
        batch = commit_import(
            db.session,
            household,
            current_user._get_current_object(),
            account,
            staged,
            parsed,
            found,
        )
    except FinoraError as error:
        db.session.rollback()  # nothing of the file stays
        flash(str(error.message), "danger")
        return redirect(url_for("imports.review", token=staged.token))
    db.session.commit()
    discard_staged(staged)
    flash(
        ngettext("Imported %(num)d entry.", "Imported %(num)d entries.", batch.added)
        + " "
        + _(
            "Matched: %(matched)d. Already in the ledger: %(duplicates)d. Skipped: %(skipped)d. Errors: %(errors)d.",
            matched=batch.matched,
            duplicates=batch.duplicates,
            skipped=batch.skipped,
            errors=batch.errors,
        ),
        "success",
    )
    return redirect(url_for("imports.batch", batch_id=batch.id))


def _reading_page(staged, needed, status=200):
    """A bank file whose dates (or amounts) fit more than one reading: ask which."""
    if isinstance(needed, DateOrderNeeded):
        field, labels = "date_order", DATE_ORDER_LABELS
    else:
        field, labels = "number_style", NUMBER_STYLE_LABELS
    possible = [code for code in needed.possible if code in labels] or list(labels)
    return render_template(
        "imports/reading.html",
        staged=staged,
        field=field,
        message=str(needed.message),
        choices=[(code, labels[code]) for code in possible],
        suggested=needed.suggested,
        button=EmptyForm(formdata=None),
    ), status


def _reading_choice(staged):
    """The date order or number style the user chose for a bank file; back to the review."""
    form = EmptyForm()
    if form.validate_on_submit():
        reading = dict(staged.mapping or {})
        order = request.form.get("date_order")
        style = request.form.get("number_style")
        if order in DATE_ORDER_LABELS:
            reading["date_order"] = order
        if style in NUMBER_STYLE_LABELS:
            reading["number_style"] = style
        staged.mapping = reading or None
        save_staged(staged)
    return redirect(url_for("imports.review", token=staged.token))


def _review_error(staged, message: str):
    back = (
        url_for("imports.mapping", token=staged.token)
        if staged.format in TABULAR_FORMATS
        else url_for("imports.index")
    )
    return render_template(
        "imports/review_error.html",
        staged=staged,
        message=message,
        back=back,
        button=EmptyForm(formdata=None),
    ), 422


def _review_page(household, staged, form, account, parsed, found, categories, problems, status):
    status_filter = _status_filter()
    rows = (
        [] if found is None else [row for row in found.rows if status_filter in ("all", row.status)]
    )
    page = page_of(
        rows if status_filter != "error" else [],
        parse_int(request.args.get("page")) or 1,
        PAGE_SIZE,
    )
    decisions = staged.decisions or {}
    typed = _typed_labels(found) if status != 200 else {}
    taught = taught_payees(found.rows, decisions) if found is not None and decisions else {}
    return render_template(
        "imports/review.html",
        staged=staged,
        form=form,
        account=account,
        parsed=parsed,
        review=found,
        page=page,
        status_filter=status_filter,
        status_filters=STATUS_FILTERS,
        categories=categories,
        selected={
            row.row.line: _selected_category(row, decisions.get(str(row.row.line)), categories)
            for row in page.items
        },
        gone={
            row.row.line for row in page.items
            if _gone(row, decisions.get(str(row.row.line)), categories)
        },
        decisions=decisions,
        labels={
            row.row.line: _shown_labels(row, decisions.get(str(row.row.line)), typed.get(row.row.line), taught)
            for row in page.items
        },
        payee_names=[payee.name for payee in list_payees(db.session, household)] if page.items else [],
        problems=problems,
        error_limit=ERRORS_SHOWN,
        number_note=number_note(household, staged, account.id if account else None),
        button=EmptyForm(formdata=None),
    ), status


@bp.get("/<token>/errors.csv")
def errors_csv(token: str):
    staged = staged_or_404(token)
    if staged.format in TABULAR_FORMATS and not staged.mapping:
        abort(404)
    try:
        parsed = parse_staged(
            staged, max_rows=current_app.config["IMPORT_MAX_ROWS"],
            accounts=AccountNames(db.session, require_household()),
        )
    except ImportFileError as error:
        return _review_error(staged, str(error.message))
    return Response(
        error_rows_csv(parsed),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="finora-import-errors.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/<token>/cancel")
def cancel(token: str):
    staged = staged_or_404(token)
    form = EmptyForm()
    if form.validate_on_submit():
        discard_staged(staged)
        flash(_("The file was discarded; nothing was imported."), "info")
    return redirect(url_for("imports.index"))

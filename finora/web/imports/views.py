"""The import pages: upload, column mapping (spreadsheets), review and commit; the batch list
with undo, and the saved profiles.

Nothing reaches the ledger before the review's Import button: the uploaded file waits in
the staging folder (finora.services.imports.staging) with the choices made so far."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from finora.errors import FinoraError, MalformedRequestError, NotFoundError
from finora.extensions import db
from finora.models import Account, Entry, ImportBatch, ImportMatch, ImportProfile, User
from finora.services.imports.accounts import account_for_number
from finora.services.imports.batches import list_batches, undo_batch
from finora.services.imports.commit import commit_import
from finora.services.imports.error_rows import error_rows_csv
from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded
from finora.services.imports.parse import parse_staged, preview_table
from finora.services.imports.profiles import (
    delete_profile,
    list_profiles,
    profile_settings,
    profiles_for_header,
    save_profile,
)
from finora.services.imports.review import build_review
from finora.services.imports.rows import TABULAR_FORMATS, ImportFileError
from finora.services.imports.staging import discard_staged, load_staged, save_staged, stage_upload
from finora.services.imports.tabular import Mapping, TableOptions, guess_mapping, mapping_problems
from finora.services.imports.values import detect_date_order, detect_number_style
from finora.services.ledger.accounts import list_accounts, primary_account
from finora.services.ledger.catalogue import category_tree
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.translation import ngettext
from finora.web.converters import parse_int
from finora.web.form_token import first_submission
from finora.web.forms import EmptyForm
from finora.web.imports import bp
from finora.web.imports.forms import (
    DATE_ORDER_LABELS,
    DELIMITERS,
    NUMBER_STYLE_LABELS,
    PAGE_SIZE,
    ROLE_LABELS,
    STATUS_FILTERS,
    MappingForm,
    ReviewForm,
    UploadForm,
)
from finora.web.imports.paging import page_of

# A staging token as the staging service makes them; anything else names nothing.
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
BATCH_ENTRIES_PAGE = 50


# --- helpers ---------------------------------------------------------------------------


def _staged(token: str):
    """This user's staged upload in this household, else 404 (expired, discarded, another's)."""
    if not TOKEN.fullmatch(token or ""):
        abort(404)
    return load_staged(require_household(), current_user._get_current_object(), token)


def _active_accounts(household) -> list[Account]:
    return list_accounts(db.session, household, include_archived=False)


def _account_choices(form_field, accounts: list[Account]) -> None:
    form_field.choices = [(str(account.id), account.name) for account in accounts]


def _chosen_account(field, accounts: list[Account]) -> Account | None:
    """The account the field names among the household's active ones; an error beside the
    field otherwise."""
    by_id = {account.id: account for account in accounts}
    account = by_id.get(field.data)
    if account is None:
        field.errors = [*field.errors, _("Choose one of the household’s active accounts.")]
    return account


def _number_note(household, staged, account_id: int | None) -> str | None:
    """Why the account is pre-selected, when the file names the account's number."""
    if not staged.account_number or account_id is None:
        return None
    found = account_for_number(db.session, household, staged.account_number)
    if found is None or found.id != account_id:
        return None
    return _(
        "Chosen because the file names account …%(digits)s.", digits=staged.account_number[-4:]
    )


def _next_step(staged):
    if staged.format in TABULAR_FORMATS:
        return redirect(url_for("imports.mapping", token=staged.token))
    return redirect(url_for("imports.review", token=staged.token))


# --- step 1: upload, batches, profiles ---------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
def index():
    household = require_household()
    accounts = _active_accounts(household)
    form = UploadForm()
    _account_choices(form.account_id, accounts)
    if not form.is_submitted():
        primary = primary_account(db.session, household)
        form.account_id.data = primary.id if primary else None
    status = 200
    if form.validate_on_submit():
        account = _chosen_account(form.account_id, accounts)
        if account is not None:
            upload = form.file.data
            name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
            try:
                staged = stage_upload(
                    household, current_user._get_current_object(), name, upload.read()
                )
            except ImportFileError as error:
                form.file.errors = [*form.file.errors, str(error.message)]
            else:
                found = None
                if staged.account_number:
                    found = account_for_number(db.session, household, staged.account_number)
                staged.account_id = (
                    found.id if found is not None and not found.archived else account.id
                )
                save_staged(staged)
                return _next_step(staged)
        status = 422
    elif form.is_submitted():
        status = 422
    return _index_page(household, form, accounts, status)


def _index_page(household, form, accounts, status=200):
    batches = list_batches(db.session, household)
    people_ids = {batch.created_by_id for batch in batches if batch.created_by_id}
    people = (
        {
            user.id: user.name
            for user in db.session.scalars(select(User).where(User.id.in_(people_ids)))
        }
        if people_ids
        else {}
    )
    account_names = {account.id: account.name for account in list_accounts(db.session, household)}
    return render_template(
        "imports/index.html",
        form=form,
        accounts=accounts,
        batches=batches,
        people=people,
        account_names=account_names,
        profiles=list_profiles(db.session, household),
        button=EmptyForm(),
    ), status


@bp.post("/profiles/<int:profile_id>/delete")
def delete_profile_view(profile_id: int):
    profile = get_owned_or_404(ImportProfile, profile_id)
    form = EmptyForm()
    if form.validate_on_submit():
        name = profile.name
        delete_profile(db.session, profile)
        db.session.commit()
        flash(_("Profile “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("imports.index"))


# --- step 2: column mapping (spreadsheets) ------------------------------------------------


def _posted_mapping(table) -> tuple[Mapping, list[str]]:
    """The mapping the column selects describe, and the problems only the page can see
    (one role given to two columns)."""
    columns: dict[str, int] = {}
    problems = []
    for index in range(_width(table)):
        role = request.form.get(f"column-{index}", "ignore")
        if role not in ROLE_LABELS or role == "ignore":
            continue
        if role in columns:
            problems.append(
                _(
                    "Columns %(first)d and %(second)d are both marked “%(role)s”: keep one.",
                    first=columns[role] + 1,
                    second=index + 1,
                    role=ROLE_LABELS[role],
                )
            )
            continue
        columns[role] = index
    date_order = request.form.get("date_order") or None
    number_style = request.form.get("number_style") or None
    mapping = Mapping(
        columns=columns,
        date_order=date_order if date_order in DATE_ORDER_LABELS else None,
        number_style=number_style if number_style in NUMBER_STYLE_LABELS else None,
    )
    return mapping, problems


def _width(table) -> int:
    return max([len(table.header), *(len(row) for row in table.rows)], default=0)


def _column_values(table, index: int | None) -> list[str]:
    if index is None:
        return []
    return [row[index] for row in table.rows if index < len(row) and row[index].strip()]


def _detected(table, mapping: Mapping) -> dict:
    """What the preview's own values say about the date order and the number style."""
    dates = detect_date_order(_column_values(table, mapping.columns.get("date")))
    numbers = detect_number_style(
        [
            value
            for role in ("amount", "debit", "credit")
            for value in _column_values(table, mapping.columns.get(role))
        ]
    )
    return {"date": dates, "number": numbers}


def _options_from_form(form: MappingForm, staged_options: TableOptions) -> TableOptions:
    """The reading options posted; a value out of place keeps the one the file had."""
    chosen = {
        "encoding": form.encoding.data or staged_options.encoding,
        "delimiter": DELIMITERS.get(form.delimiter.data or "", staged_options.delimiter),
        "header_row": form.header_row.data
        if isinstance(form.header_row.data, int)
        else staged_options.header_row,
        "sheet": form.sheet.data or staged_options.sheet,
    }
    try:
        return TableOptions.from_dict(chosen)
    except MalformedRequestError:
        return staged_options


def _fill_options(form: MappingForm, options: TableOptions) -> None:
    form.encoding.data = options.encoding
    form.delimiter.data = next(
        (code for code, char in DELIMITERS.items() if char == options.delimiter), None
    )
    form.header_row.data = options.header_row
    form.sheet.data = options.sheet


def _profile_settings(profile: ImportProfile) -> tuple[TableOptions, Mapping]:
    options, mapping_ = profile_settings(profile)
    return TableOptions.from_dict(options), Mapping.from_dict(mapping_)


@bp.route("/<token>/mapping", methods=["GET", "POST"])
def mapping(token: str):
    household = require_household()
    staged = _staged(token)
    if staged.format not in TABULAR_FORMATS:
        return redirect(url_for("imports.review", token=token))
    accounts = _active_accounts(household)
    options = TableOptions.from_dict(staged.options or {})
    used_profile = None
    posted = request.method == "POST"
    if not posted and request.args.get("profile"):
        profile_id = parse_int(request.args.get("profile"))
        used_profile = get_owned_or_404(ImportProfile, profile_id if profile_id is not None else 0)
        options, profile_mapping = _profile_settings(used_profile)
    form = MappingForm(
        encodings=[options.encoding] if options.encoding else (), header_row=options.header_row
    )
    _account_choices(form.account_id, accounts)
    if posted:
        options = _options_from_form(form, options)
    table_error = None
    staged.options = options.as_dict()  # tried in memory; kept only when the user goes on
    try:
        table = preview_table(staged)
    except ImportFileError as error:
        table, table_error = None, str(error.message)
    form.sheet.choices = [(name, name) for name in (table.sheets if table else ())]
    if not posted:
        _fill_options(form, options)
        form.account_id.data = staged.account_id
        if used_profile is not None:
            mapping_ = profile_mapping
        elif staged.mapping:
            mapping_ = Mapping.from_dict(staged.mapping)
        else:
            mapping_ = guess_mapping(table) if table is not None else Mapping(columns={})
        form.date_order.data = mapping_.date_order or ""
        form.number_style.data = mapping_.number_style or ""
        problems = []
    else:
        mapping_, problems = (
            _posted_mapping(table) if table is not None else (Mapping(columns={}), [])
        )
    detected = _detected(table, mapping_) if table is not None else None
    status = 200
    if posted and request.form.get("action") == "continue":
        valid = form.validate_on_submit()
        account = _chosen_account(form.account_id, accounts)
        if table is None:
            problems = []
        else:
            problems = [*problems, *mapping_problems(table, mapping_)]
        if form.save_profile.data and not (form.profile_name.data or "").strip():
            form.profile_name.errors = [
                *form.profile_name.errors,
                _("Name the profile, or untick the box."),
            ]
            valid = False
        if valid and account is not None and table is not None and not problems:
            staged.mapping = mapping_.as_dict()
            staged.account_id = account.id
            if used_profile is not None:
                staged.profile_id = used_profile.id
            if form.save_profile.data:
                try:
                    profile = save_profile(
                        db.session,
                        household,
                        form.profile_name.data.strip(),
                        table.header,
                        options.as_dict(),
                        mapping_.as_dict(),
                    )
                except FinoraError as error:
                    db.session.rollback()
                    form.profile_name.errors = [*form.profile_name.errors, str(error.message)]
                    return _mapping_page(
                        household,
                        staged,
                        form,
                        table,
                        table_error,
                        mapping_,
                        detected,
                        problems,
                        422,
                    )
                db.session.commit()
                staged.profile_id = profile.id
                flash(_("Profile “%(name)s” saved.", name=profile.name), "success")
            save_staged(staged)
            return redirect(url_for("imports.review", token=token))
        status = 422
    return _mapping_page(
        household, staged, form, table, table_error, mapping_, detected, problems, status
    )


def _mapping_page(
    household, staged, form, table, table_error, mapping_, detected, problems, status
):
    roles = {index: role for role, index in mapping_.columns.items()}
    if request.method == "POST":  # what the user chose, a role given twice included
        roles = {
            index: request.form.get(f"column-{index}")
            for index in range(_width(table) if table is not None else 0)
            if request.form.get(f"column-{index}") in ROLE_LABELS
        }
    profiles = profiles_for_header(db.session, household, table.header) if table is not None else []
    return render_template(
        "imports/mapping.html",
        staged=staged,
        form=form,
        table=table,
        table_error=table_error,
        width=_width(table) if table is not None else 0,
        roles=roles,
        role_labels=ROLE_LABELS,
        date_labels=DATE_ORDER_LABELS,
        number_labels=NUMBER_STYLE_LABELS,
        detected=detected,
        problems=problems,
        profiles=profiles,
        number_note=_number_note(household, staged, form.account_id.data),
    ), status


# --- step 3: review and commit ----------------------------------------------------------


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
    parsed = parse_staged(staged, max_rows=current_app.config["IMPORT_MAX_ROWS"])
    return parsed, build_review(db.session, household, account, parsed)


def _selected_category(row, decision: dict | None) -> int | None:
    if decision and decision.get("category_id"):
        return decision["category_id"]
    if row.category_source == "new":
        return None
    return row.subcategory_id or row.category_id


def _read_decisions(review, categories) -> tuple[dict[str, dict], list[str]]:
    """The decisions posted for the rows the page showed (each such row posts `seen-N`)."""
    decisions: dict[str, dict] = {}
    problems = []
    for row in review.rows:
        line = row.row.line
        if row.status == "duplicate" or request.form.get(f"seen-{line}") is None:
            continue
        raw = request.form.get(f"category-{line}", "")
        category_id = None
        if raw and raw != "new":
            category_id = parse_int(raw)
            if category_id not in {value for value, _label in categories.get(row.kind, [])}:
                problems.append(
                    _("Row %(number)d: choose one of the categories offered.", number=line)
                )
                continue
        decisions[str(line)] = {
            "category_id": category_id,
            "skip": row.status == "new" and request.form.get(f"skip-{line}") is not None,
            "match": row.status == "match" and request.form.get(f"match-{line}") is not None,
        }
    return decisions, problems


def _status_filter() -> str:
    value = request.args.get("status", "all")
    return value if value in STATUS_FILTERS else "all"


@bp.route("/<token>/review", methods=["GET", "POST"])
def review(token: str):
    household = require_household()
    try:
        staged = _staged(token)
    except NotFoundError:
        if _second_click():
            return redirect(url_for("imports.index"))
        raise
    if staged.format in TABULAR_FORMATS and not staged.mapping:
        return redirect(url_for("imports.mapping", token=token))
    accounts = _active_accounts(household)
    form = ReviewForm()
    _account_choices(form.account_id, accounts)
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
        chosen = _chosen_account(form.account_id, accounts)
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
        button=EmptyForm(),
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
        "imports/review_error.html", staged=staged, message=message, back=back, button=EmptyForm()
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
            row.row.line: _selected_category(row, decisions.get(str(row.row.line)))
            for row in page.items
        },
        decisions=decisions,
        problems=problems,
        number_note=_number_note(household, staged, account.id if account else None),
        button=EmptyForm(),
    ), status


@bp.get("/<token>/errors.csv")
def errors_csv(token: str):
    staged = _staged(token)
    if staged.format in TABULAR_FORMATS and not staged.mapping:
        abort(404)
    try:
        parsed = parse_staged(staged, max_rows=current_app.config["IMPORT_MAX_ROWS"])
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
    staged = _staged(token)
    form = EmptyForm()
    if form.validate_on_submit():
        discard_staged(staged)
        flash(_("The file was discarded; nothing was imported."), "info")
    return redirect(url_for("imports.index"))


# --- batches ----------------------------------------------------------------------------


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

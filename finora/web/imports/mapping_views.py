"""Step 2 of a spreadsheet's import: how the file is read (encoding, separator, header
row, sheet), a preview, what each column holds, the date order and number style, and
the profile to save or use."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from finora.errors import FinoraError, MalformedRequestError
from finora.extensions import db
from finora.models import ImportProfile
from finora.services.imports.parse import PREVIEW_ROWS, guess_table
from finora.services.imports.profiles import (
    header_of,
    profile_settings,
    profiles_for_header,
    save_profile,
)
from finora.services.imports.rows import TABULAR_FORMATS, ImportFileError
from finora.services.imports.staging import save_staged
from finora.services.imports.tabular import Mapping, TableOptions, guess_mapping, mapping_problems
from finora.services.imports.values import detect_date_order, detect_number_style
from finora.tenancy import get_owned_or_404, require_household
from finora.translation import gettext as _
from finora.web.converters import parse_int
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
    DELIMITERS,
    NUMBER_STYLE_LABELS,
    ROLE_LABELS,
    MappingForm,
)


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
    staged = staged_or_404(token)
    if staged.format not in TABULAR_FORMATS:
        return redirect(url_for("imports.review", token=token))
    accounts = active_accounts(household)
    options = TableOptions.from_dict(staged.options or {})
    used_profile = None
    posted = request.method == "POST"
    if request.args.get("profile"):  # "Use profile X"; the form posts back to the same URL
        profile_id = parse_int(request.args.get("profile"))
        used_profile = get_owned_or_404(ImportProfile, profile_id if profile_id is not None else 0)
        if not posted:
            options, profile_mapping = _profile_settings(used_profile)
    form = MappingForm(
        encodings=[options.encoding] if options.encoding else (), header_row=options.header_row
    )
    account_choices(form.account_id, accounts)
    if posted:
        options = _options_from_form(form, options)
    table_error = None
    staged.options = options.as_dict()  # tried in memory; kept only when the user goes on
    try:
        table = guess_table(staged)  # 1,000 rows for the guesses; 20 of them are shown
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
        account = chosen_account(form.account_id, accounts)
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
                        header_of(table),
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
    profiles = (
        profiles_for_header(db.session, household, header_of(table)) if table is not None else []
    )
    return render_template(
        "imports/mapping.html",
        staged=staged,
        form=form,
        table=table,
        preview=table.rows[:PREVIEW_ROWS] if table is not None else [],
        table_error=table_error,
        width=_width(table) if table is not None else 0,
        roles=roles,
        role_labels=ROLE_LABELS,
        date_labels=DATE_ORDER_LABELS,
        number_labels=NUMBER_STYLE_LABELS,
        detected=detected,
        problems=problems,
        profiles=profiles,
        number_note=number_note(household, staged, form.account_id.data),
    ), status

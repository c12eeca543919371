"""Imports (docs/api.md, "Imports"): the import page's pipeline as JSON. POST /imports
stages the file (kept on disk for its user, as the page's upload), reads it (detection,
the spreadsheet's mapping as the mapping page guesses it, or the one sent) and answers the
review (each row new, duplicate, a match for a pending entry, or an error with its
reason); the staged upload is committed with POST /imports/staged/<token>/commit and the
caller's decisions, or at once with `"commit": true`. Batches are listed, shown and undone
(DELETE) as on the page."""

from __future__ import annotations

from dataclasses import replace

from flask import current_app

from finora.api import bp
from finora.api.access import caller
from finora.api.body import ApiValidationError, read_json
from finora.api.envelope import many, no_content, one
from finora.api.pagination import page_params
from finora.api.schemas_imports import (
    BatchOut,
    CommitBody,
    ImportBody,
    ImportReviewOut,
    batch_json,
    review_json,
)
from finora.api.spec import documented
from finora.errors import FieldError
from finora.extensions import db
from finora.models import Account, Household, ImportBatch, User
from finora.services.imports.accounts import AccountNames, account_for_number
from finora.services.imports.batches import list_batches, undo_batch
from finora.services.imports.commit import commit_import
from finora.services.imports.entry_labels import chosen_labels
from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded
from finora.services.imports.parse import guess_table, parse_staged
from finora.services.imports.review import build_review
from finora.services.imports.rows import TABULAR_FORMATS, ImportFileError
from finora.services.imports.staging import (
    discard_staged,
    load_staged,
    read_staged,
    save_staged,
    stage_upload,
)
from finora.services.imports.tabular import Mapping, TableOptions, guess_mapping, mapping_problems
from finora.services.imports.tabular.mapping import detect_formats
from finora.services.ledger.accounts import primary_account
from finora.services.ledger.catalogue import category_tree
from finora.tenancy import get_owned_or_404
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l

NOT_AN_ACCOUNT = _l("Choose one of the household’s active accounts.")


def _household() -> Household:
    return caller().membership.household


def _hours() -> int:
    return int(current_app.config["IMPORT_STAGING_HOURS"])


def _named_batch(batch: ImportBatch) -> dict:
    account = db.session.get(Account, batch.account_id) if batch.account_id else None
    person = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
    return batch_json(batch, account.name if account else None, person.name if person else None)


# ---- reading a file -----------------------------------------------------------------------


def _active_account(account_id: int | None, field: str = "account_id") -> Account:
    account = db.session.get(Account, account_id) if account_id else None
    if account is None or account.household_id != _household().id or account.archived:
        raise ApiValidationError({field: NOT_AN_ACCOUNT})
    return account


def _default_account(household: Household, staged) -> Account:
    """The account the statement's number names, else the household's primary one."""
    found = account_for_number(db.session, household, staged.account_number)
    if found is None or found.archived:
        found = primary_account(db.session, household)
    if found is None or found.archived:
        raise ApiValidationError({"account_id": NOT_AN_ACCOUNT})
    return found


def _choices(needed) -> str:
    return _("Send one of: %(choices)s.", choices=", ".join(needed.possible))


def _reviewed(household: Household, staged, account: Account):
    """The staged file's rows and their review, as the review page reads them; what keeps
    the file from being read is a 422 on the field that would change it."""
    try:
        parsed = parse_staged(staged, max_rows=current_app.config["IMPORT_MAX_ROWS"],
                              accounts=AccountNames(db.session, household))
    except DateOrderNeeded as needed:
        raise ApiValidationError({"date_order": f"{needed.message} {_choices(needed)}"}) from None
    except NumberStyleNeeded as needed:
        raise ApiValidationError({"number_style": f"{needed.message} {_choices(needed)}"}) from None
    except ImportFileError as error:
        raise ApiValidationError({"content_base64": str(error.message)}) from None
    return parsed, build_review(db.session, household, account, parsed)


def _columns_named(table) -> str:
    names = ", ".join(f"{i}: {name}" for i, name in enumerate(table.header))
    return _("The file's columns: %(columns)s.", columns=names)


def _sheet_header(staged, sheet: str) -> int:
    """The header row of the sheet named, found as the upload finds the first sheet's."""
    from finora.services.imports.tabular.sniff import SAMPLE_ROWS, find_header
    from finora.services.imports.tabular.xlsx import sample_rows

    try:
        rows, _sheets, _name = sample_rows(read_staged(staged), sheet, SAMPLE_ROWS)
    except ImportFileError as error:
        raise ApiValidationError({"sheet": str(error.message)}) from None
    return find_header(list(enumerate(rows)))


def _mapping(staged, body: ImportBody) -> Mapping:
    """A spreadsheet's reading options and mapping: what the body gives, the rest as the
    mapping page detects and guesses it; a mapping that cannot be applied is a 422."""
    given = {"encoding": body.encoding, "delimiter": body.delimiter,
             "header_row": body.header_row, "sheet": body.sheet}
    options = {**(staged.options or {}), **{k: v for k, v in given.items() if v is not None}}
    if staged.format == "xlsx" and body.sheet:
        header_row = _sheet_header(staged, body.sheet)  # also: a sheet the file lacks is a 422
        options["header_row"] = body.header_row if body.header_row is not None else header_row
    staged.options = TableOptions.from_dict(options).as_dict()
    try:
        table = guess_table(staged)
    except ImportFileError as error:
        raise ApiValidationError({"content_base64": str(error.message)}) from None
    if body.columns is not None:
        mapping = Mapping(columns=dict(body.columns))
        detect_formats(table, mapping)
    else:
        mapping = guess_mapping(table)
    mapping.date_order = body.date_order or mapping.date_order
    mapping.number_style = body.number_style or mapping.number_style
    settled = replace(mapping, date_order=mapping.date_order or "ymd",
                      number_style=mapping.number_style or "dot_decimal")
    problems = mapping_problems(table, settled)
    if problems:
        raise ApiValidationError({"columns": " ".join([*problems, _columns_named(table)])})
    fields = {}
    for problem in mapping_problems(table, mapping):
        field = "date_order" if mapping.date_order is None and "date_order" not in fields else "number_style"
        fields[field] = f"{fields[field]} {problem}" if field in fields else str(problem)
    if fields:
        raise ApiValidationError(fields)
    return mapping


# ---- staged uploads -----------------------------------------------------------------------


@bp.post("/imports")
@documented(_l("Upload a file to import"), tag="Imports", body=ImportBody,
            response=ImportReviewOut, status=201,
            description=_l("Reads the file as the import page does and answers its review; "
                           "nothing reaches the ledger until it is committed (at once with "
                           "\"commit\": true)."))
def create_import():
    household = _household()
    body = read_json(ImportBody)
    chosen = _active_account(body.account_id) if body.account_id is not None else None
    try:
        staged = stage_upload(household, caller().user, body.filename, body.content_base64)
    except ImportFileError as error:
        raise ApiValidationError({"content_base64": str(error.message)}) from None
    try:
        account = chosen or _default_account(household, staged)
        staged.account_id = account.id
        if staged.format in TABULAR_FORMATS:
            staged.mapping = _mapping(staged, body).as_dict()
        else:
            reading = {"date_order": body.date_order, "number_style": body.number_style}
            staged.mapping = {k: v for k, v in reading.items() if v} or None
        save_staged(staged)
        parsed, review = _reviewed(household, staged, account)
        batch = None
        if body.commit:
            batch = commit_import(db.session, household, caller().user, account, staged, parsed, review)
            db.session.commit()
    except BaseException:
        discard_staged(staged)  # a file that cannot go on is not kept: send it again
        raise
    if batch is None:
        return one(review_json(staged, account, review, hours=_hours()), 201)
    discard_staged(staged)
    return one(review_json(staged, account, review, _named_batch(batch), hours=_hours()), 201)


def _staged(token: str):
    """The caller's staged upload, else 404; a spreadsheet uploaded on the page and not
    mapped yet is read with the mapping the page would suggest."""
    staged = load_staged(_household(), caller().user, token)
    if staged.format in TABULAR_FORMATS and not staged.mapping:
        staged.mapping = _mapping(staged, ImportBody.model_construct()).as_dict()
    return staged


def _staged_account(household: Household, staged) -> Account:
    account = db.session.get(Account, staged.account_id) if staged.account_id else None
    if account is None or account.household_id != household.id or account.archived:
        return _default_account(household, staged)
    return account


@bp.get("/imports/staged/<import_token>")
@documented(_l("The review of an uploaded file"), tag="Imports", response=ImportReviewOut,
            description=_l("The file's rows reviewed again against the ledger as it is now."))
def get_staged(import_token: str):
    household = _household()
    staged = _staged(import_token)
    account = _staged_account(household, staged)
    _parsed, review = _reviewed(household, staged, account)
    return one(review_json(staged, account, review, hours=_hours()))


def _decisions(household: Household, review, body: CommitBody) -> dict[str, dict]:
    """The body's decisions as the review page saves them, each checked against the row it
    names: a category of the row's kind offered on the page, skip for a new row, match for
    a matched one."""
    rows = {item.row.line: item for item in review.rows}
    offered = {}
    for kind in ("income", "expense"):
        ids = set()
        for node in category_tree(db.session, household, kind):
            ids.add(node.category.id)
            ids.update(child.id for child in node.children)
        offered[kind] = ids
    decisions: dict[str, dict] = {}
    problems: dict[str, object] = {}
    for index, decision in enumerate(body.decisions):
        item = rows.get(decision.line)
        if item is None or item.status == "duplicate":
            problems[f"decisions.{index}.line"] = _(
                "Row %(number)d is not a row of this file that can be imported.", number=decision.line)
            continue
        if decision.category_id is not None and item.split_lines:
            problems[f"decisions.{index}.category_id"] = _(
                "Row %(number)d is split: its lines carry its categories.", number=decision.line)
            continue
        if decision.category_id is not None and decision.category_id not in offered[item.kind]:
            problems[f"decisions.{index}.category_id"] = _(
                "Row %(number)d: choose one of the categories offered.", number=decision.line)
            continue
        saved: dict[str, object] = {
            "category_id": decision.category_id,
            "skip": item.status == "new" and decision.skip,
            "match": item.status != "match" or decision.match,
        }
        sent = decision.model_fields_set & {"payee", "tags"}
        if sent:
            # Left out, the row keeps what the review proposes (services/imports/commit.py).
            try:
                payee, tags = chosen_labels(decision.line, decision.payee, decision.tags)
            except FieldError as error:
                problems[f"decisions.{index}.{error.field}"] = str(error.message)
                continue
            if "payee" in sent:
                saved["payee"] = payee
            if "tags" in sent:
                saved["tags"] = tags
        decisions[str(decision.line)] = saved
    if problems:
        raise ApiValidationError(problems)
    return decisions


@bp.post("/imports/staged/<import_token>/commit")
@documented(_l("Import an uploaded file"), tag="Imports", body=CommitBody, response=BatchOut,
            status=201,
            description=_l("Writes the reviewed file as one import batch, with the decisions "
                           "sent: rows already in the ledger are never imported twice."))
def commit_staged(import_token: str):
    household = _household()
    staged = _staged(import_token)
    body = read_json(CommitBody)
    # Another account: duplicates and matches are per account, so the file is reviewed again.
    if body.account_id is None and staged.account_id is None:  # staged on the page, not chosen yet
        account = _default_account(household, staged)
    else:
        account = _active_account(body.account_id if body.account_id is not None else staged.account_id)
    staged.account_id = account.id
    parsed, review = _reviewed(household, staged, account)
    staged.decisions = _decisions(household, review, body)
    save_staged(staged)
    batch = commit_import(db.session, household, caller().user, account, staged, parsed, review)
    db.session.commit()
    discard_staged(staged)
    return one(_named_batch(batch), 201)


@bp.delete("/imports/staged/<import_token>")
@documented(_l("Discard an uploaded file"), tag="Imports")
def discard_import(import_token: str):
    discard_staged(load_staged(_household(), caller().user, import_token))
    return no_content()


# ---- batches ------------------------------------------------------------------------------


@bp.get("/imports")
@documented(_l("Import batches"), tag="Imports", response=BatchOut, many=True,
            description=_l("Every import of the household, newest first, undone ones included."))
def list_imports():
    batches = list_batches(db.session, _household())
    page = page_params()
    return many([batch_json(b, b.account_name, b.created_by_name) for b in page.cut(batches)],
                total=len(batches), limit=page.limit, offset=page.offset)


@bp.get("/imports/<int:batch_id>")
@documented(_l("One import batch"), tag="Imports", response=BatchOut)
def get_import(batch_id: int):
    return one(_named_batch(get_owned_or_404(ImportBatch, batch_id)))


@bp.delete("/imports/<int:batch_id>")
@documented(_l("Undo an import"), tag="Imports",
            description=_l("Removes the batch's entries and gives the pending entries it paid "
                           "back their state, as the page's undo; 409 when already undone."))
def undo_import(batch_id: int):
    batch = get_owned_or_404(ImportBatch, batch_id)
    undo_batch(db.session, batch, caller().user)
    db.session.commit()
    return no_content()

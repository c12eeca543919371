"""`flask finora import FILE --account ID`: a bank statement or spreadsheet into an
account, through the same parsing, review and commit as the import page. `--dry-run`
writes nothing and prints the review as JSON; a big file streams in chunks of 5,000 rows
(one transaction, a progress bar, bounded memory, no row limit)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app

from finora.amounts import CENT
from finora.cli_commands import EnglishCommand, fail
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import Account, Household

PREVIEW_ROWS = 1000  # rows the mapping is guessed from when no --profile is given
SHOWN_ERRORS = 20


@click.command("import", cls=EnglishCommand)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--account", "account_id", type=int, required=True, help="The account's id.")
@click.option("--profile", help="A saved column mapping of the account's household (CSV, XLSX).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print the review as JSON.")
@click.option("--date-order", type=click.Choice(["dmy", "mdy", "ymd"]),
              help="How the file writes dates, when they can be read more than one way.")
@click.option("--number-style", type=click.Choice(["comma_decimal", "dot_decimal"]),
              help='"1.234,56" (comma_decimal) or "1,234.56" (dot_decimal).')
def import_command(file, account_id, profile, dry_run, date_order, number_style) -> None:
    """Import FILE (CSV, XLSX, OFX, QIF, CAMT, MT940) into the account --account."""
    # EnglishCommand: an error rolls back (a batch begun is not left in the session).
    _run(file, account_id, profile, dry_run, date_order, number_style)


def _run(file: Path, account_id, profile, dry_run, date_order, number_style) -> None:
    from finora.services.imports.commit import BatchWriter
    from finora.services.imports.review import Reviewer

    account = db.session.get(Account, account_id)
    if account is None:
        raise fail(f"No account with the id {account_id}.")
    household = db.session.get(Household, account.household_id)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise fail(f"Cannot read {file}: {error.strerror or error}.") from None
    fmt, chunks, account_number, total = _open(household, data, profile, date_order, number_style)

    reviewer = Reviewer(db.session, household, account)
    writer = None if dry_run else BatchWriter(
        db.session, household, None, account, file_name=file.name[:255], fmt=fmt
    )
    shown = {"format": fmt, "rows": [], "errors": []}
    with click.progressbar(length=total, label=f"Importing {file.name}", file=sys.stderr,
                           hidden=dry_run) as bar:
        for chunk in chunks:
            review = reviewer.review(chunk.rows)
            review.errors = sorted([*chunk.errors, *review.errors], key=lambda e: e.line)
            review.counts["error"] = len(review.errors)
            if dry_run:
                _show(shown, review)
            else:
                writer.write(review)
                # The chunk's keys are in the database now (same transaction): the next
                # chunks find them there, so memory stays bounded however long the file.
                reviewer.seen.clear()
            bar.update(chunk.done - bar.pos)
    if dry_run:
        shown["errors"].sort(key=lambda error: error["row"])
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        db.session.rollback()
        return
    batch = writer.finish(account_number)
    db.session.commit()
    _summary(batch, account)


def _show(shown: dict, review) -> None:
    for item in review.rows:
        row = item.row
        shown["rows"].append({
            "date": row.date.isoformat(),
            "amount": str(row.signed_amount.quantize(CENT)),
            "description": row.description,
            "bank_id": row.bank_id or None,
            "status": item.status,
            **({"account": item.account.name} if row.account and item.account else {}),
        })
    shown["errors"].extend({"row": error.line, "reason": str(error.reason)} for error in review.errors)


def _summary(batch, account) -> None:
    click.echo(
        f"Imported {batch.file_name} into {account.name} (batch {batch.id}): {batch.rows_in_file} rows "
        f"in the file, {batch.added} added, {batch.matched} matched to pending entries, "
        f"{batch.duplicates} already there, {batch.errors} with errors."
    )


def _open(household, data: bytes, profile_name, date_order, number_style):
    """(format, chunks, the account number the file names, progress total): what the file
    is and how its rows will come."""
    from finora.services.imports.detect import detect_format
    from finora.services.imports.rows import BANK_FORMATS
    from finora.services.imports.stream import chunked

    fmt = detect_format(data)
    if fmt in BANK_FORMATS:
        if profile_name:
            raise fail("--profile applies to CSV and XLSX files only.")
        from finora.services.imports.formats import DateOrderNeeded, NumberStyleNeeded, parse_bank

        try:
            parsed = parse_bank(data, fmt, date_order=date_order, number_style=number_style)
        except DateOrderNeeded as error:
            raise fail(f"{error} Use --date-order ({'|'.join(error.possible)}).") from None
        except NumberStyleNeeded as error:
            raise fail(f"{error} Use --number-style ({'|'.join(error.possible)}).") from None
        return fmt, chunked(parsed.rows, parsed.errors), parsed.account_number, max(len(parsed.rows), 1)
    return _open_table(household, data, fmt, profile_name, date_order, number_style)


def _open_table(household, data: bytes, fmt: str, profile_name, date_order, number_style):
    from finora.services.imports.accounts import AccountNames
    from finora.services.imports.profiles import profile_named, profile_settings
    from finora.services.imports.stream import CsvStream, chunked
    from finora.services.imports.tabular import (
        Mapping,
        TableOptions,
        apply_mapping,
        guess_mapping,
        mapping_problems,
        read_table,
        sniff_options,
    )

    accounts = AccountNames(db.session, household)  # rows that name their own account
    max_columns = current_app.config["IMPORT_MAX_COLUMNS"]
    if profile_name:
        try:
            profile = profile_named(db.session, household, profile_name)
        except FinoraError:
            raise fail(f"No import profile named {profile_name!r} in this account's household.") from None
        saved_options, saved_mapping = profile_settings(profile)
        options = TableOptions.from_dict(saved_options)
        mapping = Mapping.from_dict(saved_mapping)
    else:
        options, mapping = sniff_options(data, fmt), None

    if fmt == "csv":
        stream = CsvStream(data, options, max_columns=max_columns)
        sample = stream.first_table(PREVIEW_ROWS)
    else:
        table = read_table(data, fmt, options, max_rows=None, max_columns=max_columns,
                           max_cells=current_app.config["IMPORT_MAX_CELLS"])
        sample = table
    if mapping is None:
        mapping = guess_mapping(sample)
    if date_order:
        mapping.date_order = date_order
    if number_style:
        mapping.number_style = number_style
    problems = mapping_problems(sample, mapping)
    if problems:
        hint = "" if profile_name else " Save a profile on the import page and pass --profile."
        raise fail("; ".join(str(problem).rstrip(".") for problem in problems) + "." + hint)

    if fmt == "csv":
        def csv_chunks():
            from finora.services.imports.rows import ParsedFile
            from finora.services.imports.stream import Chunk
            from finora.services.imports.tabular.split_rows import SplitGroups

            # A split entry's lines may straddle two chunks: the groups carry over.
            groups = SplitGroups(account_mapped="account" in mapping.columns)
            for part, last_line in stream.tables():
                parsed = apply_mapping(part, mapping, fmt, accounts.name_problem, groups=groups)
                yield Chunk(parsed.rows, parsed.errors, last_line)
            rest = ParsedFile(format=fmt)
            groups.finish(rest)
            if rest.rows or rest.errors:
                yield Chunk(rest.rows, rest.errors, stream.total_lines)

        return fmt, csv_chunks(), None, stream.total_lines
    parsed = apply_mapping(table, mapping, fmt, accounts.name_problem)
    return fmt, chunked(parsed.rows, parsed.errors), None, max(len(parsed.rows), 1)

"""Bringing a household's history in (CSV, XLSX, OFX, QIF, CAMT, MT940), as a pipeline of
small steps the import page, `flask finora import` and (later) the API share:

- staging.py: the uploaded file kept on disk between the page's steps (never in the
  database), for its user in its household, until committed or IMPORT_STAGING_HOURS old.
- detect.py, formats/ (bank statements) and text.py, values.py, tabular/ (spreadsheets):
  bytes to a ParsedFile of ImportedRows and RowErrors (rows.py); parse.py picks the parser.
- keys.py: each row's import key (the bank's id, else a fingerprint plus its occurrence in
  the file), unique per account, so nothing lands twice and twins stay two.
- review.py (with categories.py, suggest.py): what each row would become (new, duplicate,
  a match for a pending entry) and its category (the file's, the history's, the default).
- commit.py: one transaction, one batch, one bulk insert; batches.py: the list and undo.
- profiles.py (saved column mappings), error_rows.py (rows to fix, as CSV), accounts.py
  (the account a statement's number names), stream.py (big files for the command line).

Not here: the rules CSV (planning/), which predates it.
"""

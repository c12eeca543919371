"""Undo: deletions and bulk edits of the ledger kept for a few minutes so the person who
made them can put them back (docs/undo.md).

snapshot: rows as JSON (amounts as integer cents) and the rows a deletion takes with it,
found from the models' foreign keys; restore: the rows inserted again with their ids, or
refused whole; records: the undo_records rows (made, found, used once, purged);
actions: the deletions and bulk edits the pages offer to undo; rule_apply / applied:
categorisation rules applied to existing entries (columns and tag links) and its undo.
"""

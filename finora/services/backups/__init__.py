"""Household and instance backups and their restore (docs/backups.md):

- errors.py: every refusal, with its translated message and a reason for the audit trail.
- codec.py: one row <-> one JSON object, column by column from its type (strict reading).
- container.py: the zip (manifest + JSON Lines) read as a stream, and every check that
  makes a hostile zip harmless; archive_writer.py writes it, manifest.py holds its
  manifest, names and migration heads; encryption.py: scrypt + AES-GCM STREAM.
- household_tables.py, household_archive.py, household_check.py, household_restore.py:
  what a household's archive holds, writing it, checking every row, restoring with new ids.
- instance_tables.py, instance_archive.py, instance_sqlite.py, instance_restore.py: the
  whole installation, and its restore into an empty database of any engine.
- store.py: the files and their rows (private folders, retention); restores.py: the one
  restore sequence pages and CLI share; schedules.py: next runs and the scheduled job.
"""

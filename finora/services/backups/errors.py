"""What can go wrong with a backup archive, each with the message its reader sees.

Every refusal of an archive (damaged, hostile, foreign, too new, wrong passphrase, a bad
row) is a BackupArchiveError: nothing has been written when one is raised, and the caller
audits the attempt (`backup.refused`)."""

from __future__ import annotations

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l


class BackupError(FinoraError):
    """Base of every backup error a page, the CLI or a job reports."""

    message = _l("The backup could not be made or read.")


class BackupArchiveError(BackupError):
    """The archive is refused as a whole; `reason` is a short English code for the audit
    trail and the CLI's one line (damaged, unsafe, foreign, too_new, passphrase, row...)."""

    reason = "invalid"
    status = 422


class DamagedArchiveError(BackupArchiveError):
    message = _l(
        "This backup file is damaged (truncated or changed since it was made): it cannot "
        "be restored."
    )
    reason = "damaged"


class UnsafeArchiveError(BackupArchiveError):
    message = _l(
        "This file is not a safe Finora backup (it holds unexpected paths, links or far "
        "more data than it declares): it was refused."
    )
    reason = "unsafe"


class ForeignArchiveError(BackupArchiveError):
    message = _l("This file is not a Finora backup.")
    reason = "foreign"


class ArchiveTooNewError(BackupArchiveError):
    message = _l(
        "This backup was made by a newer version of Finora: update Finora first, then "
        "restore it."
    )
    reason = "too_new"


class WrongScopeError(BackupArchiveError):
    message = _l(
        "This is an instance backup: it is restored with `flask finora backup "
        "restore-instance`, not into a household."
    )
    reason = "scope"


class PassphraseNeededError(BackupArchiveError):
    message = _l("This backup is encrypted: enter its passphrase.")
    reason = "passphrase_needed"
    field = "passphrase"


class WrongPassphraseError(BackupArchiveError):
    message = _l("The passphrase is wrong for this backup (or the file was changed).")
    reason = "passphrase"
    field = "passphrase"


class ArchiveRowError(BackupArchiveError):
    """One row of one table is wrong (type, length, a reference to nothing, an unknown
    table or field): the message names the table, the line and the reason."""

    reason = "row"

    def __init__(self, table: str, line: int, detail) -> None:
        from finora.translation import gettext as _

        self.table, self.line, self.detail = table, line, detail
        super().__init__(
            _(
                "This backup holds a wrong row (table %(table)s, line %(line)s: %(detail)s): "
                "nothing was restored.",
                table=table, line=line, detail=detail,
            )
        )


class NotEmptyDatabaseError(BackupError):
    message = _l(
        "The database is not empty: an instance backup is restored only into a new, "
        "migrated database with no users and no households."
    )
    status = 409


class BackupMissingError(BackupError):
    message = _l("The backup file is no longer on disk.")
    status = 404

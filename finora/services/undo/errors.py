"""Why an undo was refused: each message is shown as it is, and nothing was changed."""

from __future__ import annotations

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l


class UndoExpiredError(FinoraError):
    message = _l("It is too late to undo this: a change can be undone for 10 minutes.")
    status = 409


class UndoUsedError(FinoraError):
    message = _l("This was already undone.")
    status = 409


class UndoBlockedError(FinoraError):
    message = _l(
        "This cannot be undone: something it belongs to (an account, a category or an entry) "
        "was deleted since. Nothing was changed."
    )
    status = 409


class UndoConflictError(FinoraError):
    message = _l(
        "This cannot be undone: it was changed since, or something saved since takes its "
        "place (the same imported row or rule occurrence). Nothing was changed."
    )
    status = 409

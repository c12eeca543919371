"""Domain errors: each class carries its translated message and HTTP status."""

from __future__ import annotations

from finora.translation import lazy_gettext as _l


class FinoraError(Exception):
    """Base of every error a service raises for a user to read."""

    message = _l("Something went wrong.")
    status = 400
    field: str | None = None

    def __init__(self, message=None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotFoundError(FinoraError):
    message = _l("Not found.")
    status = 404


class FieldError(FinoraError):
    """A value that belongs to one form field; the form shows the message beside it."""

    def __init__(self, field: str, message) -> None:
        super().__init__(message)
        self.field = field


class MalformedRequestError(FinoraError):
    """A body the endpoint cannot read (broken JSON, wrong types): 400, never a 500."""

    message = _l("The request could not be read. Reload the page and try again.")
    status = 400

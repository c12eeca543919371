"""A stored run error (a code and a safe detail) in the reader's language."""

from __future__ import annotations

from finora.services.integrations.email_import.errors import ERROR_MESSAGES
from finora.translation import gettext as _


def error_text(code: str | None, detail: str | None = None) -> str | None:
    """The message for an error code (the engine's ERROR_MESSAGES), its detail after it;
    a code this version does not know is named as stored."""
    if not code:
        return None
    message = ERROR_MESSAGES.get(code)
    text = str(message) if message is not None else _("The last run failed (%(code)s).", code=code)
    return f"{text} ({detail})" if detail else text

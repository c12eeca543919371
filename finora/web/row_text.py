"""The words of a transaction row, translated once per page instead of about eight times a row.

A template's `_('Edit')` goes through Jinja's context call, Markup and `%` on every row;
a 50-row table made about 450 of them a page. `transaction_row_text()` gives the same
Markup strings, looked up once per request and catalogue: the messages with a name keep
their `%(name)s`, and the row fills it in with `text.x % {'name': ...}`, which escapes
the name exactly as Jinja's gettext does (Markup % variables).
"""

from __future__ import annotations

from flask import g
from markupsafe import Markup

from finora.translation import current_translations


def N_(message: str) -> str:
    """Marks a message for `make translations` (pybabel's default keywords); translated later."""
    return message


# Key -> msgid, as the row template used them (`_()` in templates/transactions/_row.html).
_MESSAGES = {
    "notes": N_("Notes: %(notes)s"),
    "mark_not_received": N_("Mark %(name)s as not received"),
    "mark_not_received_title": N_("Mark as not received"),
    "mark_not_paid": N_("Mark %(name)s as not paid"),
    "mark_not_paid_title": N_("Mark as not paid"),
    "mark_received": N_("Mark %(name)s as received"),
    "mark_received_title": N_("Mark as received"),
    "mark_paid": N_("Mark %(name)s as paid"),
    "mark_paid_title": N_("Mark as paid"),
    "more_actions": N_("More actions for %(name)s"),
    "edit": N_("Edit"),
    "duplicate": N_("Duplicate"),
    "delete": N_("Delete"),
    "tick": N_("Tick %(name)s"),
    "split": N_("Split"),
    "split_title": N_("Split between categories"),
    "route": N_("%(source)s → %(target)s"),
    "transfer": N_("Transfer"),
    "transfer_between": N_("Transfer between accounts"),
    "edit_transfer": N_("Edit transfer %(name)s"),
    "delete_transfer": N_("Delete transfer %(name)s"),
}
_PLAIN = {"mark_not_received_title", "mark_not_paid_title", "mark_received_title", "mark_paid_title",
          "edit", "duplicate", "delete", "transfer", "transfer_between", "split", "split_title"}


def transaction_row_text() -> dict[str, Markup]:
    """The row's words in the request's language: kept for the request, tied to the
    catalogue they came from (a `force_locale` block or a language switch gets its own)."""
    translations = current_translations()
    try:
        held = g.finora_row_text
        if held[0] is translations:
            return held[1]
    except AttributeError:
        pass
    # The catalogue's own text is markup-safe, as Jinja's gettext (autoescape) takes it.
    text = {key: Markup(translations.ugettext(msgid)) for key, msgid in _MESSAGES.items()}  # noqa: S704
    for key in _PLAIN:  # Jinja's gettext formats even a message without variables
        text[key] = text[key] % {}
    g.finora_row_text = (translations, text)
    return text

"""What saving or resuming a rule posted at once, told in the flash after the redirect."""

from __future__ import annotations

from flask import flash

from finora.i18n import date_filter
from finora.services.planning.posting import PostedNow
from finora.translation import gettext as _
from finora.translation import ngettext

# Dates named in the flash; a longer list ends with "and N more".
SHOWN_DATES = 5


def posted_message(posted: PostedNow) -> str | None:
    """"2 entries posted: 1/10/26, 2/10/26." — or None when nothing was posted."""
    days = [occurrence.date for occurrence in posted.occurrences]
    if not days:
        return None
    shown = ", ".join(date_filter(day, "short") for day in days[:SHOWN_DATES])
    if len(days) > SHOWN_DATES:
        shown = _("%(dates)s and %(num)d more", dates=shown, num=len(days) - SHOWN_DATES)
    message = ngettext(
        "%(num)d entry posted: %(dates)s.", "%(num)d entries posted: %(dates)s.", len(days),
        dates=shown,
    )
    if posted.more_due:
        message += " " + _("More occurrences are due; the next scheduled run posts them.")
    return message


def flash_posted(posted: PostedNow) -> None:
    message = posted_message(posted)
    if message:
        flash(message, "success")

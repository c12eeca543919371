"""What the backup centre shows: the list with who made each backup, the schedule and its
health, and the forms (each kept as typed when it comes back with an error)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, render_template, session
from flask_babel import format_decimal, get_locale
from flask_login import current_user
from sqlalchemy import select

from finora.extensions import db
from finora.models import Household, User
from finora.services.backups import schedules, store
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.backups.forms import CreateBackupForm, RestoreUploadForm, ScheduleForm
from finora.web.forms import EmptyForm

KIND_LABELS = {
    "manual": _l("Made by hand"),
    "scheduled": _l("Automatic"),
    "pre_restore": _l("Before a restore"),
    "pre_update": _l("Before an update"),
}
# Set after a restore into a new household, read (once) by the centre to offer the switch.
RESTORED_KEY = "backup_restored_household"
UNITS = ((1024**3, "GB"), (1024**2, "MB"), (1024, "KB"))


def file_size(size: int) -> str:
    """1.2 MB, 340 KB, 512 bytes: in the reader's number format."""
    for factor, unit in UNITS:
        if size >= factor:
            return f"{format_decimal(size / factor, format='#,##0.0')} {unit}"
    return f"{format_decimal(size, format='#,##0')} B"


def holdings(counts: dict | None) -> str | None:
    """"3 accounts, 1200 entries, ...": the rows of a backup a person recognises (None when
    the row counts are unknown, as for a SQLite instance file)."""
    if not counts:
        return None

    def count(table: str) -> int:
        return int(counts.get(table, 0))

    return ", ".join([
        ngettext("%(num)d account", "%(num)d accounts", count("accounts")),
        ngettext("%(num)d entry", "%(num)d entries", count("entries")),
        ngettext("%(num)d transfer", "%(num)d transfers", count("transfers")),
        ngettext("%(num)d recurring rule", "%(num)d recurring rules", count("recurring_rules")),
        ngettext("%(num)d budget", "%(num)d budgets", count("budgets")),
        ngettext("%(num)d goal", "%(num)d goals", count("goals")),
    ])


def household_time(moment: datetime | None, household: Household) -> str | None:
    """A moment in the household's time zone (where the schedule's hour lives), whatever the
    reader's own zone."""
    if moment is None:
        return None
    return format_datetime(
        moment, "short", tzinfo=ZoneInfo(household.timezone), locale=str(get_locale() or "pt")
    )


def people_names(backups) -> dict[int, str]:
    ids = {backup.created_by_id for backup in backups if backup.created_by_id}
    if not ids:
        return {}
    return {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def schedule_form(household: Household) -> ScheduleForm:
    """The schedule as saved, else the defaults: daily at 03:00, keeping the configured
    count — with the switch off until saved, so the page never shows automatic backups a
    household does not have."""
    schedule = schedules.get_schedule(db.session, household.id)
    form = ScheduleForm(formdata=None, obj=schedule, prefix="schedule")
    if schedule is None:
        form.enabled.data = False
    else:
        form.weekday.data = schedule.weekday if schedule.weekday is not None else 0
        form.day_of_month.data = schedule.day_of_month or 1
    return form


def restored_household() -> Household | None:
    """The household a restore just made, if the reader belongs to it (shown once)."""
    wanted = session.pop(RESTORED_KEY, None)
    membership = next((m for m in current_user.memberships if m.household_id == wanted), None)
    return membership.household if membership is not None else None


def centre_page(household: Household, status: int = 200, **forms):
    backups = store.list_backups(db.session, household.id)
    return render_template(
        "backups/index.html",
        household=household,
        backups=backups,
        people=people_names(backups),
        schedule=schedules.get_schedule(db.session, household.id),
        create_form=forms.get("create_form") or CreateBackupForm(formdata=None, prefix="create"),
        schedule_form=forms.get("schedule_form") or schedule_form(household),
        restore_form=forms.get("restore_form") or RestoreUploadForm(formdata=None, prefix="restore"),
        button=EmptyForm(formdata=None),
        restored=restored_household(),
        kind_labels=KIND_LABELS,
        file_size=file_size,
        household_time=household_time,
        verify_text=store.verify_message,
        scheduler_on=current_app.config["ENABLE_BACKUP_SCHEDULER"],
    ), status

"""/about: the version for everyone; for the global admin the channel, what is new, the last
check, "Check now" and the apply form (or, in a container, the commands to pull the image).

Checking and applying are the services' (services/updates/check.py, apply.py); this module
checks who asks, the password and the confirmation, commits, and shows the outcome.
"""

from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people.auth import WrongCurrentPasswordError, check_current_password
from finora.services.updates.apply import check_can_apply
from finora.services.updates.check import check_for_updates, find_release, update_status
from finora.services.updates.errors import UpdateError
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth.signin import client_source
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.updates import bp
from finora.web.updates.background import (
    ApplyOutcome,
    StepOutcome,
    start_apply,
    web_apply_record,
)
from finora.web.updates.forms import ApplyForm
from finora.web.updates.results import last_apply, status_label, step_label

WRONG_PASSWORD = _l("The password is not correct.")
NEWER_KNOWN = _l("A newer release is known now: read its notes below and apply again.")
NOTHING_TO_APPLY = _l("There is no update to apply on this channel.")
APPLYING = _l("An update is being applied right now: wait for it to finish.")
RELOADER = _l(
    "This server runs with the development reloader (FLASK_DEBUG=1), which restarts it as "
    "soon as a file changes, in the middle of the update: stop it and run "
    "“flask --app app finora update apply”, or start it without FLASK_DEBUG."
)
REFRESH_SECONDS = 3
STALLED_AFTER_SECONDS = 3600  # beyond two migration timeouts: its process is gone
CHANNEL_LABELS = {"stable": _l("Stable"), "beta": _l("Beta")}
CONTAINER_COMMANDS = "docker compose pull && docker compose up -d"


def _admin_only() -> None:
    """Checking and applying are the global admin's; anyone else gets 403 (the page itself
    is theirs to read, so its existence is no secret)."""
    if not current_user.is_admin:
        abort(403)


def _about_page(form: ApplyForm | None = None, status_code: int = 200):
    if not current_user.is_admin:
        return render_template("updates/about.html", admin=False)
    status = update_status(db.session)
    if form is None and status.can_apply:
        form = ApplyForm(version=status.available.version)
    return render_template(
        "updates/about.html",
        admin=True,
        status=status,
        form=form if status.can_apply else None,
        check_form=EmptyForm(),
        last=last_apply(db.session),
        applying=_applying(),
        container_commands=CONTAINER_COMMANDS,
        channel_labels=CHANNEL_LABELS,
    ), status_code


def _applying() -> ApplyOutcome | None:
    """The apply started from this page while it still runs (None once it ended or stalled)."""
    outcome = web_apply_record(db.session)
    return outcome if outcome is not None and outcome.state == "running" and not _stalled(outcome) else None


@bp.get("/about")
def about():
    return _about_page()


@bp.post("/about/check")
def check():
    _admin_only()
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("updates.about"))
    record = check_for_updates(db.session)  # records problems instead of raising them
    db.session.commit()
    if record.ok:
        flash(_("Checked: the latest version on this channel is %(version)s.",
                version=record.latest or current_app.config["VERSION"]), "success")
    else:
        flash(_("The check did not succeed: %(reason)s", reason=record.error_message), "warning")
    return redirect(url_for("updates.about"))


@bp.post("/about/apply")
def apply():
    _admin_only()
    form = ApplyForm()
    if not form.validate_on_submit():
        return _about_page(form, 422)
    user = current_user._get_current_object()
    try:
        check_current_password(db.session, user, form.password.data, client_source(),
                               field="password", message=WRONG_PASSWORD)
    except WrongCurrentPasswordError as error:
        db.session.commit()  # the failure counts toward the lockout
        show_error(form, error)
        return _about_page(form, 422)
    except FinoraError as error:  # too many wrong passwords from here
        show_error(form, error)
        return _about_page(form, error.status)
    db.session.commit()  # a right password clears this source's count
    if _applying() is not None:
        form.form_errors.append(str(APPLYING))
        return _about_page(form, 409)
    if os.environ.get("WERKZEUG_RUN_MAIN") == "true":  # a child of Werkzeug's reloader
        form.form_errors.append(str(RELOADER))
        return _about_page(form, 409)
    status = update_status(db.session)
    if status.available is None:
        form.form_errors.append(str(NOTHING_TO_APPLY))
        return _about_page(form, 409)
    if status.available.version != form.version.data:
        form.form_errors.append(str(NEWER_KNOWN))
        return _about_page(form, 409)
    if not status.can_apply:  # a container, no package...: the page said so, a POST anyway
        form.form_errors.append(status.apply_blocker_message or str(NOTHING_TO_APPLY))
        return _about_page(form, 409)
    release = find_release(db.session, form.version.data)
    try:
        # What refuses an apply before anything is done, said on the form; the rest (the
        # lock, a code folder it cannot write) is said on the result page.
        check_can_apply(current_app.config, release, status.installed, user)
    except UpdateError as error:
        show_error(form, error)
        return _about_page(form, error.status)
    _warm_result_page(release)
    start_apply(current_app._get_current_object(), db.session, release=release, user=user,
                from_version=status.installed)
    return redirect(url_for("updates.result"))


@bp.get("/about/update")
def result():
    """The apply started from /about: running (the page reloads itself), then its report."""
    _admin_only()
    outcome = web_apply_record(db.session)
    if outcome is None:
        return redirect(url_for("updates.about"))
    return _result_page(outcome)


def _result_page(outcome: ApplyOutcome):
    return render_template(
        "updates/result.html", report=outcome, step_label=step_label, status_label=status_label,
        refresh_seconds=REFRESH_SECONDS, stalled=_stalled(outcome),
    )


def _stalled(outcome: ApplyOutcome) -> bool:
    """Running far longer than any apply can (its process was killed)."""
    limit = int(current_app.config["UPDATE_MIGRATION_TIMEOUT_SECONDS"]) * 2 + STALLED_AFTER_SECONDS
    return (outcome.state == "running" and outcome.started_at is not None
            and (now_utc() - outcome.started_at).total_seconds() > limit)


def _warm_result_page(release) -> None:
    """Load the result page's templates before the files change: Jinja keeps them (no
    auto-reload in production), so a process not yet restarted draws it with its own code."""
    preview = ApplyOutcome("finished", release.version, current_app.config["VERSION"],
                           status="applied", steps=[StepOutcome("backup", True)])
    _result_page(preview)

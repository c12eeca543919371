"""/about: the version for everyone; for the global admin the channel, what is new, the last
check, "Check now" and the apply form (or, in a container, the commands to pull the image).

Checking and applying are the services' (services/updates/check.py, apply.py); this module
checks who asks, the password and the confirmation, commits, and shows the outcome.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people.auth import WrongCurrentPasswordError, check_current_password
from finora.services.updates.apply import ApplyReport, Step, apply_update
from finora.services.updates.check import check_for_updates, find_release, update_status
from finora.services.updates.errors import UpdateError
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.web.auth.signin import client_source
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm
from finora.web.updates import bp
from finora.web.updates.forms import ApplyForm
from finora.web.updates.results import last_apply, status_label, step_label

WRONG_PASSWORD = _l("The password is not correct.")
NEWER_KNOWN = _l("A newer release is known now: read its notes below and apply again.")
NOTHING_TO_APPLY = _l("There is no update to apply on this channel.")
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
        container_commands=CONTAINER_COMMANDS,
        channel_labels=CHANNEL_LABELS,
    ), status_code


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
    try:
        release = find_release(db.session, form.version.data)
        _warm_result_page(release)
        report = apply_update(db.session, release=release, user=user)
    except UpdateError as error:  # refused before anything changed (container, lock...)
        show_error(form, error)
        return _about_page(form, error.status)
    db.session.commit()
    # Shown from this response, not after a redirect: once the files are replaced the next
    # request may meet new code on disk in this old process.
    return render_template("updates/result.html", report=report, step_label=step_label,
                           status_label=status_label)


def _warm_result_page(release) -> None:
    """Load the result page's templates before the files change: Jinja then keeps them
    (no auto-reload in production), so the page is drawn by the code that ran the apply."""
    preview = ApplyReport(status="applied", version=release.version,
                          from_version=current_app.config["VERSION"], backup_id=None,
                          steps=[Step("backup", True, "")], restart="manual")
    render_template("updates/result.html", report=preview, step_label=step_label,
                    status_label=status_label)

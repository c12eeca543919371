"""Users list with approve, disable and enable actions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from finora.dates import now_utc
from finora.errors import FinoraError
from finora.extensions import db
from finora.models import SchedulerLease, User
from finora.models.user import USER_STATUSES
from finora.services.users import approve_user, disable_user, enable_user, users_query
from finora.web.admin import bp
from finora.web.forms import EmptyForm

PER_PAGE = 25


@bp.get("/users")
def users():
    search = request.args.get("q", "").strip()
    status = request.args.get("status", "")
    if status not in USER_STATUSES:
        status = ""
    page = db.paginate(users_query(search, status), per_page=PER_PAGE, error_out=False)
    return render_template(
        "admin/users.html", page=page, search=search, status=status, form=EmptyForm()
    )


_ACTIONS = {
    "approve": (approve_user, lambda u: _("%(email)s can now sign in.", email=u.email)),
    "disable": (disable_user, lambda u: _("%(email)s is disabled.", email=u.email)),
    "enable": (enable_user, lambda u: _("%(email)s is active again.", email=u.email)),
}


@bp.post("/users/<int:user_id>/<action>")
def user_action(user_id: int, action: str):
    if action not in _ACTIONS:
        abort(404)
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service, message = _ACTIONS[action]
    try:
        service(db.session, user)
    except FinoraError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(message(user), "success")
    return redirect(request.referrer if _same_admin_page(request.referrer) else url_for("admin.users"))


def _same_admin_page(referrer: str | None) -> bool:
    from urllib.parse import urlsplit

    if not referrer:
        return False
    parts = urlsplit(referrer)
    return parts.netloc == request.host and parts.path == url_for("admin.users")


@bp.get("/status")
def status():
    """Real liveness: each job's last run and last success, and who holds the lease."""
    from finora.jobs import JOBS, LEASE_NAME
    from finora.services.job_status import job_statuses

    return render_template(
        "admin/status.html",
        jobs=job_statuses(db.session, list(JOBS)),
        lease=db.session.get(SchedulerLease, LEASE_NAME),
        now=now_utc(),
    )

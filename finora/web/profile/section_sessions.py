"""Profile section "Sessions": where the user is signed in, and signing those out."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from finora.extensions import db
from finora.services.people.device_labels import browser_and_system
from finora.services.people.user_sessions import (
    live_sessions,
    revoke_other_sessions,
    revoke_session,
)
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.auth.signin import current_user_session, sign_out
from finora.web.forms import EmptyForm
from finora.web.profile import bp
from finora.web.profile.sections import Section, register


def session_label(record) -> str:
    """The session's device in the reader's language ("Firefox no Linux")."""
    browser, system = browser_and_system(record.user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


@bp.get("/profile/sessions")
def sessions():
    user = current_user._get_current_object()
    here = current_user_session()
    rows = live_sessions(db.session, user)
    return render_template(
        "profile/sessions.html", rows=rows, here_id=here.id if here else None,
        session_label=session_label, form=EmptyForm(),
    )


@bp.post("/profile/sessions/<int:session_id>/revoke")
def revoke(session_id: int):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("profile.sessions"))
    user = current_user._get_current_object()
    here = current_user_session()
    if here is not None and here.id == session_id:  # "sign out this device" on this device
        sign_out()
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"))
    revoke_session(db.session, user, session_id)  # another user's session: 404
    db.session.commit()
    flash(_("That session was signed out."), "success")
    return redirect(url_for("profile.sessions"))


@bp.post("/profile/sessions/revoke-others")
def revoke_others():
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("profile.sessions"))
    user = current_user._get_current_object()
    here = current_user_session()
    ended = revoke_other_sessions(db.session, user, keep_session_id=here.id if here else None)
    db.session.commit()
    flash(
        ngettext("%(num)d other session was signed out.", "%(num)d other sessions were signed out.", ended),
        "success",
    )
    return redirect(url_for("profile.sessions"))


def _summary(user) -> str:
    count = len(live_sessions(db.session, user))
    return ngettext("%(num)d active session", "%(num)d active sessions", count)


register(Section("sessions", _l("Sessions"), "profile.sessions", "bi-laptop", 40, summary=_summary))

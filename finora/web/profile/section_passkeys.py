"""Profile section "Passkeys": list, add (static/js/passkeys.js), rename and remove."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import Length

from finora.errors import FinoraError
from finora.extensions import db
from finora.services.people.passkeys import (
    NAME_MAX,
    count_passkeys,
    passkeys_of,
    remove_passkey,
    rename_passkey,
)
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.translation import ngettext
from finora.web.auth import passkey_views  # noqa: F401 - registers the ceremonies' routes
from finora.web.auth.passkey_support import passkey_obstacle
from finora.web.form_errors import show_error
from finora.web.forms import EmptyForm, Form
from finora.web.profile import bp
from finora.web.profile.sections import Section, register


class AddPasskeyForm(Form):
    """Read by the script, which sends both values to the options endpoint."""

    name = StringField(
        _l("Name"),
        validators=[Length(max=NAME_MAX)],
        description=_l("Where this passkey lives, e.g. “Work laptop” or “Phone”."),
        render_kw={"autocomplete": "off", "maxlength": NAME_MAX},
    )
    password = PasswordField(
        _l("Current password"),
        description=_l("Confirms it is you before a new way to sign in is added."),
        render_kw={"autocomplete": "current-password"},
    )


class RenamePasskeyForm(Form):
    name = StringField(_l("Name"), render_kw={"autocomplete": "off", "maxlength": NAME_MAX})


def _summary(user) -> str:
    count = count_passkeys(db.session, user)
    if not count:
        return _("Not available on this server") if passkey_obstacle() else _("None yet")
    return ngettext("%(num)d passkey", "%(num)d passkeys", count)


register(
    Section(
        "passkeys", _l("Passkeys"), "profile.passkeys", "bi-fingerprint", 60, summary=_summary
    )
)


def _page(add_form=None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "profile/passkeys.html",
        passkeys=passkeys_of(db.session, user),
        add_form=add_form or AddPasskeyForm(formdata=None),
        delete_form=EmptyForm(),
    ), status


@bp.get("/profile/passkeys")
def passkeys():
    return _page()


@bp.route("/profile/passkeys/<int:passkey_id>/rename", methods=["GET", "POST"])
def rename_passkey_page(passkey_id: int):
    user = current_user._get_current_object()
    passkey = next((p for p in passkeys_of(db.session, user) if p.id == passkey_id), None)
    if passkey is None:
        abort(404)
    form = RenamePasskeyForm(data={"name": passkey.name})
    if form.validate_on_submit():
        try:
            rename_passkey(db.session, user, passkey_id, form.name.data)
        except FinoraError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Passkey renamed."), "success")
            return redirect(url_for("profile.passkeys"))
    status = 422 if form.is_submitted() else 200
    return render_template("profile/passkey_rename.html", form=form, passkey=passkey), status


@bp.post("/profile/passkeys/<int:passkey_id>/delete")
def delete_passkey(passkey_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    remove_passkey(db.session, current_user._get_current_object(), passkey_id)
    db.session.commit()
    flash(_("Passkey removed. It can no longer be used to sign in."), "success")
    return redirect(url_for("profile.passkeys"))

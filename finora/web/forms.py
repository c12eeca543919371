"""Forms shared across blueprints, and the base class every form of the app derives from."""

from __future__ import annotations

from flask import abort, request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from werkzeug.datastructures import ImmutableMultiDict
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation
from wtforms.widgets import HiddenInput

from finora.i18n import LANGUAGES
from finora.translation import lazy_gettext as _l

NUL_MESSAGE = _l("Remove the invisible control character (NUL) from this text.")
LINE_BREAK_MESSAGE = _l("Write this on one line, without line breaks.")


def refuse_nul(_form, field) -> None:
    """PostgreSQL cannot store a NUL character: refused beside the field, the text kept."""
    if any("\x00" in value for value in _texts(field)):
        raise StopValidation(str(NUL_MESSAGE))


def refuse_line_breaks(_form, field) -> None:
    """A one-line value (a name, an e-mail) ends up in mail headers and log lines."""
    if any(char in value for value in _texts(field) for char in "\r\n\x0b\x0c\x85\u2028\u2029"):
        raise StopValidation(str(LINE_BREAK_MESSAGE))


def _texts(field) -> list[str]:
    return [value for value in (field.raw_data or []) if isinstance(value, str)]


def _is_single_line(field) -> bool:
    # Passwords may hold any character the user chose; hidden fields show no error to fix.
    return not isinstance(field, TextAreaField | PasswordField | HiddenField)


def _json_formdata() -> ImmutableMultiDict:
    """A JSON body as form data: an object of plain values, else 400 (never a 500)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str | int | float | bool) or item is None:
                pairs.append((key, "" if item is None else str(item)))
    return ImmutableMultiDict(pairs)


class Form(FlaskForm):
    """FlaskForm plus the checks every text input needs: no NUL anywhere, no line break in a
    one-line field (checked first, before the field's own validators or any lookup)."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                checks = [refuse_nul]
                if _is_single_line(field):
                    checks.append(refuse_line_breaks)
                field.validators = [*checks, *field.validators]
            return field

        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json and not request.form and not request.files:
                if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                    return _json_formdata()
            return super().wrap_formdata(form, formdata)


class _HiddenInputWithoutId(HiddenInput):
    """A hidden input with no id: nothing refers to it, and it may repeat on a page."""

    def __call__(self, field, **kwargs):
        kwargs["id"] = False  # WTForms leaves out an attribute whose value is False
        return super().__call__(field, **kwargs)


class EmptyForm(Form):
    """CSRF only: for POST buttons (sign out, approve, ...). One form often serves a button on
    every row of a list, so its token field carries no id (ids are unique on a page)."""

    class Meta(Form.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, CSRFTokenField):
                field.widget = _HiddenInputWithoutId()
            return field


class LanguageForm(Form):
    locale = SelectField(
        choices=lambda: [SelectChoice(code, label) for code, label in LANGUAGES.items()]
    )
    next = HiddenField()

"""Forms shared across blueprints."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from finora.i18n import LANGUAGES


class EmptyForm(FlaskForm):
    """CSRF only: for POST buttons (sign out, approve, ...)."""


class LanguageForm(FlaskForm):
    locale = SelectField(
        choices=lambda: [SelectChoice(code, label) for code, label in LANGUAGES.items()]
    )
    next = HiddenField()

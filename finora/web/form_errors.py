"""Putting a service's error where the user will see it: beside its field, else on top."""

from __future__ import annotations

from flask_wtf import FlaskForm

from finora.errors import FinoraError
from finora.extensions import db


def show_error(form: FlaskForm, error: FinoraError) -> None:
    """Roll back the failed work and attach the message to the form."""
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))

"""The hidden form-token field of create and edit forms (finora.services.system.form_tokens)."""

from __future__ import annotations

from flask import current_app, flash
from flask_login import current_user
from wtforms import HiddenField
from wtforms.validators import ValidationError

from finora.extensions import db
from finora.services.system.form_tokens import (
    FormTokenError,
    check_form_token,
    consume_form_token,
    issue_form_token,
)
from finora.tenancy import require_household
from finora.translation import gettext as _


def _issue() -> str:
    return issue_form_token(require_household(), current_user._get_current_object())


class FormTokenField(HiddenField):
    """A fresh token when the form is rendered; the submitted one (kept when the form is
    shown again after an error) when it is posted.

    A missing, forged or expired token is a form error, and the form shown again gets a
    fresh token, so pressing Save once more works. Test clients that turn CSRF off post
    hand-built forms: there a missing token is allowed (nothing is then de-duplicated).
    """

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if formdata is None:  # rendering, not a submission
            self.data = _issue()

    def pre_validate(self, form) -> None:
        if not self.data and not current_app.config.get("WTF_CSRF_ENABLED", True):
            return
        try:
            check_form_token(self.data, require_household(), current_user._get_current_object())
        except FormTokenError as error:
            message = str(error.message)
            form.form_errors.append(message)  # a hidden field shows no error of its own
            self.data = _issue()
            raise ValidationError(message) from error

    @property
    def submitted(self) -> bool:
        """Whether there is a token to consume (always, unless CSRF is off for tests)."""
        return bool(self.data)


def first_submission(form) -> bool:
    """Take the form's token for this submission, before its write and in its transaction.

    False, with a message for the user, when an earlier submission of the same rendered
    form already saved: the caller then saves nothing and goes where that one went."""
    field = form.form_token
    if not field.submitted:
        return True
    if consume_form_token(
        db.session, require_household(), current_user._get_current_object(), field.data
    ):
        return True
    flash(_("This form was already submitted, so it was not saved a second time."), "info")
    return False

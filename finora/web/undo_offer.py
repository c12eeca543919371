"""The flash that offers Undo after a deletion or a bulk edit, and the form its button posts.

The flashed message is a small dict (the text and the undo record's id) that
templates/_flashes.html draws with a POST button; the form's CSRF and one-time form token
are made when the page showing it is drawn."""

from __future__ import annotations

from flask import flash, request
from wtforms import HiddenField

from finora.models import UndoRecord
from finora.tenancy import current_household
from finora.web.form_token import FormTokenField
from finora.web.forms import EmptyForm


class UndoForm(EmptyForm):
    form_token = FormTokenField()
    next = HiddenField()


def flash_undo(message: str, record: UndoRecord) -> None:
    flash({"text": str(message), "undo_id": record.id}, "success")


def undo_form() -> UndoForm | None:
    """A fresh form for a flash's Undo button (never the submitted data of this request);
    None on a page outside any household (the message is then shown without the button)."""
    if current_household() is None:
        return None
    form = UndoForm(formdata=None)
    form.next.data = request.full_path.rstrip("?")
    return form

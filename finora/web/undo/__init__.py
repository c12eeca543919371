"""Undo: the button in the flash after a deletion or a bulk edit (docs/undo.md)."""

from flask import Blueprint

bp = Blueprint("undo", __name__)

from finora.web.undo import views  # noqa: E402,F401

"""Entries."""

from flask import Blueprint

bp = Blueprint("entries", __name__)

from finora.web.entries import split_views, views  # noqa: E402,F401

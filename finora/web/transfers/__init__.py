"""Transfers."""

from flask import Blueprint

bp = Blueprint("transfers", __name__)

from finora.web.transfers import views  # noqa: E402,F401

"""Accounts."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from finora.web.accounts import statements, views  # noqa: E402,F401

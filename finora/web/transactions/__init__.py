"""Transactions: every entry and transfer of the household, searched and paged."""

from flask import Blueprint

bp = Blueprint("transactions", __name__)

from finora.web.transactions import bulk, views  # noqa: E402,F401

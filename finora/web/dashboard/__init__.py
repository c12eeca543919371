"""The signed-in home: the monthly dashboard."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from finora.web.dashboard import views  # noqa: E402,F401

"""Public pages: welcome, language choice, health check."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from finora.web.public import demo_views, views  # noqa: E402,F401

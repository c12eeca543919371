"""The installable app's shell: the web app manifest, the service worker at the root scope
and the offline page (about the app, not a household: PERSONAL_BLUEPRINTS)."""

from flask import Blueprint

bp = Blueprint("pwa", __name__)


from finora.web.pwa import views  # noqa: E402,F401

"""The web app manifest, the service worker (served from the root so its scope is the whole
app) and the branded offline page the worker shows when a page cannot be reached."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_login import current_user

from finora.i18n import current_language
from finora.translation import gettext as _
from finora.version import __version__
from finora.web.pwa import bp

# Colours of the browser's and the installed app's frame: the navbar's tint and the page's
# background in the light and the dark theme (Bootstrap's bg-body-tertiary and body-bg).
THEME = {"light": "#f8f9fa", "dark": "#2b3035"}
BACKGROUND = {"light": "#ffffff", "dark": "#212529"}
ICONS = (
    ("img/icons/icon-192.png", "192x192", "any"),
    ("img/icons/icon-512.png", "512x512", "any"),
    ("img/icons/maskable-512.png", "512x512", "maskable"),
)
START_URL = "/dashboard"
# The read-only pages a device may keep for offline reading (when its person chooses to):
# the dashboard, the forecast and the reports, never their downloads (.csv, .pdf, .xlsx).
OFFLINE_PAGES = (
    r"^/dashboard(/\d{4}(/\d{1,2})?)?$",
    r"^/forecast$",
    r"^/reports/(month|year|accounts|budget|net-worth)?$",
)


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "id": "/",
        "name": "Finora",
        "short_name": "Finora",
        "description": _("Self-hosted household finance"),
        "lang": current_language(),
        "start_url": START_URL,
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME["light"],
        "background_color": BACKGROUND["light"],
        # The dark-mode colours (a proposed manifest member; browsers without it ignore it,
        # and the theme-color metas of every page carry the dark colour too).
        "user_preferences": {
            "color_scheme_dark": {
                "theme_color": THEME["dark"],
                "background_color": BACKGROUND["dark"],
            }
        },
        "icons": [
            {"src": url_for("static", filename=path), "sizes": sizes, "type": "image/png",
             "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = current_app.response_class(
        current_app.json.dumps(body), mimetype="application/manifest+json"
    )
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker():
    """The worker, with the app's version (and its static files' fingerprint) in its cache
    names: a new release is a new worker, whose activation deletes the old caches."""
    script = render_template(
        "pwa/sw.js",
        version=cache_version(),
        offline_url=url_for("pwa.offline"),
        start_url=START_URL,
        precache=[url_for("pwa.offline"), *offline_page_assets()],
        offline_pages=OFFLINE_PAGES,
    )
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    """The page the worker shows for a page it cannot reach (nothing about anyone on it:
    the worker keeps it for every visitor of this browser)."""
    response = current_app.make_response(render_template("pwa/offline.html"))
    response.headers["Content-Language"] = current_language()
    return response


@bp.app_context_processor
def _pwa_globals():
    return {"pwa_theme": THEME, "pwa_worker_url": _worker_url}


def _worker_url() -> str | None:
    """Signed-in pages register the worker; a signed-out browser keeps nothing."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return url_for("pwa.service_worker")


def offline_page_assets() -> list[str]:
    """What the offline page needs to show itself without a network."""
    return [
        url_for("static", filename="vendor/bootstrap-5.3.8/css/bootstrap.min.css"),
        url_for("static", filename="vendor/bootstrap-icons-1.13.2/bootstrap-icons.min.css"),
        url_for("static", filename="vendor/bootstrap-icons-1.13.2/fonts/bootstrap-icons.woff2"),
        url_for("static", filename="css/finora.css"),
        url_for("static", filename="js/theme.js"),
        url_for("static", filename="js/pwa.js"),
        url_for("static", filename="img/favicon.svg"),
    ]


def cache_version() -> str:
    """The app's version and a fingerprint of its static files (a deployment that changes a
    file without a new version still replaces the cached copy); recomputed on each request in
    debug mode, where files change under a running server."""
    if current_app.debug:
        return f"{__version__}-{_fingerprint.__wrapped__(current_app.static_folder)}"
    return f"{__version__}-{_fingerprint(current_app.static_folder)}"


@cache
def _fingerprint(folder: str) -> str:
    digest = hashlib.sha256()
    root = Path(folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

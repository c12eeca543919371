"""Third-party assets served from installed packages (local-first: never a CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly
from flask import Blueprint, send_file

bp = Blueprint("assets", __name__)

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__


@bp.get(f"/assets/plotly-{PLOTLY_VERSION}.min.js")
def plotly_js():
    """The plotly.js bundled with the installed `plotly` package; the version is in the URL,
    so it can be cached for a year."""
    return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=365 * 24 * 3600)

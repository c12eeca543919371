"""The log download: the current log file for the admin to read or hand to support."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app, render_template

from finora.dates import now_utc
from finora.logs import log_file_path
from finora.translation import gettext as _
from finora.web.admin import bp

CHUNK = 64 * 1024


def log_file() -> Path:
    """Where finora.logs writes when LOG_TO_FILE is on (rotated copies are .1, .2...)."""
    return log_file_path(current_app.config)


def _first_bytes(handle: BinaryIO, size: int) -> Iterator[bytes]:
    """The file as long as it was when opened: it keeps growing while it is sent, and a body
    longer than its Content-Length would break the download."""
    try:
        left = size
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


@bp.get("/logs/download")
def download_log():
    path = log_file()
    if not current_app.config.get("LOG_TO_FILE"):
        message = _("Logs are not written to a file on this server (LOG_TO_FILE is off): they go "
                    "to the console, where the service manager or “docker compose logs” shows them.")
    else:
        try:
            handle = path.open("rb")
        except OSError:
            message = _("There is no log file yet: %(path)s has not been written.", path=str(path))
        else:
            size = os.fstat(handle.fileno()).st_size  # this file, even if it rotated since
            name = f"finora-{now_utc():%Y%m%d-%H%M%S}.log"
            return Response(
                _first_bytes(handle, size), mimetype="text/plain", direct_passthrough=True,
                headers={"Content-Length": str(size),
                         "Content-Disposition": f'attachment; filename="{name}"'},
            )
    return render_template(
        "errors/error.html", status=404, title=_("No log file"), message=message
    ), 404

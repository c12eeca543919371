"""The REST API at /api/v1 (docs/api.md): JSON only, enveloped answers, bearer tokens or the
browser's cookie. Views call the same services as the pages."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from werkzeug.exceptions import HTTPException

from finora.errors import FieldError, FinoraError
from finora.extensions import csrf, db
from finora.translation import gettext as _

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be read."),
        401: _("Sign in first: send a valid token (Authorization: Bearer …)."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("This address does not accept that method."),
        413: _("The body is too large."),
        415: _("Send the body as JSON (Content-Type: application/json)."),
        429: _("Too many requests: wait a moment and try again."),
        500: _("Something went wrong on the server. It was logged."),
    }


def http_error(status: int):
    """The envelope for an HTTP error with the API's own wording (also for paths under
    /api that match no endpoint: the app's error pages call this for them)."""
    from finora.api.envelope import error

    return error(status, _messages().get(status, _messages()[500]))


def _domain_error(exc: FinoraError):
    from finora.api.body import ApiValidationError
    from finora.api.envelope import error

    db.session.rollback()
    if isinstance(exc, ApiValidationError):
        return error(422, str(exc.message), fields={k: str(v) for k, v in exc.fields.items()})
    if isinstance(exc, FieldError) and exc.field:
        return error(422, str(exc.message), fields={exc.field: str(exc.message)})
    return error(exc.status, str(exc.message))


def _http_error(exc: HTTPException):
    if exc.code == 500:
        db.session.rollback()
    return http_error(exc.code or 500)


def is_api_request() -> bool:
    """Anything under /api (another version, a typo) answers in envelopes too."""
    return request.path == "/api" or request.path.startswith("/api/")


# Set up once, at import (a blueprint cannot change after its first registration; the
# suite builds an app per test).
from finora.api.access import check_access  # noqa: E402

bp.before_request(check_access)
bp.register_error_handler(FinoraError, _domain_error)
bp.register_error_handler(HTTPException, _http_error)
csrf.exempt(bp)  # tokens need none; cookie writes are checked in access.check_access


def _import_views() -> None:
    """Each finora/api/*_views.py module registers its routes on `bp` when imported."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
        if info.name.endswith("_views"):
            importlib.import_module(f"{__name__}.{info.name}")


_import_views()


def register_api(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["finora_api_errors"] = (is_api_request, http_error)

"""Error pages and the mapping of domain errors to HTTP."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from finora.errors import FinoraError
from finora.extensions import db
from finora.translation import gettext as _


def register_error_handlers(app: Flask) -> None:
    def page(status: int, title: str, message: str):
        # Under /api the answer is the API's envelope (finora/api), never an HTML page.
        api = app.extensions.get("finora_api_errors")
        if api is not None and api[0]():
            return api[1](status)
        # A script's request (it asks for JSON or sends JSON) reads the message as JSON.
        if request.accept_mimetypes.best == "application/json" or request.is_json:
            return {"error": message}, status
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(FinoraError)
    def _domain(error: FinoraError):
        db.session.rollback()
        return page(error.status, _("That did not work"), str(error.message))

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return page(400, _("The form expired"), _("Go back, reload the page and try again."))

    @app.errorhandler(400)
    def _bad_request(_error):
        return page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def _forbidden(_error):
        return page(403, _("Not allowed"), _("You do not have permission to do this."))

    @app.errorhandler(404)
    def _not_found(_error):
        return page(404, _("Page not found"), _("The page you asked for does not exist."))

    @app.errorhandler(405)
    def _method(_error):
        return page(405, _("Not allowed"), _("This address does not accept that kind of request."))

    @app.errorhandler(429)
    def _too_many(_error):
        return page(429, _("Too many attempts"), _("Wait a few minutes and try again."))

    @app.errorhandler(500)
    def _server_error(_error):
        db.session.rollback()
        return page(500, _("Something went wrong"), _("The error was logged. Try again in a moment."))

"""While the database's schema is not at this code's migration head, every page answers 503
with a page that says what to run, instead of the 500 the first query on a missing table or
column would give (a sign-up on a never-migrated database, a code update not yet migrated).

Static files, /healthz, /readyz and /metrics pass: they say themselves what is wrong. Once
the schema is found at head the app remembers it, so a healthy instance pays one check in
its lifetime; until then every request checks again, so the pages come back as soon as
someone runs the migrations.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g, render_template, request

from finora.services.system.schema import AHEAD, UNKNOWN, SchemaState, code_heads, schema_state

PASS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_AT_HEAD = "finora_schema_at_head"
_LOGGED = "finora_schema_guard_logged"
UPGRADE_COMMAND = "flask --app app db upgrade"
CONTAINER_COMMAND = "docker compose restart"


def register_schema_guard(app: Flask) -> None:
    """Check before any other hook that could query (sign-in, limits, permissions), just
    after the request id is assigned, so the 503 is logged under its id."""
    from finora.logs import _assign_request_id

    # Read the migrations now, while the files on disk are the ones this code runs.
    code_heads(Path(app.extensions["migrate"].directory))
    hooks = app.before_request_funcs.setdefault(None, [])
    position = hooks.index(_assign_request_id) + 1 if _assign_request_id in hooks else 0
    hooks.insert(position, _guard)


def _passes() -> bool:
    endpoint = request.endpoint or ""
    return (
        request.path in PASS_PATHS
        or endpoint == "static"
        or endpoint.endswith(".static")
        or request.blueprint == "assets"
    )


def _anonymous() -> None:
    """Nobody is signed in on these answers: loading the user would query the tables the
    schema may not have (Flask-Login keeps the loaded user in g._login_user)."""
    g._login_user = current_app.login_manager.anonymous_user()


def _guard():
    app = current_app
    if request.path in ("/healthz", "/readyz"):
        _anonymous()
    if app.extensions.get(_AT_HEAD) or _passes():
        return None
    state = schema_state()
    if state.at_head:
        app.extensions[_AT_HEAD] = True
        return None
    _anonymous()
    if app.extensions.get(_LOGGED) != state.status:  # once per change, not once per request
        app.extensions[_LOGGED] = state.status
        app.logger.warning(
            "schema guard: pages answer 503 while the database schema is %s (database at "
            "%s, code at %s)",
            state.status, ", ".join(state.current) or "none", ", ".join(state.heads) or "none",
        )
    return schema_page(state)


def schema_page(state: SchemaState):
    """The 503 answer: a page for browsers, a short JSON for scripts."""
    from finora.translation import gettext as _

    in_container = bool(current_app.config.get("FINORA_IN_CONTAINER"))
    if state.status == UNKNOWN:
        title = _("Finora cannot reach its database")
        message = _(
            "The database does not answer. The administrator should check that the database "
            "server is running and that DATABASE_URL points at it."
        )
        command = None
    elif state.status == AHEAD:
        title = _("This database belongs to a newer Finora")
        message = _(
            "A newer version of Finora has updated this database. Install that version again, "
            "or restore the backup made before the update."
        )
        command = None
    else:
        title = _("Finora is waiting for a database update")
        if in_container:
            message = _(
                "This version of Finora needs changes to the database that have not been "
                "applied yet. The administrator should restart the container: it applies "
                "them as it starts."
            )
            command = CONTAINER_COMMAND
        else:
            message = _(
                "This version of Finora needs changes to the database that have not been "
                "applied yet. The administrator should run this command in Finora’s folder, "
                "then reload this page:"
            )
            command = UPGRADE_COMMAND
    headers = {"Retry-After": "60"}
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        body = {"error": str(message), "schema": state.status}
        if command:
            body["command"] = command
        return body, 503, headers
    page = render_template(
        "errors/schema.html", title=title, message=message, command=command,
    )
    return page, 503, headers

"""The OpenAPI 3.1 document of /api/v1 (docs/api.md, "OpenAPI"), built from the URL map and
each view's `@documented` (spec.py): a route is declared once, and the pydantic models that
validate bodies are the ones the document shows. pydantic writes JSON Schema 2020-12, the
dialect OpenAPI 3.1 takes as its own, so the models go into components.schemas unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from flask_babel import get_locale
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from finora.api.access import PUBLIC
from finora.api.envelope import CODES
from finora.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from finora.api.spec import Doc
from finora.translation import gettext as _
from finora.translation import lazy_gettext as _l
from finora.version import __version__

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
METHODS = ("get", "post", "put", "patch", "delete")
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
_CONVERTED = {"int": _ID, "string": {"type": "string"}, "default": {"type": "string"},
              "path": {"type": "string"}}
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500)
# Statuses an endpoint answers only when it says so (@documented(errors=...)).
OCCASIONAL_STATUSES = (502,)



# Each tag's name in the caller's language (the name itself stays English: clients and
# generated SDKs key on it); the reference page shows the label.
TAG_LABELS = {
    "Accounts": _l("Accounts"),
    "Administration": _l("Administration"),
    "Authentication": _l("Sign-in"),
    "Balance": _l("Balance"),
    "Budgets": _l("Budgets"),
    "Categories": _l("Categories"),
    "Entries": _l("Entries"),
    "Forecast": _l("Forecast"),
    "Goals": _l("Goals"),
    "Holds": _l("Paused rules"),
    "Imports": _l("Imports"),
    "Reports": _l("Reports"),
    "Scenarios": _l("Scenarios"),
    "Schedules": _l("Recurring rules"),
    "Settings": _l("Settings"),
    "Skips": _l("Skipped occurrences"),
    "Transfers": _l("Transfers"),
}

def hidden(view):
    """A view the document leaves out: the document itself and its reference page."""
    view.api_doc_hidden = True
    return view


def api_views(app=None) -> list[tuple[Any, str, Any]]:
    """(rule, endpoint, view) of every /api/v1 endpoint the document describes."""
    app = app or current_app
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "api_doc_hidden", False):
            found.append((rule, rule.endpoint, view))
    return sorted(found, key=lambda item: (item[0].rule, item[1]))


def undocumented(app=None) -> list[str]:
    """The endpoints that lack @documented."""
    return [endpoint for _rule, endpoint, view in api_views(app)
            if not isinstance(getattr(view, "api_doc", None), Doc)]


def _path_of(rule) -> tuple[str, list[dict]]:
    parameters = []

    def named(match: re.Match) -> str:
        converter, name = match.group(1) or "default", match.group(2)
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": dict(_CONVERTED.get(converter, {"type": "string"}))})
        return "{" + name + "}"

    path = _ARGUMENT.sub(named, rule.rule)
    return path.removeprefix(PREFIX) or "/", parameters


def _without_null(schema: dict) -> dict:
    """A query parameter is absent or has a value: `X | None` is written as X."""
    options = schema.get("anyOf")
    if options:
        kept = [option for option in options if option.get("type") != "null"]
        if len(kept) == 1:
            rest = {key: value for key, value in schema.items() if key != "anyOf"}
            return {**kept[0], **rest}
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        field = _without_null(dict(field))
        field.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": field}
        if "description" in field:
            parameter["description"] = field.pop("description")
        parameters.append(parameter)
    return parameters


def _page_parameters() -> list[dict]:
    return [
        {"name": "limit", "in": "query", "required": False,
         "description": _("How many items (%(default)d by default, at most %(most)d).",
                          default=DEFAULT_LIMIT, most=MAX_LIMIT),
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
        {"name": "offset", "in": "query", "required": False,
         "description": _("How many items to pass over first."),
         "schema": {"type": "integer", "minimum": 0, "default": 0}},
    ]


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def _success(doc: Doc) -> dict:
    if doc.response is None:
        return {"description": _("Done; no content.")}
    if doc.many:
        schema = {"type": "object", "required": ["data", "meta"], "additionalProperties": False,
                  "properties": {"data": {"type": "array", "items": _ref(doc.response)},
                                 "meta": {"$ref": REF.format(model="PageMeta")}}}
    else:
        schema = {"type": "object", "required": ["data"], "additionalProperties": False,
                  "properties": {"data": _ref(doc.response)}}
    return {"description": _("Success."), "content": {"application/json": {"schema": schema}}}


def _error_statuses(doc: Doc, method: str, public: bool) -> list[int]:
    statuses = set(ERROR_STATUSES)
    if public:  # 401 stays: a bad token sent, a failed sign-in
        statuses.discard(403)
    if doc.body is None:
        statuses -= {413, 415}
    if method == "get":
        statuses.discard(409)
    return sorted(statuses | set(doc.errors))


def _operation(endpoint: str, method: str, view, doc: Doc, path_parameters: list[dict]) -> dict:
    public = getattr(view, "api_access", None) == PUBLIC
    parameters = list(path_parameters)
    if doc.query is not None:
        parameters += _query_parameters(doc.query)
    if doc.many:
        parameters += _page_parameters()
    operation: dict[str, Any] = {
        "operationId": endpoint.removeprefix("api."),
        "summary": str(doc.summary),
        "tags": [doc.tag],
    }
    if doc.description is not None:
        operation["description"] = str(doc.description)
    if parameters:
        operation["parameters"] = parameters
    if doc.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _ref(doc.body)}}}
    responses: dict[str, Any] = {str(doc.status): _success(doc)}
    for status in _error_statuses(doc, method, public):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    operation["responses"] = responses
    operation["security"] = [] if public else [{"bearerAuth": []}, {"cookieAuth": []}]
    return operation


def _components(docs: list[Doc]) -> dict:
    bodies = {doc.body for doc in docs if doc.body is not None}
    answers = {doc.response for doc in docs if doc.response is not None}
    keyed = sorted([(model, "validation") for model in bodies]
                   + [(model, "serialization") for model in answers],
                   key=lambda item: (item[0].__name__, item[1]))
    _keys, generated = models_json_schema(keyed, ref_template=REF)
    schemas = dict(generated.get("$defs", {}))
    schemas["PageMeta"] = {
        "type": "object", "required": ["total", "limit", "offset"], "additionalProperties": False,
        "properties": {"total": {"type": "integer", "minimum": 0},
                       "limit": {"type": "integer", "minimum": 1},
                       "offset": {"type": "integer", "minimum": 0}}}
    schemas["Error"] = {
        "type": "object", "required": ["error", "code", "status"], "additionalProperties": False,
        "description": _("An error, in the caller's language; `fields` names what is wrong "
                         "in each field of a 422."),
        "properties": {
            "error": {"type": "string"},
            "code": {"type": "string", "enum": sorted(set(CODES.values()))},
            "status": {"type": "integer"},
            "reason": {"type": "string", "description": _(
                "Why a service Finora called failed (on a 502), e.g. timeout or bad_key.")},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}
    responses = {
        f"Error{status}": {
            "description": _("Error (%(code)s).", code=CODES[status]),
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
        for status in ERROR_STATUSES + OCCASIONAL_STATUSES}
    cookie = current_app.config.get("SESSION_COOKIE_NAME") or "session"
    security = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": _(
            "A token from POST /auth/login or a personal token from Profile → API tokens.")},
        "cookieAuth": {"type": "apiKey", "in": "cookie", "name": cookie, "description": _(
            "The browser's session cookie (Finora's own pages); a write must also send the "
            "page's CSRF token in X-CSRFToken.")},
    }
    return {"schemas": schemas, "responses": responses, "securitySchemes": security}


def _links(paths: dict) -> None:
    """Stateful links: what a creation answers (`data.id`) feeds the operations on the
    path one id deeper (POST /schedules -> PUT/DELETE /schedules/{rule_id})."""
    for path, item in paths.items():
        created = item.get("post", {}).get("responses", {}).get("201")
        if not created or "content" not in created:
            continue
        links = {}
        for deeper, operations in paths.items():
            rest = deeper.removeprefix(path + "/")
            if deeper == rest or not re.fullmatch(r"\{\w+\}", rest):
                continue
            for operation in operations.values():
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {rest[1:-1]: "$response.body#/data/id"}}
        if links:
            created["links"] = links


def document() -> dict:
    """`build_document` once per app and language (about 0.14 s of CPU a build): the document
    depends only on the code — the app's routes and models — and on the language of its
    words. Callers only read it."""
    app = current_app._get_current_object()
    built = app.extensions.setdefault("finora_openapi_documents", {})
    language = str(get_locale())
    found = built.get(language)
    if found is None:
        found = built[language] = build_document(app)
    return found


def build_document(app=None) -> dict:
    """The whole document. A view without @documented is left out (tests/api/test_openapi.py
    fails for it: every view must have one)."""
    paths: dict[str, dict] = {}
    docs: list[Doc] = []
    for rule, endpoint, view in api_views(app):
        if not isinstance(getattr(view, "api_doc", None), Doc):
            continue
        path, path_parameters = _path_of(rule)
        methods = sorted(method.lower() for method in rule.methods if method.lower() in METHODS)
        for method in methods:
            doc = view.api_doc
            docs.append(doc)
            operation = _operation(endpoint, method, view, doc, path_parameters)
            if len(methods) > 1:
                operation["operationId"] += f"_{method}"
            paths.setdefault(path, {})[method] = operation
    _links(paths)
    tags = sorted({doc.tag for doc in docs})
    return {
        "openapi": "3.1.0",
        "info": {"title": "Finora API", "version": __version__, "description": _(
            "Finora's JSON API: every answer is an envelope, money is a decimal string with "
            "two places, dates are YYYY-MM-DD and timestamps UTC.")},
        "servers": [{"url": PREFIX}],
        "tags": [{"name": tag, "x-displayName": str(TAG_LABELS.get(tag, tag))} for tag in tags],
        "paths": paths,
        "components": _components(docs),
    }

"""Reading a request's JSON body against its schema (pydantic): what is wrong becomes a 422
with one translated message per field, never a 500 and never pydantic's English."""

from __future__ import annotations

from typing import TypeVar

from flask import current_app, request
from pydantic import BaseModel, ValidationError

from finora.errors import FinoraError
from finora.translation import lazy_gettext as _l

Model = TypeVar("Model", bound=BaseModel)

# pydantic's error types -> what the caller reads (in their language).
_MESSAGES = {
    "missing": _l("This field is required."),
    "string_type": _l("Must be text."),
    "string_too_short": _l("Must not be empty."),
    "string_too_long": _l("Too long."),
    "int_type": _l("Must be a whole number."),
    "int_parsing": _l("Must be a whole number."),
    "bool_type": _l("Must be true or false."),
    "bool_parsing": _l("Must be true or false."),
    "extra_forbidden": _l("Unknown field."),
    "literal_error": _l("Not one of the allowed values."),
    "enum": _l("Not one of the allowed values."),
    "date_type": _l("Must be a date written YYYY-MM-DD."),
    "date_from_datetime_parsing": _l("Must be a date written YYYY-MM-DD."),
    "date_parsing": _l("Must be a date written YYYY-MM-DD."),
}
_INVALID = _l("Not a valid value.")
_NUL = _l("Must not contain a NUL character.")


class ApiValidationError(FinoraError):
    """The body, or a field of it, is not what the endpoint takes: 422 with `fields`."""

    message = _l("The request has fields that are missing or not valid.")
    status = 422

    def __init__(self, fields: dict[str, object], message=None) -> None:
        super().__init__(message)
        self.fields = fields


class BodyNotJsonError(FinoraError):
    message = _l("Send the body as JSON (Content-Type: application/json).")
    status = 415


class MalformedJsonError(FinoraError):
    message = _l("The body is not valid JSON.")
    status = 400


class BodyTooLargeError(FinoraError):
    message = _l("The body is too large.")
    status = 413


def field_messages(error: ValidationError) -> dict[str, object]:
    fields: dict[str, object] = {}
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "body"
        if problem["type"] == "value_error" and problem.get("ctx", {}).get("error") is not None:
            # Our own validators raise ValueError with an already translated message.
            fields.setdefault(location, str(problem["ctx"]["error"]))
        else:
            fields.setdefault(location, _MESSAGES.get(problem["type"], _INVALID))
    return fields


def _nul_at(value, path: str = "") -> str | None:
    """Where the first text holding a NUL character is (no database keeps one: PostgreSQL
    refuses it outright), or None."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or "body"
        found = _nul_at(item, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def read_json(schema: type[Model]) -> Model:
    """The request's body as `schema`, or a FinoraError the API answers as an envelope."""
    limit = int(current_app.config.get("API_MAX_BODY_BYTES", 2 * 1024 * 1024))
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError()
    if not request.is_json:
        raise BodyNotJsonError()
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise BodyTooLargeError()
    data = request.get_json(silent=True)
    if data is None:
        raise MalformedJsonError()
    if not isinstance(data, dict):
        raise ApiValidationError({"body": _l("The body must be a JSON object.")})
    where = _nul_at(data)
    if where is not None:
        raise ApiValidationError({where: _NUL})
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise ApiValidationError(field_messages(error)) from None


def _bounds(schema: type[BaseModel], name: str) -> tuple[object, object]:
    field = schema.model_fields.get(name)
    low = high = None
    for rule in field.metadata if field is not None else ():
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def read_query(schema: type[Model]) -> Model:
    """The request's query parameters as `schema` (an empty value, `?kind=`, counts as not
    given, as `limit` and `offset` do); what is wrong is a 422 with `fields`, a whole number
    out of its range naming the range."""
    given = {key: value for key, value in request.args.items() if value != ""}
    for key, value in given.items():
        if "\x00" in value or "\x00" in key:
            raise ApiValidationError({key: _NUL})
    try:
        return schema.model_validate(given)
    except ValidationError as error:
        fields = field_messages(error)
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else ""
            if problem["type"] in ("greater_than_equal", "less_than_equal"):
                low, high = _bounds(schema, name)
                if low is not None and high is not None:
                    fields[name] = _l("Must be from %(low)d to %(high)d.", low=low, high=high)
        raise ApiValidationError(fields) from None

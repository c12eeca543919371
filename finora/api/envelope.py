"""Every /api/v1 answer is an envelope (docs/api.md): {"data": …} for one object,
{"data": […], "meta": {"total", "limit", "offset"}} for a list, and for an error
{"error": <message in the caller's language>, "code": <one of CODES>, "status": N} with
"fields" on a 422."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

# The error codes a client may see, by HTTP status.
CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "validation_error",
    415: "validation_error",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "internal_error",  # a service Finora called (an AI model) failed: see "reason"
    503: "internal_error",
}


def one(data: dict[str, Any], status: int = 200) -> tuple[Response, int]:
    return jsonify({"data": data}), status


def many(items: list[Any], *, total: int, limit: int, offset: int) -> tuple[Response, int]:
    return jsonify({"data": items, "meta": {"total": total, "limit": limit, "offset": offset}}), 200


def no_content() -> tuple[str, int]:
    return "", 204


def error(status: int, message: str, *, fields: dict[str, str] | None = None,
          code: str | None = None, reason: str | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {
        "error": str(message),
        "code": code or CODES.get(status, "internal_error" if status >= 500 else "validation_error"),
        "status": status,
    }
    if reason:
        body["reason"] = reason
    if fields:
        body["fields"] = {name: str(text) for name, text in fields.items()}
    return jsonify(body), status

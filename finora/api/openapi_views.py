"""GET /api/v1/openapi.json (the OpenAPI 3.1 document) and GET /api/v1/reference (the same
document as a readable page, served by Finora itself: no CDN, no script)."""

from __future__ import annotations

from flask import jsonify, render_template

from finora.api import bp
from finora.api.access import public
from finora.api.openapi import document as openapi_document_for_language
from finora.api.openapi import hidden

_REF = "#/components/schemas/"


def _type_of(schema: dict) -> str:
    """A short, readable type: `Money`, `[ScheduleOut]`, `integer | null`, `"Income" | …`."""
    if "$ref" in schema:
        return schema["$ref"].removeprefix(_REF)
    if "anyOf" in schema:
        return " | ".join(_type_of(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(f'"{value}"' if isinstance(value, str) else str(value)
                          for value in schema["enum"])
    if "const" in schema:
        return str(schema["const"]).lower() if isinstance(schema["const"], bool) else repr(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "[" + _type_of(schema.get("items", {})) + "]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return "{string: " + _type_of(schema["additionalProperties"]) + "}"
    if schema.get("examples"):
        return f'{kind}, "{schema["examples"][0]}"'
    if kind == "string" and schema.get("pattern"):
        return f"string ({schema['pattern']})"
    if isinstance(kind, list):
        return " | ".join(kind)
    return kind


def _fields(schema: dict) -> list[dict]:
    required = set(schema.get("required", ()))
    return [{"name": name, "type": _type_of(field), "required": name in required,
             "description": field.get("description", "")}
            for name, field in schema.get("properties", {}).items()]


def _model(schema: dict | None) -> str | None:
    """The component a body or an envelope's `data` names."""
    if not schema:
        return None
    if "$ref" in schema:
        return schema["$ref"].removeprefix(_REF)
    data = schema.get("properties", {}).get("data")
    if data is None:
        return None
    return _type_of(data)


def _operations(document: dict) -> dict[str, list[dict]]:
    by_tag: dict[str, list[dict]] = {tag["name"]: [] for tag in document["tags"]}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            answers = []
            for status, answer in operation["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                answers.append({"status": status, "model": None if "$ref" in answer
                                else _model(content.get("schema")), "error": "$ref" in answer})
            by_tag[operation["tags"][0]].append({
                "id": operation["operationId"], "method": method.upper(),
                "path": document["servers"][0]["url"] + path, "summary": operation["summary"],
                "description": operation.get("description"),
                "parameters": [{"name": p["name"], "in": p["in"], "required": p["required"],
                                "type": _type_of(p["schema"]), "description": p.get("description", "")}
                               for p in operation.get("parameters", [])],
                "body": _model(body["schema"]) if body else None,
                "answers": answers,
                "public": operation["security"] == [],
            })
    return by_tag


@bp.get("/openapi.json")
@public
@hidden
def openapi_document():
    return jsonify(openapi_document_for_language())


@bp.get("/reference")
@public
@hidden
def reference():
    document = openapi_document_for_language()
    schemas = {name: {"description": schema.get("description", ""), "fields": _fields(schema),
                      "type": None if "properties" in schema else _type_of(schema)}
               for name, schema in sorted(document["components"]["schemas"].items())}
    labels = {tag["name"]: tag.get("x-displayName", tag["name"]) for tag in document["tags"]}
    return render_template("api/reference.html", document=document, labels=labels,
                           operations=dict(sorted(_operations(document).items(),
                                                  key=lambda item: labels[item[0]].casefold())),
                           schemas=schemas)

"""Building blocks of the OpenAPI document: parameters, bodies, answers, the error shape."""

from __future__ import annotations

from typing import Any

from ..model.auth import ROLE_NAMES

ROLE = {"enum": sorted(ROLE_NAMES)}


def query(
    name: str, schema: dict[str, Any], *, required: bool = False, about: str = ""
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": about,
    }


def path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


STR = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
PAGING = [
    query("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
    query("offset", {"type": "integer", "minimum": 0, "default": 0}),
]
ERRORS = {
    status: {
        "description": about,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for status, about in (
        ("400", "bad request"),
        ("401", "not logged in"),
        ("403", "role too low"),
        ("404", "not found"),
        ("409", "conflict"),
        ("429", "queue full or throttled"),
    )
}


def get(
    summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    ok = {
        "description": "OK",
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }
    return {
        "get": {"summary": summary, "parameters": parameters, "responses": {"200": ok, **ERRORS}}
    }


def post(
    summary: str,
    properties: dict[str, Any],
    required: list[str],
    params: list[dict[str, Any]] | None = None,
    status: str = "200",
    answer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body = {"type": "object", "properties": properties, "required": required}
    ok = {
        "description": "OK",
        "content": {"application/json": {"schema": answer or {"type": "object"}}},
    }
    return {
        "post": {
            "summary": summary,
            "parameters": params or [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {status: ok, **ERRORS},
        }
    }


INT = {"type": "integer"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(data: dict[str, Any], **more: dict[str, Any]) -> dict[str, Any]:
    """The Go master's envelope: `{"message", "data"}` and what else is named."""
    return {
        "type": "object",
        "required": ["message", "data", *more],
        "properties": {"message": STR, "data": data, **more},
    }

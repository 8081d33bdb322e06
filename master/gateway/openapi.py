"""The OpenAPI 3.1 document of the gateway's REST API, served at /api/v2/openapi.json."""

from __future__ import annotations

from typing import Any

from quart import Response
from quart_trio import QuartTrio

from .. import __version__
from ..model.command import ACTIONS, STATUSES
from ..query.resources import LISTED_KINDS
from ..webapi import json_response
from .auth import PUBLIC, requires


def _q(name: str, schema: dict[str, Any], *, required: bool = False, about: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": about}


def _p(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


_STR = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_PAGING = [
    _q("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
    _q("offset", {"type": "integer", "minimum": 0, "default": 0}),
]
_ERRORS = {
    status: {"description": about, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status, about in (("400", "bad request"), ("404", "not found"), ("429", "queue full"))
}


def _get(summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    ok = {"description": "OK", "content": {"application/json": {"schema": schema or {"type": "object"}}}}
    return {"get": {"summary": summary, "parameters": parameters, "responses": {"200": ok, **_ERRORS}}}


def build_document() -> dict[str, Any]:
    """The document; resource kinds, actions and statuses come from the code, not a copy."""
    paths: dict[str, Any] = {
        "/health": _get("Liveness and cluster counts", []),
        "/api/v2/clusters": _get("All clusters with status and counts", []),
        "/api/v2/clusters/{cluster_id}": _get("One cluster: status and summary", [_p("cluster_id")]),
        "/api/v2/overview": _get("Summaries added up across clusters, and per cluster", []),
        "/api/v2/events": _get(
            "Events: history from the database or the realtime window",
            [
                _q("cluster_id", _STR), _q("source", {"enum": ["history", "realtime"]}),
                _q("type", _STR), _q("reason", _STR), _q("namespace", _STR),
                _q("since", _TIME), _q("until", _TIME), *_PAGING,
            ],
        ),
        "/api/v2/events/by-resource": _get(
            "Events of one resource; a Deployment includes its ReplicaSets' and Pods' events, "
            "a Node the events reported from that host",
            [
                _q("cluster_id", _STR, required=True), _q("kind", _STR, required=True),
                _q("namespace", _STR), _q("name", _STR, required=True), *_PAGING,
            ],
        ),
        "/api/v2/commands": {
            "post": {
                "summary": "Queue a command for a cluster's agent",
                "parameters": [
                    _q("wait", {"type": "number", "minimum": 0, "maximum": 120},
                       about="seconds to wait for the agent's result"),
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CommandRequest"}}},
                },
                "responses": {
                    "201": {"description": "queued (or finished, with wait)",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Command"}}}},
                    **_ERRORS,
                },
            },
            **_get("Command history, newest first",
                   [_q("cluster_id", _STR), _q("status", {"enum": list(STATUSES)}), *_PAGING]),
        },
        "/api/v2/commands/{command_id}": _get(
            "One command's status and result", [_p("command_id")],
            {"$ref": "#/components/schemas/Command"},
        ),
    }
    for kind, namespaced in LISTED_KINDS.items():
        filters = [_q("cluster_id", _STR, required=True), _q("namespace", _STR), _q("q", _STR),
                   _q("label", {"type": "array", "items": _STR}, about="key=value or key"), *_PAGING]
        if kind == "pods":
            filters += [_q("phase", _STR), _q("node", _STR)]
        if kind == "nodes":
            filters.append(_q("ready", {"type": "boolean"}))
        paths[f"/api/v2/{kind}"] = _get(f"List {kind} of a cluster", filters)
        one = f"/api/v2/{kind}/{{namespace}}/{{name}}" if namespaced else f"/api/v2/{kind}/{{name}}"
        ids = [_p("namespace"), _p("name")] if namespaced else [_p("name")]
        paths[one] = _get(f"One of the {kind}, as the agent sent it",
                          [*ids, _q("cluster_id", _STR, required=True)])
    return {
        "openapi": "3.1.0",
        "info": {"title": "AtlHyper master gateway", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["code", "message"],
                                             "properties": {"code": _STR, "message": _STR}}},
                },
                "CommandRequest": {
                    "type": "object", "required": ["cluster_id", "action"],
                    "additionalProperties": False,
                    "properties": {
                        "cluster_id": _STR, "action": {"enum": sorted(ACTIONS)},
                        "target_kind": _STR, "target_namespace": _STR, "target_name": _STR,
                        "params": {"type": "object"},
                    },
                },
                "Command": {
                    "type": "object",
                    "properties": {
                        "command_id": _STR, "cluster_id": _STR, "action": _STR,
                        "status": {"enum": list(STATUSES)}, "attempts": {"type": "integer"},
                        "created_at": _TIME, "finished_at": {"type": ["string", "null"]},
                        "result": {"type": ["object", "null"]},
                    },
                },
            }
        },
    }


def register(app: QuartTrio) -> None:
    document = build_document()

    @app.get("/api/v2/openapi.json")
    @requires(PUBLIC)
    async def openapi() -> Response:
        return json_response(document)

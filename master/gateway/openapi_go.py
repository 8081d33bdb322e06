"""The parts of the OpenAPI document the Go master's web UI relies on: its operation
calls, one cluster's overview, and the envelopes of lists, single objects and login."""

from __future__ import annotations

from typing import Any

import msgspec

from ..model.overview import ClusterOverview
from .openapi_parts import ERRORS, INT, STR, envelope, post, query, ref

LIST = envelope({"type": "array", "items": {"type": "object"}}, total=INT)
ONE = envelope({"type": "object"})
LOGIN = envelope(
    {
        "type": "object",
        "required": ["token", "user", "cluster_ids"],
        "properties": {
            "token": STR,
            "token_type": STR,
            "expires_in": INT,
            "user": {
                "type": "object",
                "required": ["id", "username", "displayName", "email", "role"],
                "properties": {
                    "id": INT,
                    "username": STR,
                    "displayName": STR,
                    "email": STR,
                    "role": INT,
                    "role_name": STR,
                },
            },
            "cluster_ids": {"type": "array", "items": STR},
        },
    }
)
# Lists of resources: all of them unless `limit` is given.
RESOURCE_PAGING = [
    query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": 1000},
        about="at most this many (default: all)",
    ),
    query("offset", {"type": "integer", "minimum": 0, "default": 0}),
]
_AGENT_ERRORS = {
    "502": {"description": "the agent reported a failure", "content": ERRORS["400"]["content"]},
    "504": {"description": "the agent did not answer in time", "content": ERRORS["400"]["content"]},
}
_QUEUED = {
    "type": "object",
    "required": ["message", "command_id", "status"],
    "properties": {"message": STR, "command_id": STR, "status": STR},
}
_TARGET = {"cluster_id": STR, "namespace": STR, "name": STR}
_NAMED = ["cluster_id", "namespace", "name"]
_NODE = ({"cluster_id": STR, "name": STR}, ["cluster_id", "name"])


def _op(
    summary: str,
    fields: dict[str, Any],
    required: list[str],
    answer: dict[str, Any] = _QUEUED,
    waits: bool = False,
) -> dict[str, Any]:
    item = post(summary, fields, required, answer=answer)
    if waits:
        item["post"]["responses"].update(_AGENT_ERRORS)
    return item


def ops_paths() -> dict[str, Any]:
    """`/api/v2/ops/*`: entries into the command service (operators; Secret data: admins)."""
    logs = envelope({"type": "object", "properties": {"logs": STR}}, command_id=STR)
    data = envelope(STR, command_id=STR)
    waits = "; waits for the agent, 504 when it does not answer in time"
    paths = {
        "pods/logs": _op(
            f"A pod's last log lines (tail_lines, default 100){waits}",
            {**_TARGET, "container": STR, "tail_lines": INT},
            _NAMED,
            logs,
            waits=True,
        ),
        "pods/restart": _op(
            "Restart a pod: delete it, its owner starts a new one", _TARGET, _NAMED
        ),
        "deployments/scale": _op(
            "Scale a deployment",
            {**_TARGET, "replicas": {"type": "integer"}},
            [*_NAMED, "replicas"],
        ),
        "deployments/image": _op(
            "Set a container's image", {**_TARGET, "container": STR, "image": STR}, _NAMED
        ),
        "deployments/restart": _op("Restart a deployment's pods", _TARGET, _NAMED),
        "nodes/cordon": _op("Cordon a node", *_NODE),
        "nodes/uncordon": _op("Uncordon a node", *_NODE),
        "configmaps/data": _op(
            f"A ConfigMap's data as JSON text{waits}", _TARGET, _NAMED, data, waits=True
        ),
        "secrets/data": _op(
            f"A Secret's values as JSON text (admins){waits}", _TARGET, _NAMED, data, waits=True
        ),
    }
    return {f"/api/v2/ops/{p}": item for p, item in paths.items()}


def overview_path() -> dict[str, Any]:
    return {
        "get": {
            "summary": "One cluster's overview (the Go master's ClusterOverview, not enveloped); "
            "without cluster_id, the totals across clusters",
            "parameters": [query("cluster_id", STR)],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {
                            "schema": {"oneOf": [ref("ClusterOverview"), {"type": "object"}]}
                        }
                    },
                },
                **ERRORS,
            },
        }
    }


def overview_schemas() -> dict[str, Any]:
    """ClusterOverview and its parts, from the model itself."""
    _, components = msgspec.json.schema_components(
        [ClusterOverview], ref_template="#/components/schemas/{name}"
    )
    return components

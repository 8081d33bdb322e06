"""The OpenAPI 3.1 document of the gateway's REST API, served at /api/v2/openapi.json."""

from __future__ import annotations

from typing import Any

from quart import Response
from quart_trio import QuartTrio

from .. import __version__
from ..config import SMTP_TLS_MODES
from ..model.alert import ALERT_STATUSES, SEVERITIES
from ..model.auth import ACTIVE, DISABLED, ROLE_NAMES
from ..model.command import ACTIONS, AGENT_ACTIONS, STATUSES
from ..query.resources import LISTED_KINDS
from ..service.alert_rules import RULES
from ..service.notify import CHANNEL_TYPES
from ..webapi import json_response
from . import events
from .auth import PUBLIC, requires

_ROLE = {"enum": sorted(ROLE_NAMES)}


def _q(
    name: str, schema: dict[str, Any], *, required: bool = False, about: str = ""
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": about,
    }


def _p(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


_STR = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_PAGING = [
    _q("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}),
    _q("offset", {"type": "integer", "minimum": 0, "default": 0}),
]
_ERRORS = {
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


def _get(
    summary: str, parameters: list[dict[str, Any]], schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    ok = {
        "description": "OK",
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }
    return {
        "get": {"summary": summary, "parameters": parameters, "responses": {"200": ok, **_ERRORS}}
    }


def _post(
    summary: str,
    properties: dict[str, Any],
    required: list[str],
    params: list[dict[str, Any]] | None = None,
    status: str = "200",
) -> dict[str, Any]:
    body = {"type": "object", "properties": properties, "required": required}
    ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "post": {
            "summary": summary,
            "parameters": params or [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {status: ok, **_ERRORS},
        }
    }


_INT = {"type": "integer"}


def _trust_paths() -> dict[str, Any]:
    user = {"username": _STR}
    return {
        "/api/v2/user/login": _post(
            "Log in: a bearer token and the role",
            {**user, "password": _STR},
            ["username", "password"],
        ),
        "/api/v2/user/me": _get("Who the token belongs to", []),
        "/api/v2/user/password": _post(
            "Change one's own password (revokes one's tokens)",
            {"old_password": _STR, "new_password": _STR},
            ["old_password", "new_password"],
        ),
        "/api/v2/user/register": _post(
            "Create a user (admin); usernames are 1-64 of A-Z a-z 0-9 . _ -",
            {
                "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                "password": _STR,
                "display_name": _STR,
                "email": _STR,
                "role": _ROLE,
            },
            ["username", "password"],
            status="201",
        ),
        "/api/v2/user/list": _get("All users (admin)", []),
        "/api/v2/user/update-role": _post(
            "Change a user's role (admin)",
            {**user, "role": _ROLE},
            ["username", "role"],
        ),
        "/api/v2/user/update-status": _post(
            "Enable (1) or disable (0) a user (admin)",
            {**user, "status": {"enum": [DISABLED, ACTIVE]}},
            ["username", "status"],
        ),
        "/api/v2/user/delete": _post("Delete a user (admin)", user, ["username"]),
        "/api/v2/audit/logs": _get(
            "The audit trail, newest first (admin)",
            [
                _q("username", _STR),
                _q("action", _STR),
                _q("method", _STR),
                _q("success", {"type": "boolean"}),
                _q("status", _INT),
                _q("since", _TIME),
                _q("until", _TIME),
                *_PAGING,
            ],
        ),
        "/api/v2/security/events": _get(
            "Security events, newest first (admin); a flood of refusals is one event per "
            "address and reason per minute, with its count",
            [_q("type", _STR), _q("since", _TIME), *_PAGING],
        ),
        "/api/v2/agent-tokens": {
            **_post(
                "Create an agent token for a cluster; the secret is answered once (admin)",
                {"cluster_id": _STR, "description": _STR},
                ["cluster_id"],
                status="201",
            ),
            **_get(
                "Agent tokens, never their secrets (admin)",
                [_q("cluster_id", _STR), _q("include_revoked", {"type": "boolean"})],
            ),
        },
        "/api/v2/agent-tokens/{token_id}": {
            "delete": {
                "summary": "Revoke an agent token (admin)",
                "parameters": [_p("token_id")],
                "responses": {"200": {"description": "revoked"}, **_ERRORS},
            }
        },
        "/api/v2/agent-tokens/{token_id}/rotate": {
            "post": {
                "summary": "Replace an agent token: new secret, old one revoked (admin)",
                "parameters": [_p("token_id")],
                "responses": {"201": {"description": "the new token"}, **_ERRORS},
            }
        },
    }


_CHANNEL = [
    {
        "name": "type",
        "in": "path",
        "required": True,
        "schema": {"enum": list(CHANNEL_TYPES)},
    }
]


def _alert_paths() -> dict[str, Any]:
    channel_body = {
        "type": "object",
        "properties": {
            "name": _STR,
            "enabled": {"type": "boolean"},
            "config": {
                "type": "object",
                "description": "slack: webhook_url; email: smtp_host, smtp_port, smtp_user, smtp_password, "
                f"smtp_tls ({', '.join(SMTP_TLS_MODES)}), from_address, to_addresses; webhook: url, "
                "secret; all: min_severity, clusters. Secrets sent as *** or omitted are kept.",
            },
        },
    }
    return {
        "/api/v2/notify/channels": _get("Notification channels, secrets masked (admin)", []),
        "/api/v2/notify/channels/{type}": {
            **_get("One notification channel, secrets masked (admin)", _CHANNEL),
            "put": {
                "summary": "Change a notification channel (admin)",
                "parameters": _CHANNEL,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": channel_body}},
                },
                "responses": {"200": {"description": "the channel"}, **_ERRORS},
            },
        },
        "/api/v2/notify/channels/{type}/test": {
            "post": {
                "summary": "Send a test message now and record the outcome (admin)",
                "parameters": _CHANNEL,
                "responses": {"200": {"description": "status ok or failed, and why"}, **_ERRORS},
            }
        },
        "/api/v2/alerts": _get(
            "Alert history, newest first",
            [
                _q("cluster_id", _STR),
                _q("status", {"enum": list(ALERT_STATUSES)}),
                _q("severity", {"enum": list(SEVERITIES)}),
                _q("rule", {"enum": list(RULES)}),
                _q("since", _TIME),
                _q("until", _TIME),
                *_PAGING,
            ],
        ),
    }


def build_document() -> dict[str, Any]:
    """The document; its enums (kinds, actions, statuses, roles, rules...) come from the code."""
    paths: dict[str, Any] = {
        "/health": _get("Liveness and cluster counts", []),
        "/api/v2/clusters": _get("All clusters with status and counts", []),
        "/api/v2/clusters/{cluster_id}": _get(
            "One cluster: status and summary", [_p("cluster_id")]
        ),
        "/api/v2/overview": _get("Summaries added up across clusters, and per cluster", []),
        "/api/v2/events": _get(
            "Events: history from the database or the realtime window",
            [
                _q("cluster_id", _STR),
                _q("source", {"enum": list(events.SOURCES)}),
                _q("type", _STR),
                _q("reason", _STR),
                _q("namespace", _STR),
                _q("since", _TIME),
                _q("until", _TIME),
                *_PAGING,
            ],
        ),
        "/api/v2/events/by-resource": _get(
            "Events of one resource; a Deployment includes its ReplicaSets' and Pods' events, "
            "a Node the events of the Pods on it",
            [
                _q("cluster_id", _STR, required=True),
                _q("kind", _STR, required=True),
                _q("namespace", _STR),
                _q("name", _STR, required=True),
                *_PAGING,
            ],
        ),
        "/api/v2/commands": {
            "post": {
                "summary": "Queue a command for a cluster's agent",
                "parameters": [
                    _q(
                        "wait",
                        {"type": "number", "minimum": 0, "maximum": 120},
                        about="seconds to wait for the agent's result",
                    ),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CommandRequest"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "queued (or finished, with wait)",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Command"}}
                        },
                    },
                    **_ERRORS,
                },
            },
            **_get(
                "Command history, newest first",
                [_q("cluster_id", _STR), _q("status", {"enum": list(STATUSES)}), *_PAGING],
            ),
        },
        "/api/v2/commands/{command_id}": _get(
            "One command's status and result",
            [_p("command_id")],
            {"$ref": "#/components/schemas/Command"},
        ),
    }
    paths.update(_trust_paths())
    paths.update(_alert_paths())
    for kind, namespaced in LISTED_KINDS.items():
        filters = [
            _q("cluster_id", _STR, required=True),
            _q("namespace", _STR),
            _q("q", _STR),
            _q("label", {"type": "array", "items": _STR}, about="key=value or key"),
            *_PAGING,
        ]
        if kind == "pods":
            filters += [_q("phase", _STR), _q("node", _STR)]
        if kind == "nodes":
            filters.append(_q("ready", {"type": "boolean"}))
        who = " (operators)" if kind in ("configmaps", "secrets") else ""
        paths[f"/api/v2/{kind}"] = _get(f"List {kind} of a cluster{who}", filters)
        one = f"/api/v2/{kind}/{{namespace}}/{{name}}" if namespaced else f"/api/v2/{kind}/{{name}}"
        ids = [_p("namespace"), _p("name")] if namespaced else [_p("name")]
        paths[one] = _get(
            f"One of the {kind}, as the agent sent it",
            [*ids, _q("cluster_id", _STR, required=True)],
        )
    return {
        "openapi": "3.1.0",
        "security": [{"bearer": []}],
        "info": {"title": "AtlHyper master gateway", "version": __version__},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": _STR, "message": _STR},
                        }
                    },
                },
                "CommandRequest": {
                    "type": "object",
                    "required": ["cluster_id", "action", "target_name"],
                    "additionalProperties": False,
                    "properties": {
                        "cluster_id": _STR,
                        "action": {
                            "enum": sorted(ACTIONS),
                            "description": "What the agent executes, and on which kind: "
                            + "; ".join(
                                f"{name} on a {a.kind}"
                                + (f" (params: {', '.join(a.params)})" if a.params else "")
                                for name, a in sorted(AGENT_ACTIONS.items())
                            ),
                        },
                        "target_kind": {
                            "enum": ["", *sorted({a.kind for a in AGENT_ACTIONS.values()})],
                            "description": "The action's kind; empty means that kind",
                        },
                        "target_namespace": _STR,
                        "target_name": _STR,
                        "params": {"type": "object"},
                    },
                },
                "Command": {
                    "type": "object",
                    "properties": {
                        "command_id": _STR,
                        "cluster_id": _STR,
                        "action": _STR,
                        "status": {"enum": list(STATUSES)},
                        "attempts": {"type": "integer"},
                        "created_at": _TIME,
                        "finished_at": {"type": ["string", "null"]},
                        "result": {"type": ["object", "null"]},
                    },
                },
            },
        },
    }


def register(app: QuartTrio) -> None:
    document = build_document()

    @app.get("/api/v2/openapi.json")
    @requires(PUBLIC)
    async def openapi() -> Response:
        return json_response(document)

"""The OpenAPI 3.1 document of the gateway's REST API, served at /api/v2/openapi.json."""

from __future__ import annotations

from typing import Any

from quart import Response
from quart_trio import QuartTrio

from .. import __version__
from ..config import SMTP_TLS_MODES
from ..model.alert import ALERT_STATUSES, SEVERITIES
from ..model.auth import ACTIVE, DISABLED
from ..model.command import ACTIONS, AGENT_ACTIONS, STATUSES
from ..query.resources import LISTED_KINDS
from ..service.alert_rules import RULES
from ..service.notify import CHANNEL_TYPES
from ..webapi import json_response
from . import events
from .audit_rows import VERBS
from .auth import PUBLIC, requires
from .openapi_go import (
    LIST,
    LOGIN,
    ONE,
    RESOURCE_PAGING,
    ops_paths,
    overview_path,
    overview_schemas,
)
from .openapi_parts import ERRORS, INT, PAGING, ROLE, STR, TIME, get, path, post, query


def _trust_paths() -> dict[str, Any]:
    user = {"username": STR}
    # Who a change is about: the numeric id (as the Go master's web UI sends) or the name.
    who = {"user_id": {"type": "integer", "minimum": 1}, "username": STR}
    return {
        "/api/v2/user/login": post(
            "Log in: a bearer token, the user, and the ids of the clusters",
            {**user, "password": STR},
            ["username", "password"],
            answer=LOGIN,
        ),
        "/api/v2/user/me": get("Who the token belongs to", []),
        "/api/v2/user/password": post(
            "Change one's own password (revokes one's tokens)",
            {"old_password": STR, "new_password": STR},
            ["old_password", "new_password"],
        ),
        "/api/v2/user/register": post(
            "Create a user (admin); usernames are 1-64 of A-Z a-z 0-9 . _ -",
            {
                "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                "password": STR,
                "display_name": STR,
                "email": STR,
                "role": ROLE,
            },
            ["username", "password"],
            status="201",
            answer=ONE,
        ),
        "/api/v2/user/list": get("All users (admin)", [], LIST),
        "/api/v2/user/update-role": post(
            "Change a user's role (admin); name the user by user_id or username",
            {**who, "role": ROLE},
            ["role"],
            answer=ONE,
        ),
        "/api/v2/user/update-status": post(
            "Enable (1) or disable (0) a user (admin); name the user by user_id or username",
            {**who, "status": {"enum": [DISABLED, ACTIVE]}},
            ["status"],
            answer=ONE,
        ),
        "/api/v2/user/delete": post(
            "Delete a user (admin); name the user by user_id or username", who, []
        ),
        "/api/v2/audit/logs": get(
            "The audit trail, newest first (admin), in the Go master's fields and words",
            [
                query("username", STR),
                query("user_id", {"type": "integer", "minimum": 0}),
                query(
                    "action",
                    STR,
                    about=f"one of {', '.join(VERBS)} (the Go master's words), or an endpoint",
                ),
                query("method", STR),
                query("success", {"type": "boolean"}),
                query("status", INT),
                query("since", TIME),
                query("until", TIME),
                *PAGING,
            ],
        ),
        "/api/v2/security/events": get(
            "Security events, newest first (admin); a flood of refusals is one event per "
            "address and reason per minute, with its count",
            [query("type", STR), query("since", TIME), *PAGING],
        ),
        "/api/v2/agent-tokens": {
            **post(
                "Create an agent token for a cluster; the secret is answered once (admin)",
                {"cluster_id": STR, "description": STR},
                ["cluster_id"],
                status="201",
            ),
            **get(
                "Agent tokens, never their secrets (admin)",
                [query("cluster_id", STR), query("include_revoked", {"type": "boolean"})],
            ),
        },
        "/api/v2/agent-tokens/{token_id}": {
            "delete": {
                "summary": "Revoke an agent token (admin)",
                "parameters": [path("token_id")],
                "responses": {"200": {"description": "revoked"}, **ERRORS},
            }
        },
        "/api/v2/agent-tokens/{token_id}/rotate": {
            "post": {
                "summary": "Replace an agent token: new secret, old one revoked (admin)",
                "parameters": [path("token_id")],
                "responses": {"201": {"description": "the new token"}, **ERRORS},
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
            "name": STR,
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
        "/api/v2/notify/channels": get("Notification channels, secrets masked (admin)", []),
        "/api/v2/notify/channels/{type}": {
            **get("One notification channel, secrets masked (admin)", _CHANNEL),
            "put": {
                "summary": "Change a notification channel (admin)",
                "parameters": _CHANNEL,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": channel_body}},
                },
                "responses": {"200": {"description": "the channel"}, **ERRORS},
            },
        },
        "/api/v2/notify/channels/{type}/test": {
            "post": {
                "summary": "Send a test message now and record the outcome (admin)",
                "parameters": _CHANNEL,
                "responses": {"200": {"description": "status ok or failed, and why"}, **ERRORS},
            }
        },
        "/api/v2/alerts": get(
            "Alert history, newest first",
            [
                query("cluster_id", STR),
                query("status", {"enum": list(ALERT_STATUSES)}),
                query("severity", {"enum": list(SEVERITIES)}),
                query("rule", {"enum": list(RULES)}),
                query("since", TIME),
                query("until", TIME),
                *PAGING,
            ],
        ),
    }


def build_document() -> dict[str, Any]:
    """The document; its enums (kinds, actions, statuses, roles, rules...) come from the code."""
    paths: dict[str, Any] = {
        "/health": get("Liveness and cluster counts", []),
        "/api/v2/clusters": get("All clusters with status and counts", []),
        "/api/v2/clusters/{cluster_id}": get(
            "One cluster: status and summary", [path("cluster_id")]
        ),
        "/api/v2/clusters/{cluster_id}/otel": get(
            "The later agent's otel subtree (ClickHouse dashboards) of the latest snapshot,"
            " as sent",
            [path("cluster_id")],
        ),
        "/api/v2/overview": overview_path(),
        "/api/v2/events": get(
            "Events: history from the database or the realtime window",
            [
                query("cluster_id", STR),
                query("source", {"enum": list(events.SOURCES)}),
                query("type", STR),
                query("reason", STR),
                query("namespace", STR),
                query("since", TIME),
                query("until", TIME),
                *PAGING,
            ],
        ),
        "/api/v2/events/by-resource": get(
            "Events of one resource; a Deployment includes its ReplicaSets' and Pods' events, "
            "a Node the events of the Pods on it",
            [
                query("cluster_id", STR, required=True),
                query("kind", STR, required=True),
                query("namespace", STR),
                query("name", STR, required=True),
                *PAGING,
            ],
        ),
        "/api/v2/commands": {
            "post": {
                "summary": "Queue a command for a cluster's agent",
                "parameters": [
                    query(
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
                    **ERRORS,
                },
            },
            **get(
                "Command history, newest first",
                [query("cluster_id", STR), query("status", {"enum": list(STATUSES)}), *PAGING],
            ),
        },
        "/api/v2/commands/{command_id}": get(
            "One command's status and result",
            [path("command_id")],
            {"$ref": "#/components/schemas/Command"},
        ),
    }
    paths.update(_trust_paths())
    paths.update(ops_paths())
    paths.update(_alert_paths())
    for kind, namespaced in LISTED_KINDS.items():
        filters = [
            query("cluster_id", STR, required=True),
            query("namespace", STR),
            query("q", STR),
            query("label", {"type": "array", "items": STR}, about="key=value or key"),
            *RESOURCE_PAGING,
        ]
        if kind == "pods":
            filters += [query("phase", STR), query("node", STR)]
        if kind == "nodes":
            filters.append(query("ready", {"type": "boolean"}))
        who = " (operators)" if kind in ("configmaps", "secrets") else ""
        paths[f"/api/v2/{kind}"] = get(
            f"List {kind} of a cluster{who}, as the agent sent them; a cluster this master "
            "does not know (or without a snapshot yet) has none, and the message says so",
            filters,
            LIST,
        )
        cluster = query("cluster_id", STR, required=True)
        one = f"/api/v2/{kind}/{{namespace}}/{{name}}" if namespaced else f"/api/v2/{kind}/{{name}}"
        ids = [path("namespace"), path("name")] if namespaced else [path("name")]
        paths[one] = get(f"One of the {kind}, as the agent sent it", [*ids, cluster], ONE)
        if namespaced:  # the Go master's path: the namespace in the query, any when absent
            paths[f"/api/v2/{kind}/{{name}}"] = get(
                f"One of the {kind} by name (the first of that name without namespace)",
                [path("name"), cluster, query("namespace", STR)],
                ONE,
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
                **overview_schemas(),
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": STR, "message": STR},
                        }
                    },
                },
                "CommandRequest": {
                    "type": "object",
                    "required": ["cluster_id", "action", "target_name"],
                    "additionalProperties": False,
                    "properties": {
                        "cluster_id": STR,
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
                        "target_namespace": STR,
                        "target_name": STR,
                        "params": {"type": "object"},
                    },
                },
                "Command": {
                    "type": "object",
                    "properties": {
                        "command_id": STR,
                        "cluster_id": STR,
                        "action": STR,
                        "status": {"enum": list(STATUSES)},
                        "attempts": {"type": "integer"},
                        "created_at": TIME,
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

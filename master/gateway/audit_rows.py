"""Audit rows as the Go master's web UI reads them: its field names and its words.

The trail records which endpoint was called (our `endpoint`) and the path; the
Go master's `action` (login, create, update, delete, execute, read) and
`resource` (user, pod, deployment, node, configmap, secret, command, notify...)
are derived from them here, so rows written before this existed read the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..model.gotime import epoch_to_second

VERBS = ("login", "create", "update", "delete", "execute", "read")
# What an endpoint does where its HTTP method does not say it.
_EXPLICIT = {
    "login": "login",
    "submit": "execute",
    "change_password": "update",
    "update_role": "update",
    "update_status": "update",
    "delete_user": "delete",
    "rotate_token": "update",
    "test_channel": "execute",
}
_BY_METHOD = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "DELETE": "delete"}
# The Go master's request summary: the (masked) body, cut short.
SUMMARY_CHARS = 100


def action_of(endpoint: str, method: str) -> str:
    """The Go master's word for what a call of `endpoint` with `method` did."""
    if endpoint in _EXPLICIT:
        return _EXPLICIT[endpoint]
    if endpoint.startswith("ops_"):  # the web UI's operations: data reads or actions
        return "read" if endpoint.endswith(("_logs", "_data")) else "execute"
    return _BY_METHOD.get(method, "execute")


def resource_of(path: str) -> str:
    """The noun of an API path: `/api/v2/pods/...` -> pod, `/api/v2/ops/nodes/cordon` -> node,
    `/api/v2/agent-tokens` -> agent_token; another path as it is."""
    parts = path.split("/")
    if len(parts) < 4 or parts[1:3] != ["api", "v2"] or not parts[3]:
        return path
    noun = parts[4] if parts[3] == "ops" and len(parts) > 4 else parts[3]
    noun = noun.replace("-", "_")
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith("sses"):
        return noun[:-2]
    return noun[:-1] if noun.endswith("s") else noun


def endpoints_doing(verb: str, routes: Iterable[tuple[str, Iterable[str]]]) -> list[str]:
    """The endpoints among `routes` (endpoint, methods) whose calls are `verb`."""
    return sorted(
        {
            endpoint
            for endpoint, methods in routes
            if any(action_of(endpoint, m) == verb for m in methods if m != "OPTIONS")
        }
    )


def audit_row(row: dict[str, Any]) -> dict[str, Any]:
    """One stored audit row in the Go master's fields, ours beside them."""
    return {
        "id": row["id"],
        "timestamp": epoch_to_second(row["created_at"]),
        "userId": row["user_id"],
        "username": row["username"],
        "role": row["role"] or 0,
        "source": row["source"],
        "action": action_of(row["action"], row["method"]),
        "resource": resource_of(row["resource"]),
        "method": row["method"],
        "requestSummary": row["request_body"][:SUMMARY_CHARS],
        "status": row["status"],
        "success": row["success"],
        "errorMessage": row["error"],
        "ip": row["ip"],
        "durationMs": round(row["duration_ms"]),
        "endpoint": row["action"],
        "path": row["path"],
        "created_at": row["created_at"],
        "error": row["error"],
        "user_agent": row["user_agent"],
        "duration_ms": row["duration_ms"],
        "request_body": row["request_body"],
    }

"""Commands: the actions agents execute, their statuses and request validation.

Plain code, no I/O: the command service and the hub share these rules.
"""

from __future__ import annotations

import math
from typing import Any, Final, Literal, get_args

import msgspec

from .errors import BadRequest

# A command's status, as stored and as the API and stream spell it.
CommandStatus = Literal["pending", "running", "success", "failed", "expired", "timeout", "lost"]
PENDING: Final = "pending"
RUNNING: Final = "running"
SUCCESS: Final = "success"
FAILED: Final = "failed"
EXPIRED: Final = "expired"
TIMEOUT: Final = "timeout"
LOST: Final = "lost"
STATUSES: tuple[CommandStatus, ...] = get_args(CommandStatus)
FINAL_STATUSES: frozenset[CommandStatus] = frozenset({SUCCESS, FAILED, EXPIRED, TIMEOUT, LOST})

ACTIONS = frozenset(
    {
        "scale",
        "restart",
        "delete",
        "delete_pod",
        "get_logs",
        "create",
        "update",
        "update_image",
        "dynamic",
        "exec",
        "describe",
        "apply",
        "rollback",
        "cordon",
        "uncordon",
        "drain",
        "get_configmap",
        "get_secret",
    }
)
# A hand-off that may have been lost is handed out again only for these.
SAFE_TO_REPEAT = frozenset(
    {
        "get_logs",
        "describe",
        "dynamic",
        "get_configmap",
        "get_secret",
        "scale",
        "cordon",
        "uncordon",
        "update_image",
    }
)
_NODE_ACTIONS = frozenset({"cordon", "uncordon", "drain"})
_CLUSTER_SCOPED_KINDS = frozenset(
    {"Node", "Namespace", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass"}
)
_SCALABLE_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


class CommandRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of `POST /api/v2/commands`: which cluster, what to do, to what."""

    cluster_id: str
    action: str
    target_kind: str = ""
    target_namespace: str = ""
    target_name: str = ""
    params: dict[str, Any] = msgspec.field(default_factory=dict)


class Command(CommandRequest, kw_only=True):
    """A command and its lifecycle. Times are Unix seconds (wall clock), None until they happen."""

    id: str
    status: CommandStatus = PENDING
    created_at: float
    expires_at: float
    dispatched_at: float | None = None
    deadline_at: float | None = None
    finished_at: float | None = None
    attempts: int = 0
    success: bool | None = None
    output: str = ""
    error: str = ""
    executed_at: str | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    def wire(self) -> dict[str, Any]:
        """The command as the agent receives it in a poll response."""
        return {
            "id": self.id,
            "action": self.action,
            "target_kind": self.target_kind,
            "target_namespace": self.target_namespace,
            "target_name": self.target_name,
            "params": self.params,
        }


class CommandResult(msgspec.Struct, kw_only=True):
    """Body of `POST /agent/result`; `output`/`error` are omitted by Go when empty."""

    command_id: str
    success: bool
    output: str = ""
    error: str = ""
    executed_at: str = ""


def _whole_number(value: Any, name: str) -> int:
    # Go agents decode params as float64, so 3.0 is as good as 3; bools are not numbers.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"params.{name} must be a number")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise BadRequest(f"params.{name} must be a whole number")
    return int(value)


def _require_str(params: dict[str, Any], name: str) -> None:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"params.{name} is required and must be a non-empty string")


def validate_request(req: CommandRequest) -> None:
    """Check the action and its target and parameters; raise BadRequest saying what to fix."""
    if not req.cluster_id:
        raise BadRequest("cluster_id is required")
    if req.action not in ACTIONS:
        raise BadRequest(f"unknown action {req.action!r}; expected one of {sorted(ACTIONS)}")
    params = req.params
    if req.action in _NODE_ACTIONS:
        if req.target_kind not in ("", "Node"):
            raise BadRequest(f"{req.action} targets a Node, not {req.target_kind}")
    elif req.action != "dynamic" and not req.target_kind:
        raise BadRequest("target_kind is required")
    if req.action not in ("dynamic", "create", "apply") and not req.target_name:
        raise BadRequest("target_name is required")
    namespaced = req.target_kind not in _CLUSTER_SCOPED_KINDS and req.action not in _NODE_ACTIONS
    if namespaced and req.action not in ("dynamic", "create", "apply") and not req.target_namespace:
        raise BadRequest(f"target_namespace is required for a {req.target_kind}")
    if req.action == "scale":
        if req.target_kind not in _SCALABLE_KINDS:
            raise BadRequest(f"scale targets one of {sorted(_SCALABLE_KINDS)}")
        if "replicas" not in params:
            raise BadRequest("params.replicas is required for scale")
        if _whole_number(params["replicas"], "replicas") < 0:
            raise BadRequest("params.replicas must not be negative")
    elif req.action == "get_logs":
        if "tailLines" in params and _whole_number(params["tailLines"], "tailLines") <= 0:
            raise BadRequest("params.tailLines must be positive")
        if "container" in params and not isinstance(params["container"], str):
            raise BadRequest("params.container must be a string")
    elif req.action == "update_image":
        _require_str(params, "image")
        _require_str(params, "container")
    elif req.action == "dynamic":
        _require_str(params, "path")
        if not params["path"].startswith("/"):
            raise BadRequest("params.path must be an API path starting with /")
    elif req.action == "exec":
        command = params.get("command")
        if not command or not (
            isinstance(command, str)
            or (isinstance(command, list) and all(isinstance(c, str) for c in command))
        ):
            raise BadRequest("params.command is required: a string or a list of strings")

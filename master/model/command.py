"""Commands: what the Go agent executes, request validation, statuses, results.

Plain code, no I/O: the command service and the hub share these rules. The
agent (92d37dd, `service/command_service.go`) runs nine actions, each against
one kind of object whatever `target_kind` says, and decodes the parameters it
reads into typed Go fields; a request it cannot run as asked is refused here
with a 400 that says what it supports, never delivered to fail or, worse, to
act on another object of the same name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
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

INT32_MAX = 2**31 - 1
# Go receives numbers as float64: past 2**53 they no longer arrive exactly.
EXACT_MAX = 2**53 - 1


@dataclass(frozen=True)
class Param:
    """One parameter the agent reads: its Go type ("int32", "int64", "bool", "string",
    "container" or "image") and, for numbers, the least value the master lets through."""

    type: str
    low: int = 0
    required: bool = False


@dataclass(frozen=True)
class Action:
    """An action the agent executes: the one kind it acts on and what it reads of `params`.

    `repeatable`: handing it out again after a lost hand-off does no harm.
    """

    kind: str
    params: dict[str, Param] = field(default_factory=dict)
    repeatable: bool = True
    why: str = ""  # what the agent does with another kind, for the 400


_ON_DEPLOYMENT = "the agent acts on the Deployment of that name whatever target_kind says"
AGENT_ACTIONS: dict[str, Action] = {
    "scale": Action("Deployment", {"replicas": Param("int32", required=True)}, why=_ON_DEPLOYMENT),
    "restart": Action("Deployment", repeatable=False, why=_ON_DEPLOYMENT),
    "update_image": Action(
        "Deployment",
        {"image": Param("image", required=True), "container": Param("container")},
        why=_ON_DEPLOYMENT,
    ),
    "get_logs": Action(
        "Pod",
        {
            "container": Param("container"),
            "tailLines": Param("int64", low=1),
            "sinceSeconds": Param("int64", low=1),
            "timestamps": Param("bool"),
            "previous": Param("bool"),
        },
    ),
    "get_configmap": Action("ConfigMap"),
    "get_secret": Action("Secret"),
    "delete": Action(
        "Pod",
        {"gracePeriodSeconds": Param("int64")},
        repeatable=False,
        why="the agent deletes Pods only (any other kind fails: not implemented)",
    ),
    "cordon": Action("Node"),
    "uncordon": Action("Node"),
}
ACTIONS = frozenset(AGENT_ACTIONS)
# A hand-off that may have been lost is handed out again only for these.
SAFE_TO_REPEAT = frozenset(name for name, a in AGENT_ACTIONS.items() if a.repeatable)
# Actions the agent's code names but answers "unknown action" or "not implemented".
NOT_EXECUTED = frozenset(
    {"exec", "drain", "delete_pod", "create", "update", "describe", "apply", "rollback", "dynamic"}
)
CLUSTER_SCOPED = frozenset({"Node"})


@dataclass(frozen=True)
class CommandLimits:
    """What the master adds to what the agent would do: `get_logs` without `tailLines`
    reads the whole log, so it gets `logs_tail_default` lines, and at most `logs_tail_max`."""

    logs_tail_default: int = 1000
    logs_tail_max: int = 10_000


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


# Path segments client-go refuses, and what the agent pastes into a JSON patch unescaped.
_BAD_NAME = re.compile(r"[/%\x00-\x1f\x7f]")
_CONTAINER = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_IMAGE = re.compile(r"[^\s\"\\\x00-\x1f\x7f]+")


def _check_name(value: str, what: str, max_len: int) -> None:
    if not value:
        raise BadRequest(f"{what} is required")
    if len(value) > max_len or value in (".", "..") or _BAD_NAME.search(value):
        raise BadRequest(
            f"{what} must be a Kubernetes name: 1-{max_len} characters, no '/', '%' or "
            "control characters"
        )


def _number(value: Any, name: str, low: int, high: int) -> int:
    # Go decodes params as float64 and then into int fields: 3.0 is 3; true, "3" and 3.5 fail.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"params.{name} must be a number")
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise BadRequest(f"params.{name} must be a whole number")
    if not low <= value <= high:
        raise BadRequest(f"params.{name} must be between {low} and {high}, got {value}")
    return int(value)


def _param(name: str, spec: Param, value: Any, limits: CommandLimits) -> Any:
    if spec.type in ("int32", "int64"):
        high = INT32_MAX if spec.type == "int32" else EXACT_MAX
        if name == "tailLines":
            high = limits.logs_tail_max
        return _number(value, name, spec.low, high)
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise BadRequest(f"params.{name} must be true or false")
        return value
    if not isinstance(value, str):
        raise BadRequest(f"params.{name} must be a string")
    if (
        spec.type == "container"
        and value
        and not (len(value) <= 63 and _CONTAINER.fullmatch(value))
    ):
        raise BadRequest(f"params.{name} must be a container name (lowercase, digits, '-')")
    if spec.type == "image" and not (len(value) <= 1024 and _IMAGE.fullmatch(value)):
        raise BadRequest(
            f"params.{name} must be an image reference without spaces, quotes or backslashes"
        )
    return value


def validate_request(req: CommandRequest, limits: CommandLimits | None = None) -> CommandRequest:
    """Check `req` against what the agent executes; return it as the agent should get it.

    The returned copy names the action's kind when `target_kind` was empty,
    has no namespace for a Node, whole numbers as ints and `tailLines` filled
    in for `get_logs`.
    Raises BadRequest saying what to fix, or what the agent supports.
    """
    limits = limits or CommandLimits()
    if not req.cluster_id:
        raise BadRequest("cluster_id is required")
    supported = ", ".join(sorted(ACTIONS))
    action = AGENT_ACTIONS.get(req.action)
    if action is None:
        if req.action in NOT_EXECUTED:
            raise BadRequest(
                f'the agent does not execute {req.action!r} (it answers "unknown action" or '
                f'"not implemented"); it executes: {supported}'
            )
        raise BadRequest(f"unknown action {req.action!r}; the agent executes: {supported}")
    kind = req.target_kind or action.kind
    if kind != action.kind:
        why = f": {action.why}" if action.why else ""
        raise BadRequest(f"{req.action} supports target_kind {action.kind} only, not {kind!r}{why}")
    _check_name(req.target_name, "target_name", 253)
    if kind not in CLUSTER_SCOPED:
        _check_name(req.target_namespace, f"target_namespace (a {kind} lives in one)", 63)
    params: dict[str, Any] = {}
    for name, value in req.params.items():
        spec = action.params.get(name)
        if spec is None:
            known = ", ".join(action.params) or "none"
            raise BadRequest(
                f"params.{name} is not read by the agent's {req.action}; its parameters: {known}"
            )
        params[name] = _param(name, spec, value, limits)
    for name, spec in action.params.items():
        if spec.required and name not in params:
            raise BadRequest(f"params.{name} is required for {req.action}")
    if req.action == "get_logs":
        params.setdefault("tailLines", min(limits.logs_tail_default, limits.logs_tail_max))
    namespace = "" if kind in CLUSTER_SCOPED else req.target_namespace
    return msgspec.structs.replace(req, target_kind=kind, target_namespace=namespace, params=params)

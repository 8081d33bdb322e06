"""How a demo agent of the later generation (68cc533) speaks: its spellings and its polls.

The simulated cluster builds Agent V2's snapshot and runs Agent V2's wire
commands; an agent of the later generation renames keys on the way out
(`model_v3`), polls on two topics and reports in its own dialect. Written
from the Go agent's side, like the rest of the demo, not from the master's
tables: a demo agent shares no code with what it talks to.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

# The later agent's two poll loops.
TOPICS: Final = ("ops", "ai")
# Its top-level list keys where Agent V2's differ.
LATER_LISTS: Final = {
    "statefulsets": "statefulSets",
    "daemonsets": "daemonSets",
    "replicasets": "replicaSets",
    "cronjobs": "cronJobs",
    "configmaps": "configMaps",
}
# The flat kinds' keys (CommonMeta and own fields) where Agent V2's differ.
LATER_FLAT: Final = {
    "node_name": "nodeName",
    "owner_kind": "ownerKind",
    "owner_name": "ownerName",
    "created_at": "createdAt",
    "data_keys": "dataKeys",
    "ready_replicas": "readyReplicas",
    "available_replicas": "availableReplicas",
    "start_time": "startTime",
    "finish_time": "finishTime",
    "active_jobs": "activeJobs",
    "last_schedule_time": "lastScheduleTime",
    "last_successful_time": "lastSuccessfulTime",
    "storage_class": "storageClass",
    "access_modes": "accessModes",
    "reclaim_policy": "reclaimPolicy",
    "volume_name": "volumeName",
    "requested_capacity": "requestedCapacity",
    "actual_capacity": "actualCapacity",
    "involved_object": "involvedObject",
    "first_timestamp": "firstTimestamp",
    "last_timestamp": "lastTimestamp",
}

# The later agent's 15 summary counts (capital S in StatefulSets and DaemonSets).
LATER_SUMMARY: Final = {
    "total_nodes": "totalNodes",
    "ready_nodes": "readyNodes",
    "total_pods": "totalPods",
    "running_pods": "runningPods",
    "pending_pods": "pendingPods",
    "failed_pods": "failedPods",
    "total_deployments": "totalDeployments",
    "healthy_deployments": "healthyDeployments",
    "total_statefulsets": "totalStatefulSets",
    "total_daemonsets": "totalDaemonSets",
    "total_services": "totalServices",
    "total_ingresses": "totalIngresses",
    "total_namespaces": "totalNamespaces",
    "total_events": "totalEvents",
    "warning_events": "warningEvents",
}
# Lists whose items carry the renamed CommonMeta and own fields.
_FLAT = frozenset(
    {"replicasets", "jobs", "cronjobs", "configmaps", "secrets", "pvs", "pvcs", "events"}
)
# The later agent waits this long after an empty answer before it polls that topic again,
# and backs off from twice that, doubling to BACKOFF_MAX, after a failed poll.
EMPTY_POLL_INTERVAL: Final = 0.1
BACKOFF_MAX: Final = 30.0


def later_snapshot(snapshot: dict[str, Any], otel: msgspec.Raw | None = None) -> dict[str, Any]:
    """Agent V2's snapshot as the later agent writes the same cluster, in Go's key order;
    `otel` (its ClickHouse subtree, JSON bytes) goes where the agent puts it."""
    out: dict[str, Any] = {}
    for key, value in snapshot.items():
        if key == "cluster_id":
            out["clusterId"] = value
        elif key == "fetched_at":
            out["fetchedAt"] = value
        elif key == "summary":
            if otel is not None:
                out["otel"] = otel
            out["summary"] = {LATER_SUMMARY[k]: v for k, v in value.items()}
        elif key in _FLAT and value is not None:
            out[LATER_LISTS.get(key, key)] = [_later_flat(key, item) for item in value]
        else:
            out[LATER_LISTS.get(key, key)] = value
    return out


# Where a Job's and a CronJob's `template` (never omitted) goes: after this key.
_TEMPLATE_AFTER = {"jobs": "complete", "cronjobs": "suspend"}


def _later_flat(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in item.items():
        out[LATER_FLAT.get(k, k)] = v
        if k == _TEMPLATE_AFTER.get(kind):
            out["template"] = {"containers": None}  # the demo keeps no pod template for them
    return out


class _LaterCommand(msgspec.Struct):
    """The part of `model_v3` Command the later agent acts on."""

    id: str
    action: str
    kind: str = ""
    namespace: str = ""
    name: str = ""
    params: dict[str, Any] | None = None


class _LaterPoll(msgspec.Struct):
    hasCommand: bool = False  # noqa: N815 (the wire's spelling)
    command: _LaterCommand | None = None


def read_later_poll(body: bytes) -> dict[str, Any] | None:
    """The command of a later poll answer, as Agent V2's wire command the simulated
    cluster executes; None for none. Raises msgspec.DecodeError as the agent fails."""
    answer = msgspec.json.decode(body, type=_LaterPoll)
    cmd = answer.command
    if not answer.hasCommand or cmd is None:
        return None
    return {
        "id": cmd.id,
        "action": cmd.action,
        "target_kind": cmd.kind,
        "target_namespace": cmd.namespace,
        "target_name": cmd.name,
        "params": cmd.params or {},
    }


def later_result(
    command_id: str, success: bool, output: str, error: str, exec_ns: int, executed_at: str
) -> dict[str, Any]:
    """The later agent's `command.Result`: empty output, error and execTime omitted."""
    result: dict[str, Any] = {"commandId": command_id, "success": success}
    if output:
        result["output"] = output
    if error:
        result["error"] = error
    if exec_ns:
        result["execTime"] = exec_ns
    result["executedAt"] = executed_at
    return result

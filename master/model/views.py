"""How clusters and commands look to operators: one shape for REST and the live stream."""

from __future__ import annotations

from typing import Any

from .agent import AgentStatus
from .command import Command
from .gotime import from_epoch
from .summary import Summary

# Actions whose output carries secret values, shown to administrators only.
SECRET_OUTPUT_ACTIONS = frozenset({"get_secret"})
HIDDEN = "*** secret values are shown to administrators only ***"


def cluster_view(agent: AgentStatus, summary: Summary | None) -> dict[str, Any]:
    """A cluster's liveness with the counts of its latest summary (zeros before one)."""
    s = summary or Summary()
    return {
        "cluster_id": agent.cluster_id,
        "status": agent.status,
        "first_seen": from_epoch(agent.first_seen),
        "last_seen": from_epoch(agent.last_seen),
        "last_heartbeat": from_epoch(agent.last_heartbeat),
        "last_snapshot": from_epoch(agent.last_snapshot),
        "nodes": {"total": s.total_nodes, "ready": s.ready_nodes},
        "pods": {
            "total": s.total_pods,
            "running": s.running_pods,
            "pending": s.pending_pods,
            "failed": s.failed_pods,
        },
        "warning_events": s.warning_events,
    }


def command_view(cmd: Command, *, reveal_secrets: bool, output: bool = True) -> dict[str, Any]:
    """A command with RFC 3339 times and its result, if any.

    Secret output is masked unless revealed. Without `output` (the live stream,
    one encoding for every role) the result only says whether there is output.
    """
    result: dict[str, Any] | None = None
    if cmd.success is not None:
        result = {"success": cmd.success, "error": cmd.error, "executed_at": cmd.executed_at}
        if output:
            shown = cmd.output
            if shown and cmd.action in SECRET_OUTPUT_ACTIONS and not reveal_secrets:
                shown = HIDDEN
            result["output"] = shown
        else:
            result["has_output"] = bool(cmd.output)
    return {
        "command_id": cmd.id,
        "cluster_id": cmd.cluster_id,
        "action": cmd.action,
        "target_kind": cmd.target_kind,
        "target_namespace": cmd.target_namespace,
        "target_name": cmd.target_name,
        "params": cmd.params,
        "status": cmd.status,
        "attempts": cmd.attempts,
        "error": cmd.error,
        "created_at": from_epoch(cmd.created_at),
        "expires_at": from_epoch(cmd.expires_at),
        "dispatched_at": from_epoch(cmd.dispatched_at),
        "deadline_at": from_epoch(cmd.deadline_at),
        "finished_at": from_epoch(cmd.finished_at),
        "result": result,
    }

"""How clusters, commands and events look to operators: one shape for REST and the stream.

The `*_body` functions build the live stream's message bodies; the hub calls
them once per change and the stream encodes the result once for every subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .agent import AgentStatus
from .command import Command
from .event import Event
from .gotime import from_epoch
from .snapshot import ClusterSnapshot
from .summary import Summary

Body = dict[str, Any]

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


def cluster_body(agent: AgentStatus, snapshot: ClusterSnapshot | None) -> Body:
    """A `cluster` message: liveness and the latest counts."""
    return {"cluster": cluster_view(agent, snapshot.summary if snapshot else None)}


def summary_body(snapshot: ClusterSnapshot) -> Body:
    """A `summary` message: the latest snapshot's summary and when it was taken."""
    return {
        "summary": snapshot.summary,
        "received_at": snapshot.received_at,
        "fetched_at": snapshot.fetched_at,
    }


def events_body(cluster_id: str, events: Iterable[Event]) -> Body:
    """An `events` message of a new subscriber's state."""
    return {"events": [e.to_json(cluster_id) for e in events]}


def event_changes_body(cluster_id: str, new: Iterable[Event], updated: Iterable[Event]) -> Body:
    """An `events` message of what one snapshot changed, each event marked new or updated."""
    return {
        "events": [
            *(_changed(cluster_id, e, "new") for e in new),
            *(_changed(cluster_id, e, "updated") for e in updated),
        ]
    }


def _changed(cluster_id: str, event: Event, change: str) -> Body:
    out = event.to_json(cluster_id)
    out["change"] = change
    return out


def command_body(cmd: Command) -> Body:
    """A `command` message: one encoding for every role, so without output (REST applies
    the role rules)."""
    return {"command": command_view(cmd, reveal_secrets=False, output=False)}


def alert_body(view: Body) -> Body:
    """An `alert` message."""
    return {"alert": view}

"""Kubernetes events as the agent sends them, and their severity and time.

An event carries no host field in any agent generation; `source` is the
reporting component only (kubelet, default-scheduler, ...).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

CRITICAL_REASONS = frozenset(
    {
        "Failed",
        "FailedScheduling",
        "FailedMount",
        "FailedAttachVolume",
        "OOMKilled",
        "BackOff",
        "CrashLoopBackOff",
        "Unhealthy",
        "NodeNotReady",
    }
)


# Kubernetes names are at most 253 characters (a DNS subdomain); longer is no agent's.
Name = Annotated[str, msgspec.Meta(max_length=253)]


class InvolvedObject(msgspec.Struct, gc=False):
    kind: Name = ""
    namespace: Name = ""
    name: Name = ""
    uid: Name = ""


class Event(msgspec.Struct, kw_only=True, gc=False):
    """One event. Timestamps are normalised to UTC RFC 3339 text, None when unknown.

    `uid` is the dedupe key; the processor fills it from namespace/name when
    the agent left it empty. `created_at` is when Kubernetes created the event
    object: for events of the newer API (the scheduler's), which arrive with
    count 0 and no first or last time, the only time there is.
    """

    uid: Name = ""
    name: Name = ""
    namespace: Name = ""
    kind: Name = ""
    created_at: str | None = None
    type: Name = ""
    reason: Name = ""
    message: str = ""
    source: Name = ""
    involved_object: InvolvedObject = msgspec.field(default_factory=InvolvedObject)
    count: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] = 0
    first_timestamp: str | None = None
    last_timestamp: str | None = None

    @property
    def severity(self) -> str:
        return severity_of(self.type, self.reason)

    def to_json(self, cluster_id: str) -> dict[str, Any]:
        """The event as the REST API and fan-out show it, with its `event_time`."""
        out = msgspec.structs.asdict(self)
        out["involved_object"] = msgspec.structs.asdict(self.involved_object)
        out["cluster_id"] = cluster_id
        out["severity"] = self.severity
        out["event_time"] = event_time(self) or None
        return out


def event_time(event: Event) -> str:
    """When the event last happened, what events sort and expire by ("" when unknown).

    Last seen, else first seen, else when its object was created (the only
    time an events.k8s.io event has).
    """
    return event.last_timestamp or event.first_timestamp or event.created_at or ""


def severity_of(event_type: str, reason: str) -> str:
    """critical for a Warning with a critical reason, warning for other Warnings, else info."""
    if event_type == "Warning":
        return "critical" if reason in CRITICAL_REASONS else "warning"
    return "info"

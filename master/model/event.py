"""Kubernetes events as the agent sends them, and their severity."""

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


class InvolvedObject(msgspec.Struct, gc=False):
    kind: str = ""
    namespace: str = ""
    name: str = ""
    uid: str = ""


class Event(msgspec.Struct, kw_only=True, gc=False):
    """One event. Timestamps are normalised to UTC RFC 3339 text, None when unknown.

    `uid` is the dedupe key; the processor fills it from namespace/name when
    the agent left it empty.
    """

    uid: str = ""
    name: str = ""
    namespace: str = ""
    kind: str = ""
    type: str = ""
    reason: str = ""
    message: str = ""
    source: str = ""
    source_host: str = ""
    involved_object: InvolvedObject = msgspec.field(default_factory=InvolvedObject)
    count: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] = 0
    first_timestamp: str | None = None
    last_timestamp: str | None = None

    @property
    def severity(self) -> str:
        return severity_of(self.type, self.reason)

    def to_json(self, cluster_id: str) -> dict[str, Any]:
        """The event as the REST API and fan-out show it."""
        out = msgspec.structs.asdict(self)
        out["involved_object"] = msgspec.structs.asdict(self.involved_object)
        out["cluster_id"] = cluster_id
        out["severity"] = self.severity
        return out


def event_time(event: Event) -> str:
    """What events sort by, newest last: last seen, else first seen ("" when unknown)."""
    return event.last_timestamp or event.first_timestamp or ""


def severity_of(event_type: str, reason: str) -> str:
    """critical for a Warning with a critical reason, warning for other Warnings, else info."""
    if event_type == "Warning":
        return "critical" if reason in CRITICAL_REASONS else "warning"
    return "info"

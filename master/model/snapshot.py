"""The snapshot: resources kept as the agent's raw JSON bytes beside a small typed index.

Decoding only the fields the master filters and sums on (and keeping each
resource's bytes as `msgspec.Raw`) is several times faster than building
dicts for whole snapshots; resources are served by writing those bytes out.
"""

from __future__ import annotations

from typing import Any

import msgspec

from .event import Event
from .summary import Summary

# Top-level list keys of an Agent V2 snapshot, in wire order.
RESOURCE_KINDS = (
    "pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs",
    "services", "ingresses", "namespaces", "configmaps", "secrets", "resourceQuotas",
    "limitRanges", "networkPolicies", "serviceAccounts", "pvs", "pvcs", "nodes",
)
ENVELOPE_KEYS = frozenset({"cluster_id", "fetched_at", "summary", "events", *RESOURCE_KINDS})

Labels = dict[str, str] | None


# -- What is decoded of each kind (unknown fields are skipped, not rejected) --

class _PodSummary(msgspec.Struct):
    name: str = ""
    namespace: str = ""
    nodeName: str = ""
    ownerKind: str = ""
    ownerName: str = ""
    labels: Labels = None


class _PodStatus(msgspec.Struct):
    phase: str = ""
    restarts: int = 0


class PodDoc(msgspec.Struct):
    summary: _PodSummary = msgspec.field(default_factory=_PodSummary)
    status: _PodStatus = msgspec.field(default_factory=_PodStatus)
    labels: Labels = None


class _NodeSummary(msgspec.Struct):
    name: str = ""
    ready: str | bool = ""
    schedulable: bool = True
    labels: Labels = None


class NodeDoc(msgspec.Struct):
    summary: _NodeSummary = msgspec.field(default_factory=_NodeSummary)
    labels: Labels = None


class _WorkloadSummary(msgspec.Struct):
    name: str = ""
    namespace: str = ""
    replicas: int = 0
    ready: int = 0
    available: int = 0
    labels: Labels = None


class WorkloadDoc(msgspec.Struct):
    summary: _WorkloadSummary = msgspec.field(default_factory=_WorkloadSummary)
    labels: Labels = None


class _NamedSummary(msgspec.Struct):
    name: str = ""
    namespace: str = ""
    type: str = ""
    labels: Labels = None


class _PhaseStatus(msgspec.Struct):
    phase: str = ""


class NamedDoc(msgspec.Struct):
    summary: _NamedSummary = msgspec.field(default_factory=_NamedSummary)
    status: _PhaseStatus | None = None
    labels: Labels = None


class FlatDoc(msgspec.Struct):
    name: str = ""
    namespace: str = ""
    uid: str = ""
    labels: Labels = None


class Item(msgspec.Struct, gc=False):
    """One resource: its index fields and its bytes exactly as the agent sent them."""

    raw: msgspec.Raw
    name: str
    namespace: str = ""
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    node: str = ""
    phase: str = ""
    restarts: int = 0
    owner_kind: str = ""
    owner_name: str = ""
    ready: str = ""
    schedulable: bool = True
    replicas: int = 0
    ready_replicas: int = 0
    available: int = 0
    type: str = ""


class ClusterSnapshot(msgspec.Struct, kw_only=True):
    """A validated, normalised snapshot as the hub keeps it."""

    cluster_id: str
    fetched_at: str | None
    received_at: float
    size_bytes: int
    resources: dict[str, list[Item]]
    events: list[Event]
    summary: Summary
    # Top-level keys this master does not know yet (newer agents add kinds): kept as sent.
    extra: dict[str, msgspec.Raw] = msgspec.field(default_factory=dict)
    # The summary the agent claimed, kept for comparison, never trusted.
    agent_summary: dict[str, Any] | None = None


class SnapshotChanges(msgspec.Struct, kw_only=True):
    """What a snapshot changed since the previous one of its cluster, for fan-out."""

    cluster_id: str
    first: bool
    new_events: list[Event]
    updated_events: list[Event]
    summary_changed: bool

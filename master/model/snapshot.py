"""The snapshot: the agent's JSON body kept as sent, beside a small typed index.

Decoding only the fields the master filters and sums on, in one typed pass,
is several times faster than building dicts for whole snapshots; resources
are served by writing the agent's own bytes out, never by re-encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

from .event import Event, Name
from .generation import OTEL_KEY, V2, V3, Generation, list_key
from .summary import Summary

# Top-level list keys of an Agent V2 snapshot, in wire order: the master's names of the
# kinds (the later agent spells five of them in camelCase, `generation.list_key`).
RESOURCE_KINDS = (
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "jobs",
    "cronjobs",
    "services",
    "ingresses",
    "namespaces",
    "configmaps",
    "secrets",
    "resourceQuotas",
    "limitRanges",
    "networkPolicies",
    "serviceAccounts",
    "pvs",
    "pvcs",
    "nodes",
)
# Top-level keys each generation sends that are not an unknown kind.
ENVELOPE_KEYS: dict[Generation, frozenset[str]] = {
    V2: frozenset({"cluster_id", "fetched_at", "summary", "events", *RESOURCE_KINDS}),
    V3: frozenset(
        {
            "clusterId",
            "fetchedAt",
            "summary",
            "events",
            OTEL_KEY,
            *(list_key(V3, k) for k in RESOURCE_KINDS),
        }
    ),
}

Labels = dict[str, str] | None


# -- What is decoded of each kind (unknown fields are skipped, not rejected) --
# gc=False: these hold no cycles, and hundreds of thousands of them live in the hub;
# left to the cycle collector, its full passes stall the event loop for 100+ ms.


class _PodSummary(msgspec.Struct, gc=False):
    name: Name = ""
    namespace: Name = ""
    nodeName: Name = ""
    ownerKind: Name = ""
    ownerName: Name = ""


class _PodStatus(msgspec.Struct, gc=False):
    phase: str = ""
    restarts: int = 0


class PodDoc(msgspec.Struct, gc=False):
    summary: _PodSummary = msgspec.field(default_factory=_PodSummary)
    status: _PodStatus = msgspec.field(default_factory=_PodStatus)
    labels: Labels = None


class _NodeSummary(msgspec.Struct, gc=False):
    name: Name = ""
    ready: str | bool = ""
    schedulable: bool = True


class NodeDoc(msgspec.Struct, gc=False):
    summary: _NodeSummary = msgspec.field(default_factory=_NodeSummary)
    labels: Labels = None


class _WorkloadSummary(msgspec.Struct, gc=False):
    name: Name = ""
    namespace: Name = ""
    replicas: int = 0
    ready: int = 0
    available: int = 0


class WorkloadDoc(msgspec.Struct, gc=False):
    """A Deployment or StatefulSet."""

    summary: _WorkloadSummary = msgspec.field(default_factory=_WorkloadSummary)
    labels: Labels = None


class _DaemonSetSummary(msgspec.Struct, gc=False):
    name: Name = ""
    namespace: Name = ""
    desiredNumberScheduled: int = 0
    numberReady: int = 0
    numberAvailable: int = 0


class DaemonSetDoc(msgspec.Struct, gc=False):
    summary: _DaemonSetSummary = msgspec.field(default_factory=_DaemonSetSummary)
    labels: Labels = None


class _NamedSummary(msgspec.Struct, gc=False):
    name: Name = ""
    namespace: Name = ""
    type: str = ""


class _PhaseStatus(msgspec.Struct, gc=False):
    phase: str = ""


class NamedDoc(msgspec.Struct, gc=False):
    summary: _NamedSummary = msgspec.field(default_factory=_NamedSummary)
    status: _PhaseStatus | None = None
    labels: Labels = None


class FlatDoc(msgspec.Struct, gc=False):
    """The kinds with their identity at the top level (ReplicaSets, Jobs, ConfigMaps...);
    a ReplicaSet names its owner (a Deployment) in owner_kind/owner_name."""

    name: Name = ""
    namespace: Name = ""
    uid: Name = ""
    owner_kind: Name = ""
    owner_name: Name = ""
    labels: Labels = None


# Sequences, so that the later index can narrow them to its own spelling of the items.
Flat = Sequence[FlatDoc] | None
Workloads = list[WorkloadDoc] | None
Named = list[NamedDoc] | None


class SnapshotIndex(msgspec.Struct, gc=False):
    """Everything the master reads of an Agent V2 snapshot, decoded in one typed pass.

    Unknown fields and top-level keys are skipped here, not lost: the
    snapshot keeps the whole body, and resources are served from its bytes.
    `LaterSnapshotIndex` reads the later agent's spelling into the same fields.
    """

    generation: ClassVar[Generation] = V2

    cluster_id: str | None = None
    fetched_at: str | None = None
    # The other generation's spelling of the two keys every snapshot has, only noticed:
    # beside ours, the body mixes generations; alone, it is the other generation's.
    other_cluster_id: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="clusterId")
    other_fetched_at: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="fetchedAt")
    pods: list[PodDoc] | None = None
    nodes: list[NodeDoc] | None = None
    deployments: Workloads = None
    statefulsets: Workloads = None
    daemonsets: list[DaemonSetDoc] | None = None
    services: Named = None
    ingresses: Named = None
    namespaces: Named = None
    replicasets: Flat = None
    jobs: Flat = None
    cronjobs: Flat = None
    configmaps: Flat = None
    secrets: Flat = None
    resourceQuotas: Flat = None
    limitRanges: Flat = None
    networkPolicies: Flat = None
    serviceAccounts: Flat = None
    pvs: Flat = None
    pvcs: Flat = None
    events: Sequence[Event] | None = None

    def docs(self, kind: str) -> Sequence[Any]:
        """The decoded entries of `kind` (its V2 key; empty for null or absent)."""
        found: Sequence[Any] | None = getattr(self, kind)
        return found or ()


class Item(msgspec.Struct, gc=False):
    """One resource: its index fields and its bytes exactly as the agent sent them.

    A DaemonSet's replicas/ready/available are its desired/ready/available numbers.
    """

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


def node_ready(doc: NodeDoc) -> str:
    ready = doc.summary.ready
    return ready if isinstance(ready, str) else ("True" if ready else "False")


def _item(doc: Any, raw: msgspec.Raw) -> Item:
    if isinstance(doc, FlatDoc):
        return Item(
            raw=raw,
            name=doc.name,
            namespace=doc.namespace,
            labels=doc.labels or {},
            owner_kind=doc.owner_kind,
            owner_name=doc.owner_name,
        )
    s = doc.summary
    labels = doc.labels or {}
    if isinstance(doc, PodDoc):
        return Item(
            raw=raw,
            name=s.name,
            namespace=s.namespace,
            labels=labels,
            node=s.nodeName,
            phase=doc.status.phase,
            restarts=doc.status.restarts,
            owner_kind=s.ownerKind,
            owner_name=s.ownerName,
        )
    if isinstance(doc, NodeDoc):
        return Item(
            raw=raw, name=s.name, labels=labels, ready=node_ready(doc), schedulable=s.schedulable
        )
    if isinstance(doc, WorkloadDoc):
        return Item(
            raw=raw,
            name=s.name,
            namespace=s.namespace,
            labels=labels,
            replicas=s.replicas,
            ready_replicas=s.ready,
            available=s.available,
        )
    if isinstance(doc, DaemonSetDoc):
        return Item(
            raw=raw,
            name=s.name,
            namespace=s.namespace,
            labels=labels,
            replicas=s.desiredNumberScheduled,
            ready_replicas=s.numberReady,
            available=s.numberAvailable,
        )
    phase = doc.status.phase if doc.status is not None else ""
    return Item(
        raw=raw, name=s.name, namespace=s.namespace, labels=labels, type=s.type, phase=phase
    )


_top_level = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list = msgspec.json.Decoder(list[msgspec.Raw] | None)


class ClusterSnapshot:
    """A validated snapshot as the hub keeps it: the body, its index and its summary.

    Ingest pays only for the typed index. Raw per-resource bytes and the
    names of unknown top-level keys are cut from the body when first read.
    Kinds are named by their V2 keys whichever generation sent the body.
    """

    def __init__(
        self,
        *,
        cluster_id: str,
        fetched_at: str | None,
        received_at: float,
        body: bytes | bytearray,
        index: SnapshotIndex,
        events: list[Event],
        summary: Summary,
    ) -> None:
        self.cluster_id = cluster_id
        self.fetched_at = fetched_at
        self.received_at = received_at
        self.body = body
        self.index = index
        self.events = events
        self.summary = summary
        self._top: dict[str, msgspec.Raw] | None = None
        self._items: dict[str, list[Item]] = {}

    @property
    def size_bytes(self) -> int:
        return len(self.body)

    @property
    def generation(self) -> Generation:
        """Which agent generation sent it (its spelling of the keys)."""
        return self.index.generation

    def _top_level(self) -> dict[str, msgspec.Raw]:
        if self._top is None:
            self._top = _top_level.decode(self.body)
        return self._top

    def items(self, kind: str) -> list[Item]:
        """The resources of `kind` with their raw bytes, in the order the agent sent them."""
        found = self._items.get(kind)
        if found is None:
            raw = self._top_level().get(list_key(self.generation, kind))
            raws = _raw_list.decode(raw) if raw is not None else None
            found = self._items[kind] = [
                _item(doc, r) for doc, r in zip(self.index.docs(kind), raws or (), strict=True)
            ]
        return found

    def extra_kinds(self) -> list[str]:
        """Top-level keys this master does not know (newer agents add kinds), kept as sent."""
        known = ENVELOPE_KEYS[self.generation]
        return sorted(k for k in self._top_level() if k not in known)

    def extra(self, key: str) -> msgspec.Raw | None:
        return self._top_level().get(key) if key not in ENVELOPE_KEYS[self.generation] else None

    def otel(self) -> msgspec.Raw | None:
        """The later agent's `otel` subtree (ClickHouse dashboards) as sent; never decoded."""
        if self.generation == V2:
            return None
        found = self._top_level().get(OTEL_KEY)
        return found if found is not None and bytes(found) != b"null" else None


@dataclass(frozen=True)
class SnapshotLimits:
    """What one snapshot may make the master keep (a compromised agent sends anything).

    Names over 253 characters (no Kubernetes object has one) refuse the snapshot.
    """

    max_events: int = 10_000
    max_event_message_bytes: int = 4096


class SnapshotChanges(msgspec.Struct, kw_only=True):
    """What a snapshot changed since the previous one of its cluster, for fan-out."""

    cluster_id: str
    new_events: list[Event]
    updated_events: list[Event]

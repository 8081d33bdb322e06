"""The later agent's (68cc533) snapshot, read into the same index as Agent V2's.

Each struct here is its V2 counterpart with the keys the later agent renamed
(`generation.LATER_*`); the field names, and so everything downstream, stay
the V2 ones. The nested kinds (pods, nodes, workloads, services, ingresses,
namespaces) and the camelCase flat kinds kept every key, so their V2 structs
read both. What the later agent added (`otel`, richer jobs and policies) is
skipped by the typed pass and kept in the body's bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import msgspec

from .event import LaterEvent, Name
from .generation import V3, Generation
from .snapshot import DaemonSetDoc, FlatDoc, SnapshotIndex, Workloads


class LaterFlatDoc(FlatDoc, gc=False):
    """A ReplicaSet, Job, CronJob, ConfigMap, Secret, PV or PVC of the later agent."""

    owner_kind: Name = msgspec.field(default="", name="ownerKind")
    owner_name: Name = msgspec.field(default="", name="ownerName")


LaterFlat = Sequence[LaterFlatDoc] | None


class LaterSnapshotIndex(SnapshotIndex, gc=False):
    generation: ClassVar[Generation] = V3

    cluster_id: str | None = msgspec.field(default=None, name="clusterId")
    fetched_at: str | None = msgspec.field(default=None, name="fetchedAt")
    other_cluster_id: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="cluster_id")
    other_fetched_at: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="fetched_at")
    statefulsets: Workloads = msgspec.field(default=None, name="statefulSets")
    daemonsets: list[DaemonSetDoc] | None = msgspec.field(default=None, name="daemonSets")
    replicasets: LaterFlat = msgspec.field(default=None, name="replicaSets")
    jobs: LaterFlat = None
    cronjobs: LaterFlat = msgspec.field(default=None, name="cronJobs")
    configmaps: LaterFlat = msgspec.field(default=None, name="configMaps")
    secrets: LaterFlat = None
    pvs: LaterFlat = None
    pvcs: LaterFlat = None
    events: Sequence[LaterEvent] | None = None

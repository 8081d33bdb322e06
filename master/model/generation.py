"""The two agent generations the master serves, and how each spells its wire.

Agent V2 (bukahou/atlhyper 92d37dd, `model_v2`) and the later agent (68cc533,
`model_v3`, still called "Agent V2" by its authors) call the same four routes.
The later one renamed 74 snapshot keys to camelCase (the top level's
`clusterId fetchedAt statefulSets daemonSets replicaSets cronJobs configMaps`,
the flat kinds' `nodeName ownerKind ownerName createdAt` and own fields, the
events' object and times, the 15 summary counts), added an `otel` subtree,
polls with `topic=ops|ai` and reports `commandId`/`executedAt`. Nothing tells
the two apart but these spellings, so the master reads each request in its
own dialect, never by a setting; a cluster's generation is remembered only
to show it and to check commands against what its agent does.

Internally every kind and field keeps its V2 name (`statefulsets`,
`owner_kind`); the tables here give the later agent's spelling where it differs.
"""

from __future__ import annotations

from typing import Final, Literal

Generation = Literal["v2", "v3"]
V2: Final = "v2"
V3: Final = "v3"
GENERATIONS: tuple[Generation, ...] = (V2, V3)

# Top-level list keys the later agent spells in camelCase (internal kind -> its key).
LATER_LIST_KEYS: dict[str, str] = {
    "statefulsets": "statefulSets",
    "daemonsets": "daemonSets",
    "replicasets": "replicaSets",
    "cronjobs": "cronJobs",
    "configmaps": "configMaps",
}

# The flat kinds' (ReplicaSets, Jobs, CronJobs, ConfigMaps, Secrets, PVs, PVCs, events)
# fields whose spelling changed: V2 key -> the later agent's.
LATER_FLAT_FIELDS: dict[str, str] = {
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

# The later agent's `otel` subtree (present only with ClickHouse configured): kept as
# sent, never decoded; nothing the master computes reads it.
OTEL_KEY = "otel"

# What the later agent does differently with a command the master offers to both:
# `get_logs` reads 100 lines without `tailLines` and never more than 200.
LATER_LOGS_TAIL_MAX = 200


def list_key(generation: Generation, kind: str) -> str:
    """The snapshot's key for the list of `kind` (its V2 key) in `generation`'s spelling."""
    return LATER_LIST_KEYS.get(kind, kind) if generation == V3 else kind


def flat_field(generation: Generation, field: str) -> str:
    """A flat kind's key `field` (its V2 spelling) as `generation` writes it."""
    return LATER_FLAT_FIELDS.get(field, field) if generation == V3 else field

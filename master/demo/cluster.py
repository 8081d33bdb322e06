"""A simulated Kubernetes cluster: what a demo agent reports and acts on.

Plain code, no I/O, deterministic for a seed and a sequence of times, so tests
and the load benchmark can run many of them. Resource dicts are built once and
mutated as the cluster evolves; a snapshot is a cheap view over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

import msgspec

from . import build, commands, evolution
from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET
from .objects import NAMESPACE_RESOURCES
from .resources import NODE, ZERO_TIME, Doc, age, go_time, put
from .state import ClusterState

__all__ = ["ZERO_TIME", "SimulatedCluster", "go_json", "go_time"]

# Offsets the clusters' agents report times in, by seed: the master must accept any offset.
_OFFSETS = (UTC, timezone(timedelta(hours=9)), UTC, timezone(timedelta(hours=-5)))
_WARMUP_STEP = timedelta(seconds=20)


class SimulatedCluster:
    """One cluster: 3-6 nodes, system and shop apps, about `pods` pods, and their events.

    `now` is the cluster's start time (default: the wall clock); `tz` the offset
    its timestamps carry (default: by seed, Z or +09:00 or -05:00). The cluster
    has already lived through `warmup` of simulated time when it starts, so its
    first snapshot shows a running cluster's events and troubles.
    """

    def __init__(
        self,
        cluster_id: str,
        *,
        pods: int = 40,
        seed: int = 0,
        now: datetime | None = None,
        tz: tzinfo | None = None,
        warmup: timedelta = timedelta(minutes=30),
    ) -> None:
        start = now if now is not None else datetime.now(UTC)
        at = start - warmup
        self._state = ClusterState(
            cluster_id, seed=seed, tz=tz or _OFFSETS[seed % len(_OFFSETS)], now=at
        )
        build.populate(self._state, pods)
        while at < start:
            at = min(at + _WARMUP_STEP, start)
            evolution.advance(self._state, at)

    @property
    def cluster_id(self) -> str:
        return self._state.cluster_id

    @property
    def tz(self) -> tzinfo:
        """The offset this cluster's agent writes its times in."""
        return self._state.tz

    @property
    def state(self) -> ClusterState:
        """The live state, for tests and tools that look inside."""
        return self._state

    def go_now(self, now: datetime | None = None) -> str:
        """`now` (default: the wall clock) as this cluster's agent writes time.Now()."""
        return self._state.stamp_nano(now or datetime.now(UTC))

    def tick(self, now: datetime) -> None:
        """Evolve the cluster up to `now`: crash loops, scheduling, probes, nodes, events."""
        evolution.advance(self._state, now)

    def snapshot(self, now: datetime) -> dict[str, Any]:
        """The whole snapshot as the Go agent builds it, fetched at `now`.

        The result shares the cluster's live dicts: encode it (`go_json`) before
        the next `tick` or `execute`.
        """
        return _snapshot(self._state, now)

    def execute(
        self, command: Mapping[str, Any], now: datetime | None = None
    ) -> tuple[bool, str, str]:
        """Run one wire command; returns (success, output, error), never raises for bad input.

        With `now`, the cluster first evolves up to it, so what the command
        changes is stamped with the real time.
        """
        if now is not None:
            self.tick(now)
        return commands.execute(self._state, command, self._state.now)


def go_json(snapshot: Any) -> bytes:
    """JSON as Go's encoding/json writes it: msgspec's, with `<`, `>`, `&` and U+2028/9
    escaped (outside strings JSON has none of them)."""
    body = msgspec.json.encode(snapshot)
    for raw, escaped in _HTML_ESCAPES:
        if raw in body:
            body = body.replace(raw, escaped)
    return body


_HTML_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)
# The snapshot's lists in Go's order, and whether Go omits them when empty.
_LISTS = (
    ("pods", False),
    ("deployments", False),
    ("statefulsets", False),
    ("daemonsets", False),
    ("replicasets", True),
    ("jobs", True),
    ("cronjobs", True),
    ("services", False),
    ("ingresses", False),
    ("namespaces", False),
    ("configmaps", False),
    ("secrets", True),
    ("resourceQuotas", True),
    ("limitRanges", True),
    ("networkPolicies", True),
    ("serviceAccounts", True),
    ("pvs", True),
    ("pvcs", True),
    ("nodes", False),
    ("events", False),
)
_NAMESPACE = ("summary", "status", "resources", "quotas", "limitRanges", "labels", "annotations")
_PHASE_COUNT = {
    "Running": "podsRunning",
    "Pending": "podsPending",
    "Failed": "podsFailed",
    "Succeeded": "podsSucceeded",
}


@lru_cache(maxsize=1 << 16)
def _when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _age(doc: Doc, now: datetime, key: str = "createdAt") -> None:
    doc["age"] = age(now - _when(doc[key]))


def _quantity(text: str) -> int:
    """Millicores of "250m" or mebibytes of "300Mi" (the demo's own usage strings)."""
    return int(text[:-1] if text.endswith("m") else text[:-2])


def _refresh(state: ClusterState, lists: dict[str, list[Doc]], now: datetime) -> None:
    """What the agent computes as it converts: ages, node metrics, namespace counts."""
    for key in ("pods", "deployments", "statefulsets", "daemonsets", "services", "ingresses"):
        for doc in lists[key]:
            _age(doc["summary"], now)
    for key in ("resourceQuotas", "limitRanges", "networkPolicies", "serviceAccounts"):
        for doc in lists[key]:
            _age(doc, now)
    usage: dict[str, list[int]] = {}
    for pod in lists["pods"]:
        status = pod["status"]
        if "cpuUsage" in status and "nodeName" in pod["summary"]:
            used = usage.setdefault(pod["summary"]["nodeName"], [150, 900])
            used[0] += _quantity(status["cpuUsage"])
            used[1] += _quantity(status["memoryUsage"])
    heartbeat = state.stamp(now)
    for node in state.nodes.values():
        doc = node.doc
        _age(doc["summary"], now, "creationTime")
        metrics = None
        if node.ready == "True":
            for cond in doc["conditions"]:
                cond["lastHeartbeatTime"] = heartbeat
            cpu, memory = usage.get(node.name, [150, 900])
            metrics = {
                "cpu": {
                    "usage": f"{cpu}m",
                    "allocatable": doc["allocatable"]["cpu"],
                    "capacity": doc["capacity"]["cpu"],
                },
                "memory": {
                    "usage": f"{memory * 1024}Ki",
                    "allocatable": doc["allocatable"]["memory"],
                    "capacity": doc["capacity"]["memory"],
                },
                "pods": {"used": 0, "capacity": 0},
                "pressure": {},
            }
        put(doc, tuple(NODE), metrics=metrics)
    _namespaces(lists, now)


def _namespaces(lists: dict[str, list[Doc]], now: datetime) -> None:
    """Each namespace's 18 counts, quotas and limit ranges (`calculateNamespaceResources`)."""
    counts = {
        ns["summary"]["name"]: dict.fromkeys(NAMESPACE_RESOURCES, 0) for ns in lists["namespaces"]
    }

    def add(namespace: str, key: str) -> None:
        if namespace in counts:
            counts[namespace][key] += 1

    for pod in lists["pods"]:
        namespace = pod["summary"]["namespace"]
        add(namespace, "pods")
        phase = _PHASE_COUNT.get(pod["status"]["phase"])
        if phase:
            add(namespace, phase)
    for key, count in (
        ("deployments", "deployments"),
        ("statefulsets", "statefulSets"),
        ("daemonsets", "daemonSets"),
        ("services", "services"),
        ("ingresses", "ingresses"),
    ):
        for doc in lists[key]:
            add(doc["summary"]["namespace"], count)
    for key, count in (
        ("replicasets", "replicaSets"),
        ("jobs", "jobs"),
        ("cronjobs", "cronJobs"),
        ("networkPolicies", "networkPolicies"),
        ("configmaps", "configMaps"),
        ("secrets", "secrets"),
        ("serviceAccounts", "serviceAccounts"),
        ("pvcs", "pvcs"),
    ):
        for doc in lists[key]:
            add(doc.get("namespace", ""), count)
    for ns in lists["namespaces"]:
        name = ns["summary"]["name"]
        _age(ns["summary"], now)
        put(
            ns,
            _NAMESPACE,
            resources=counts[name],
            quotas=[q for q in lists["resourceQuotas"] if q["namespace"] == name] or None,
            limitRanges=[r for r in lists["limitRanges"] if r["namespace"] == name] or None,
        )


def _summary(lists: dict[str, list[Doc]]) -> dict[str, int]:
    """The agent's `generateSummary`."""
    phases = [p["status"]["phase"] for p in lists["pods"]]
    events = lists["events"]
    return {
        "total_nodes": len(lists["nodes"]),
        "ready_nodes": sum(1 for n in lists["nodes"] if n["summary"]["ready"] == "True"),
        "total_pods": len(phases),
        "running_pods": phases.count("Running"),
        "pending_pods": phases.count("Pending"),
        "failed_pods": phases.count("Failed"),
        "total_deployments": len(lists["deployments"]),
        "healthy_deployments": sum(
            1 for d in lists["deployments"] if d["summary"]["ready"] == d["summary"]["replicas"] > 0
        ),
        "total_statefulsets": len(lists["statefulsets"]),
        "total_daemonsets": len(lists["daemonsets"]),
        "total_services": len(lists["services"]),
        "total_ingresses": len(lists["ingresses"]),
        "total_namespaces": len(lists["namespaces"]),
        "total_events": len(events),
        "warning_events": sum(1 for e in events if e["type"] == "Warning"),
    }


def _snapshot(state: ClusterState, now: datetime) -> dict[str, Any]:
    by_kind: dict[str, list[Doc]] = {DEPLOYMENT: [], STATEFULSET: [], DAEMONSET: []}
    for w in state.workloads.values():
        by_kind[w.kind].append(w.doc)
    named, flat = state.named, state.flat
    lists: dict[str, list[Doc]] = {
        "pods": [p.doc for p in state.pods.values()],
        "deployments": by_kind[DEPLOYMENT],
        "statefulsets": by_kind[STATEFULSET],
        "daemonsets": by_kind[DAEMONSET],
        "replicasets": list(state.replicasets.values()),
        "services": list(named["services"].values()),
        "ingresses": list(named["ingresses"].values()),
        "namespaces": list(named["namespaces"].values()),
        "nodes": [n.doc for n in state.nodes.values()],
        "events": list(state.events.docs.values()),
        **{key: list(docs.values()) for key, docs in flat.items()},
    }
    _refresh(state, lists, now)
    body: dict[str, Any] = {"cluster_id": state.cluster_id, "fetched_at": state.stamp_nano(now)}
    for key, omitempty in _LISTS:
        if lists[key] or not omitempty:
            body[key] = lists[key]
    body["summary"] = _summary(lists)
    return body

"""A simulated Kubernetes cluster: what a demo agent reports and acts on.

Plain code, no I/O, deterministic for a seed and a sequence of times, so tests
and the load benchmark can run many of them. Resource dicts are built once and
mutated as the cluster evolves; a snapshot is a cheap view over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from . import build, commands, evolution
from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET
from .resources import ZERO_TIME, Doc, go_time
from .state import ClusterState

__all__ = ["ZERO_TIME", "SimulatedCluster", "go_time"]

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

        The result shares the cluster's live dicts: encode it before the next
        `tick` or `execute`.
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


def _snapshot(state: ClusterState, now: datetime) -> dict[str, Any]:
    # Lists over the live dicts, empty ones as None (JSON null, as Go encodes a nil slice),
    # and the agent's own counts.
    pods = [p.doc for p in state.pods.values()]
    by_kind: dict[str, list[Doc]] = {DEPLOYMENT: [], STATEFULSET: [], DAEMONSET: []}
    for w in state.workloads.values():
        by_kind[w.kind].append(w.doc)
    nodes = [n.doc for n in state.nodes.values()]
    events = list(state.events.docs.values())
    phases = [p["status"]["phase"] for p in pods]
    named, flat = state.named, state.flat
    deployments = by_kind[DEPLOYMENT]
    return {
        "cluster_id": state.cluster_id,
        "fetched_at": state.stamp_nano(now),
        "pods": pods or None,
        "deployments": deployments or None,
        "statefulsets": by_kind[STATEFULSET] or None,
        "daemonsets": by_kind[DAEMONSET] or None,
        "replicasets": list(state.replicasets.values()) or None,
        "jobs": list(flat["jobs"].values()) or None,
        "cronjobs": list(flat["cronjobs"].values()) or None,
        "services": list(named["services"].values()) or None,
        "ingresses": list(named["ingresses"].values()) or None,
        "namespaces": list(named["namespaces"].values()) or None,
        "configmaps": list(flat["configmaps"].values()) or None,
        "secrets": list(flat["secrets"].values()) or None,
        "resourceQuotas": None,
        "limitRanges": None,
        "networkPolicies": list(flat["networkPolicies"].values()) or None,
        "serviceAccounts": list(flat["serviceAccounts"].values()) or None,
        "pvs": list(flat["pvs"].values()) or None,
        "pvcs": list(flat["pvcs"].values()) or None,
        "nodes": nodes or None,
        "events": events or None,
        "summary": {
            "total_nodes": len(nodes),
            "ready_nodes": sum(1 for n in state.nodes.values() if n.ready == "True"),
            "total_pods": len(pods),
            "running_pods": phases.count("Running"),
            "pending_pods": phases.count("Pending"),
            "failed_pods": phases.count("Failed"),
            "total_deployments": len(deployments),
            "healthy_deployments": sum(
                1 for d in deployments if d["summary"]["ready"] >= d["summary"]["replicas"]
            ),
            "total_statefulsets": len(by_kind[STATEFULSET]),
            "total_daemonsets": len(by_kind[DAEMONSET]),
            "total_services": len(named["services"]),
            "total_ingresses": len(named["ingresses"]),
            "total_namespaces": len(named["namespaces"]),
            "total_events": len(events),
            "warning_events": sum(1 for e in events if e["type"] == "Warning"),
        },
    }

"""One cluster's overview (the Go master's `ClusterOverview`): its latest snapshot, the
node metrics its agent reports, and the alert history of the last 24 hours."""

from __future__ import annotations

from functools import partial

import msgspec

from ..database.alerts import alert_activity
from ..model.overview import (
    RECENT_ALERTS,
    ClusterOverview,
    JobCount,
    NodeFigures,
    ReadyCount,
    WorkloadSummary,
    alerts_part,
    cluster_overview,
    quantity,
    trend_start,
)
from ..model.snapshot import ClusterSnapshot, Item
from .base import Reads


class _Amounts(msgspec.Struct):
    cpu: str = ""
    memory: str = ""


class _Used(msgspec.Struct):
    usage: str = ""


class _NodeMetrics(msgspec.Struct):
    cpu: _Used | None = None
    memory: _Used | None = None


class _NodeDoc(msgspec.Struct):
    """What the overview reads of a node: allocatable, and the agent's `metrics` (when the
    cluster runs metrics-server)."""

    allocatable: _Amounts | None = None
    metrics: _NodeMetrics | None = None


class _JobDoc(msgspec.Struct):
    active: int = 0
    succeeded: int = 0
    failed: int = 0
    complete: bool = False


_node = msgspec.json.Decoder(_NodeDoc)
_job = msgspec.json.Decoder(_JobDoc)


def _figures(item: Item) -> NodeFigures:
    try:
        doc = _node.decode(item.raw)
    except msgspec.ValidationError:  # a node whose numbers are not quantities counts as none
        doc = _NodeDoc()
    alloc = doc.allocatable or _Amounts()
    metrics = doc.metrics or _NodeMetrics()
    return NodeFigures(
        name=item.name,
        cpu_allocatable=quantity(alloc.cpu) * 1000,
        mem_allocatable=quantity(alloc.memory),
        cpu_used=quantity(metrics.cpu.usage) * 1000 if metrics.cpu else 0.0,
        mem_used=quantity(metrics.memory.usage) if metrics.memory else 0.0,
    )


def _ready(items: list[Item]) -> ReadyCount:
    """Workloads whose ready replicas (a DaemonSet: ready pods) are all it wants, and some."""
    return ReadyCount(
        total=len(items),
        ready=sum(1 for i in items if i.replicas > 0 and i.ready_replicas == i.replicas),
    )


def _jobs(items: list[Item]) -> JobCount:
    docs = []
    for item in items:
        try:
            docs.append(_job.decode(item.raw))
        except msgspec.ValidationError:
            docs.append(_JobDoc())
    return JobCount(
        total=len(docs),
        running=sum(1 for d in docs if d.active > 0),
        succeeded=sum(1 for d in docs if d.complete and d.succeeded > 0),
        failed=sum(1 for d in docs if d.failed > 0),
    )


def _workloads(snap: ClusterSnapshot) -> WorkloadSummary:
    return WorkloadSummary(
        deployments=_ready(snap.items("deployments")),
        daemonsets=_ready(snap.items("daemonsets")),
        statefulsets=_ready(snap.items("statefulsets")),
        jobs=_jobs(snap.items("jobs")),
    )


class OverviewReads(Reads):
    async def cluster_overview(self, cluster_id: str) -> ClusterOverview:
        """NotFound for a cluster this master does not know or that sent no snapshot yet."""
        snap = await self.latest(cluster_id)
        start = trend_start(self.clock())
        counts, recent = await self.db.read(
            partial(alert_activity, cluster_id=cluster_id, since=start, recent=RECENT_ALERTS)
        )
        return cluster_overview(
            cluster_id,
            snap.summary,
            nodes=[_figures(n) for n in snap.items("nodes")],
            pod_phases=[p.phase for p in snap.items("pods")],
            workloads=_workloads(snap),
            alerts=alerts_part(start, counts, recent),
        )

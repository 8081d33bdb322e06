"""One cluster's overview in the Go master's `ClusterOverview` shape (model_v2/overview.go),
which its web UI's overview page reads; computed here without I/O.

Percentages are 0-100 floats. Health follows the Go rules: Healthy when at least
90% of nodes are ready and 80% of pods run, Degraded from 70% and 60%. The alert
part is our alert history over 24 hourly buckets in UTC (the current hour last).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import msgspec

from .alert import SEVERITIES, Alert
from .gotime import epoch_to_second
from .summary import Summary

HOUR = 3600
TREND_HOURS = 24
RECENT_ALERTS = 10


class HealthCard(msgspec.Struct, omit_defaults=True):
    status: str
    node_ready_percent: float
    pod_ready_percent: float
    reason: str = ""


class NodeReadyCard(msgspec.Struct):
    total: int
    ready: int
    percent: float


class PercentCard(msgspec.Struct):
    percent: float


class Cards(msgspec.Struct):
    cluster_health: HealthCard
    node_ready: NodeReadyCard
    cpu_usage: PercentCard
    mem_usage: PercentCard
    events_24h: int


class ReadyCount(msgspec.Struct):
    total: int = 0
    ready: int = 0


class JobCount(msgspec.Struct):
    total: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0


class WorkloadSummary(msgspec.Struct):
    deployments: ReadyCount
    daemonsets: ReadyCount
    statefulsets: ReadyCount
    jobs: JobCount


class PodStatus(msgspec.Struct):
    total: int
    running: int
    pending: int
    failed: int
    succeeded: int
    unknown: int
    running_percent: float
    pending_percent: float
    failed_percent: float
    succeeded_percent: float


class PeakStats(msgspec.Struct):
    peak_cpu: float
    peak_cpu_node: str
    peak_mem: float
    peak_mem_node: str
    has_data: bool


class Workloads(msgspec.Struct):
    summary: WorkloadSummary
    pod_status: PodStatus
    peak_stats: PeakStats


class TrendPoint(msgspec.Struct):
    at: str
    kinds: dict[str, int]


class AlertTotals(msgspec.Struct):
    critical: int = 0
    warning: int = 0
    info: int = 0


class RecentAlert(msgspec.Struct):
    timestamp: str
    severity: str
    kind: str
    namespace: str
    name: str
    message: str
    reason: str


class Alerts(msgspec.Struct):
    trend: list[TrendPoint]
    totals: AlertTotals
    recent: list[RecentAlert]


class NodeUsage(msgspec.Struct):
    node: str
    cpu_usage: float
    mem_usage: float


class Nodes(msgspec.Struct):
    usage: list[NodeUsage]


class ClusterOverview(msgspec.Struct):
    cluster_id: str
    cards: Cards
    workloads: Workloads
    alerts: Alerts
    nodes: Nodes


# -- inputs, as the query layer gathers them --


@dataclass(frozen=True)
class NodeFigures:
    """A node's allocatable and used CPU (millicores) and memory (bytes)."""

    name: str
    cpu_allocatable: float
    mem_allocatable: float
    cpu_used: float
    mem_used: float


@dataclass(frozen=True)
class AlertCount:
    """Alerts fired in one hour (its start, Unix seconds) for one object kind and severity."""

    hour: int
    kind: str
    severity: str
    count: int


_SUFFIXES = {
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}


def quantity(text: str) -> float:
    """A Kubernetes quantity ("7920m", "30486528Ki", "8", "123456789n") as a number of
    units; 0 for what is not one (as the Go master reads what it cannot parse)."""
    text = text.strip()
    for width in (2, 1):
        factor = _SUFFIXES.get(text[-width:]) if len(text) > width else None
        if factor is not None:
            text, scale = text[:-width], factor
            break
    else:
        scale = 1.0
    try:
        value = float(text) * scale
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def _percent(part: float, whole: float) -> float:
    return part / whole * 100 if whole > 0 else 0.0


def health(node_pct: float, pod_pct: float) -> HealthCard:
    """The Go master's health rules (model_v2/overview.go)."""
    if node_pct >= 90 and pod_pct >= 80:
        status = "Healthy"
    elif node_pct >= 70 and pod_pct >= 60:
        status = "Degraded"
    else:
        status = "Unhealthy"
    if node_pct < 70:
        reason = "too few nodes ready"
    elif pod_pct < 60:
        reason = "too few pods running"
    elif node_pct < 90:
        reason = "some nodes not ready"
    elif pod_pct < 80:
        reason = "some pods not running"
    else:
        reason = ""
    return HealthCard(status, node_pct, pod_pct, reason)


def pod_status(phases: list[str]) -> PodStatus:
    counts = {p: phases.count(p) for p in ("Running", "Pending", "Failed", "Succeeded")}
    total = len(phases)
    return PodStatus(
        total=total,
        running=counts["Running"],
        pending=counts["Pending"],
        failed=counts["Failed"],
        succeeded=counts["Succeeded"],
        unknown=total - sum(counts.values()),
        running_percent=_percent(counts["Running"], total),
        pending_percent=_percent(counts["Pending"], total),
        failed_percent=_percent(counts["Failed"], total),
        succeeded_percent=_percent(counts["Succeeded"], total),
    )


def node_usage(nodes: list[NodeFigures]) -> tuple[PercentCard, PercentCard, list[NodeUsage]]:
    """CPU and memory use over all allocatable, and each node that reports any use."""
    usage = [
        NodeUsage(
            n.name, _percent(n.cpu_used, n.cpu_allocatable), _percent(n.mem_used, n.mem_allocatable)
        )
        for n in nodes
        if n.cpu_used > 0 or n.mem_used > 0
    ]
    cpu = _percent(sum(n.cpu_used for n in nodes), sum(n.cpu_allocatable for n in nodes))
    mem = _percent(sum(n.mem_used for n in nodes), sum(n.mem_allocatable for n in nodes))
    return PercentCard(cpu), PercentCard(mem), usage


def peaks(usage: list[NodeUsage]) -> PeakStats:
    cpu = max(usage, key=lambda u: u.cpu_usage, default=None)
    mem = max(usage, key=lambda u: u.mem_usage, default=None)
    return PeakStats(
        peak_cpu=cpu.cpu_usage if cpu else 0.0,
        peak_cpu_node=cpu.node if cpu else "",
        peak_mem=mem.mem_usage if mem else 0.0,
        peak_mem_node=mem.node if mem else "",
        has_data=bool(usage),
    )


def trend_start(now: float) -> int:
    """The first hour of the trend: the current UTC hour is the last of TREND_HOURS."""
    return int(now // HOUR) * HOUR - (TREND_HOURS - 1) * HOUR


def alerts_part(start: int, counts: list[AlertCount], recent: list[Alert]) -> Alerts:
    """The trend (one point per hour from `start`, alerts per object kind), the totals by
    severity over it, and the most recent alerts."""
    trend = [TrendPoint(epoch_to_second(start + i * HOUR) or "", {}) for i in range(TREND_HOURS)]
    totals = dict.fromkeys(SEVERITIES, 0)
    for c in counts:
        slot = (c.hour - start) // HOUR
        if 0 <= slot < TREND_HOURS:
            kinds = trend[slot].kinds
            kind = c.kind or "Cluster"
            kinds[kind] = kinds.get(kind, 0) + c.count
            totals[c.severity if c.severity in totals else "info"] += c.count
    return Alerts(
        trend=trend,
        totals=AlertTotals(**totals),
        recent=[
            RecentAlert(
                timestamp=epoch_to_second(a.fired_at) or "",
                severity=a.severity,
                kind=a.object_kind,
                namespace=a.object_namespace,
                name=a.object_name,
                message=a.message or a.title,
                reason=a.reason,
            )
            for a in recent[:RECENT_ALERTS]
        ],
    )


def cluster_overview(
    cluster_id: str,
    summary: Summary,
    *,
    nodes: list[NodeFigures],
    pod_phases: list[str],
    workloads: WorkloadSummary,
    alerts: Alerts,
) -> ClusterOverview:
    node_pct = _percent(summary.ready_nodes, summary.total_nodes)
    pod_pct = _percent(summary.running_pods, summary.total_pods)
    cpu, mem, usage = node_usage(nodes)
    return ClusterOverview(
        cluster_id=cluster_id,
        cards=Cards(
            cluster_health=health(node_pct, pod_pct),
            node_ready=NodeReadyCard(summary.total_nodes, summary.ready_nodes, node_pct),
            cpu_usage=cpu,
            mem_usage=mem,
            events_24h=sum(getattr(alerts.totals, s) for s in SEVERITIES),
        ),
        workloads=Workloads(workloads, pod_status(pod_phases), peaks(usage)),
        alerts=alerts,
        nodes=Nodes(usage),
    )

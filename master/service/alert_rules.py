"""The alert rules: plain functions from one cluster's state to the conditions that hold.

No I/O and no clock of their own, so they are tested on plain data. A
condition's key is (cluster, kind, namespace, name, reason): the dedup key.

Severity says who should be woken: `critical` for what needs a person now (a
node not Ready, an agent offline, a deployment with no ready replica, a
workload whose pods were OOM-killed more than once), `warning` for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from ..model.agent import OFFLINE, AgentStatus
from ..model.alert import Key, Severity
from ..model.event import CRITICAL_REASONS, Event, event_time
from ..model.gotime import format_time, parse_go_time
from ..model.snapshot import ClusterSnapshot, PodDoc, node_ready

Rule = Literal["workload_events", "node_not_ready", "agent_offline", "deployment_unavailable"]
EVENTS: Rule = "workload_events"
NODE: Rule = "node_not_ready"
AGENT: Rule = "agent_offline"
DEPLOYMENT: Rule = "deployment_unavailable"
# What the history may hold: today's rules, and `critical_event`, one alert per object and
# reason before alerts were grouped by workload.
RULES = (EVENTS, NODE, AGENT, DEPLOYMENT, "critical_event")
# Counts are SQLite INTEGERs; Kubernetes counts can be anything up to this already.
MAX_COUNT = 2**63 - 1
# Warning events that alert. NodeNotReady is left to the node's own Ready condition
# (the node controller also sends it for every pod of the node).
ALERT_REASONS = CRITICAL_REASONS - {"NodeNotReady"}
# An event holds while it was last seen at most this long before the snapshot was taken:
# the agent resends an hour of events, and a crash loop that ended is no longer news.
# Above kubelet's 5-minute cap on restart back-off, so a crash loop stays one alert.
FRESH = timedelta(minutes=10)
NAMED_PODS = 3  # pods a grouped alert names; the rest are counted


@dataclass(frozen=True, slots=True)
class Condition:
    """Something wrong now: what the alert will say."""

    rule: Rule
    severity: Severity
    cluster_id: str
    kind: str
    namespace: str
    name: str
    reason: str
    title: str
    message: str
    count: int = 1

    @property
    def key(self) -> Key:
        return (self.cluster_id, self.kind, self.namespace, self.name, self.reason)


def _title(reason: str, kind: str, namespace: str, name: str, cluster_id: str) -> str:
    where = f"{namespace}/{name}" if namespace else name
    return f"{reason}: {kind} {where} on {cluster_id}"


@dataclass(slots=True)
class _Group:
    """The fresh events of one workload (or object) and reason."""

    count: int = 0
    latest: Event | None = None
    pods: dict[str, int] = field(default_factory=dict)  # pod name -> its events' count

    def add(self, event: Event, pod: str | None) -> None:
        n = max(event.count, 1)
        self.count = min(self.count + n, MAX_COUNT)
        if pod is not None:
            self.pods[pod] = min(self.pods.get(pod, 0) + n, MAX_COUNT)
        if self.latest is None or event_time(event) >= event_time(self.latest):
            self.latest = event

    def message(self) -> str:
        latest = self.latest.message if self.latest is not None else ""
        if not self.pods:
            return latest
        ranked = sorted(self.pods.items(), key=lambda p: (-p[1], p[0]))
        named = ", ".join(f"{n} (x{c})" if c > 1 else n for n, c in ranked[:NAMED_PODS])
        more = f" and {len(ranked) - NAMED_PODS} more" if len(ranked) > NAMED_PODS else ""
        plural = "s" if len(ranked) > 1 else ""
        return f"{len(ranked)} pod{plural}: {named}{more}; latest: {latest}"


class _Owners:
    """Which workload a pod belongs to, from the snapshot: a pod names its owner, and a
    ReplicaSet names its Deployment."""

    def __init__(self, snapshot: ClusterSnapshot, pods: set[tuple[str, str]]) -> None:
        self.pods: dict[tuple[str, str], PodDoc] = {}
        for doc in snapshot.index.pods or ():
            where = (doc.summary.namespace, doc.summary.name)
            if where in pods:
                self.pods[where] = doc
        replicasets = {
            (d.summary.namespace, d.summary.ownerName)
            for d in self.pods.values()
            if d.summary.ownerKind == "ReplicaSet"
        }
        self.replicasets: dict[tuple[str, str], tuple[str, str]] = {}
        for rs in snapshot.index.replicasets or ():
            if (rs.namespace, rs.name) in replicasets and rs.owner_kind and rs.owner_name:
                self.replicasets[(rs.namespace, rs.name)] = (rs.owner_kind, rs.owner_name)

    def workload(self, pod: PodDoc) -> tuple[str, str]:
        """(kind, name) of what the pod belongs to; the pod itself when it has no owner."""
        s = pod.summary
        if not s.ownerKind or not s.ownerName:
            return "Pod", s.name
        if s.ownerKind == "ReplicaSet":
            return self.replicasets.get((s.namespace, s.ownerName), ("ReplicaSet", s.ownerName))
        return s.ownerKind, s.ownerName


def _fresh(snapshot: ClusterSnapshot) -> list[Event]:
    """The cluster's alerting Warning events seen within FRESH of the snapshot's time."""
    taken = parse_go_time(snapshot.fetched_at)
    horizon = format_time(taken - FRESH) if taken is not None else None
    found = []
    for event in snapshot.events:
        if event.type != "Warning" or event.reason not in ALERT_REASONS:
            continue
        seen = event_time(event)
        # Without any time (events.k8s.io events arrive so) it cannot be judged stale.
        if horizon is None or not seen or seen >= horizon:
            found.append(event)
    return found


def _events(snapshot: ClusterSnapshot) -> dict[Key, Condition]:
    # Snapshots carry hundreds of events and this runs on the event loop: one pass
    # to group them, and one Condition per group, not per event.
    cid = snapshot.cluster_id
    events = _fresh(snapshot)
    if not events:
        return {}
    pods = {
        (e.involved_object.namespace, e.involved_object.name)
        for e in events
        if e.involved_object.kind == "Pod"
    }
    owners = _Owners(snapshot, pods)
    groups: dict[Key, _Group] = {}
    for event in events:
        obj = event.involved_object
        pod_name: str | None = None
        kind, name = obj.kind, obj.name
        if obj.kind == "Pod":
            pod = owners.pods.get((obj.namespace, obj.name))
            if pod is None:
                continue  # the pod is gone, and its trouble with it
            if event.reason == "FailedScheduling" and pod.status.phase != "Pending":
                continue  # scheduled since
            kind, name = owners.workload(pod)
            pod_name = obj.name if kind != "Pod" else None
        key = (cid, kind, obj.namespace, name, event.reason)
        groups.setdefault(key, _Group()).add(event, pod_name)
    found: dict[Key, Condition] = {}
    for key, group in groups.items():
        _, kind, namespace, name, reason = key
        repeated_oom = reason == "OOMKilled" and group.count > 1
        found[key] = Condition(
            rule=EVENTS,
            severity="critical" if repeated_oom else "warning",
            cluster_id=cid,
            kind=kind,
            namespace=namespace,
            name=name,
            reason=reason,
            title=_title(reason, kind, namespace, name, cid),
            message=group.message(),
            count=group.count,
        )
    return found


def _nodes(snapshot: ClusterSnapshot) -> dict[Key, Condition]:
    found: dict[Key, Condition] = {}
    for doc in snapshot.index.nodes or ():
        ready = node_ready(doc)
        if ready == "True" or not doc.summary.name:
            continue
        cond = Condition(
            rule=NODE,
            severity="critical",
            cluster_id=snapshot.cluster_id,
            kind="Node",
            namespace="",
            name=doc.summary.name,
            reason="NodeNotReady",
            title=f"Node {doc.summary.name} on {snapshot.cluster_id} is not ready",
            message=f"node {doc.summary.name} reports Ready={ready or 'Unknown'}",
        )
        found[cond.key] = cond
    return found


def lagging_deployments(snapshot: ClusterSnapshot) -> dict[Key, tuple[int, int]]:
    """Deployments below their desired ready replicas: key -> (ready, desired)."""
    found: dict[Key, tuple[int, int]] = {}
    for doc in snapshot.index.deployments or ():
        s = doc.summary
        if s.replicas > 0 and s.ready < s.replicas:
            key = (snapshot.cluster_id, "Deployment", s.namespace, s.name, "ReplicasUnavailable")
            found[key] = (s.ready, s.replicas)
        # a scale to zero is a decision, not an outage
    return found


def evaluate(
    cluster_id: str,
    agent: AgentStatus,
    snapshot: ClusterSnapshot | None,
    *,
    now: float,
    lagging_since: dict[Key, float],
    grace: float,
    offline_counts: bool,
) -> dict[Key, Condition]:
    """Every condition that holds for the cluster now.

    `lagging_since` maps the cluster's deployments below their desired replicas to when
    that was first seen; it is updated here (new ones added, recovered ones removed), and a
    deployment alerts once it has lagged for `grace`. `offline_counts` is False
    while the master itself has only just started (restored clusters are offline
    until their agents report, which is no outage).
    """
    found: dict[Key, Condition] = {}
    if snapshot is not None:
        found.update(_events(snapshot))
        found.update(_nodes(snapshot))
        lagging = lagging_deployments(snapshot)
        for key in [k for k in lagging_since if k not in lagging]:
            del lagging_since[key]
        for key, (ready, desired) in lagging.items():
            since = lagging_since.setdefault(key, now)
            if now - since >= grace:
                _, kind, namespace, name, reason = key
                found[key] = Condition(
                    rule=DEPLOYMENT,
                    severity="critical" if ready == 0 else "warning",
                    cluster_id=cluster_id,
                    kind=kind,
                    namespace=namespace,
                    name=name,
                    reason=reason,
                    title=f"Deployment {namespace}/{name} on {cluster_id} below desired replicas",
                    message=f"{ready} of {desired} replicas ready",
                )
    if agent.status == OFFLINE and offline_counts:
        cond = Condition(
            rule=AGENT,
            severity="critical",
            cluster_id=cluster_id,
            kind="Cluster",
            namespace="",
            name=cluster_id,
            reason="AgentOffline",
            title=f"Agent of {cluster_id} is offline",
            message="no heartbeat or snapshot from the cluster's agent",
        )
        found[cond.key] = cond
    return found

"""The alert rules: plain functions from one cluster's state to the conditions that hold.

No I/O and no clock of their own, so they are tested on plain data. A
condition's key is (cluster, kind, namespace, name, reason): the dedup key.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.agent import OFFLINE, AgentStatus
from ..model.alert import Key, Severity
from ..model.event import CRITICAL_REASONS, Event
from ..model.snapshot import ClusterSnapshot, node_ready

EVENT = "critical_event"
NODE = "node_not_ready"
AGENT = "agent_offline"
DEPLOYMENT = "deployment_unavailable"
RULES = (EVENT, NODE, AGENT, DEPLOYMENT)
# Counts are SQLite INTEGERs; Kubernetes counts can be anything up to this already.
MAX_COUNT = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Condition:
    """Something wrong now: what the alert will say."""

    rule: str
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


def _events(snapshot: ClusterSnapshot) -> dict[Key, Condition]:
    # Snapshots carry hundreds of events and this runs on the event loop: add up
    # counts per key first, and build one Condition per key, not per event.
    cid = snapshot.cluster_id
    counts: dict[Key, int] = {}
    latest: dict[Key, Event] = {}
    for event in snapshot.events:
        if event.type != "Warning" or event.reason not in CRITICAL_REASONS:
            continue
        obj = event.involved_object
        key = (cid, obj.kind, obj.namespace, obj.name, event.reason)
        # several events of one object and reason add up
        counts[key] = min(counts.get(key, 0) + max(event.count, 1), MAX_COUNT)
        latest[key] = event
    found: dict[Key, Condition] = {}
    for key, event in latest.items():
        _, kind, namespace, name, reason = key
        where = f"{namespace}/{name}" if namespace else name
        found[key] = Condition(
            rule=EVENT,
            severity="critical",
            cluster_id=cid,
            kind=kind,
            namespace=namespace,
            name=name,
            reason=reason,
            title=f"{reason}: {kind} {where} on {cid}",
            message=event.message,
            count=counts[key],
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
                    severity="warning",
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

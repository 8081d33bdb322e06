"""Events: realtime from the hub's window, history from SQLite, and a resource's events."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ..database.events import query_events
from ..model.event import Event, event_time
from .base import Reads


@dataclass
class EventFilter:
    """Timestamps are already normalised UTC text (`format_time`), comparable as strings."""

    cluster_id: str | None = None
    type: str | None = None
    reason: str | None = None
    namespace: str | None = None
    since: str | None = None
    until: str | None = None

    def matches(self, event: Event) -> bool:
        when = event_time(event)
        return (
            (not self.type or event.type == self.type)
            and (not self.reason or event.reason == self.reason)
            and (not self.namespace or event.namespace == self.namespace)
            and (not self.since or (when != "" and when >= self.since))
            and (not self.until or (when != "" and when <= self.until))
        )


def _replicaset_of(name: str, deployment: str) -> bool:
    """ReplicaSets of a Deployment are named `<deployment>-<pod-template-hash>`."""
    prefix = deployment + "-"
    return name.startswith(prefix) and "-" not in name[len(prefix) :]


class EventReads(Reads):
    async def realtime_events(self, flt: EventFilter, *, limit: int, offset: int) -> dict[str, Any]:
        if flt.cluster_id:
            await self.require_cluster(flt.cluster_id)
            clusters = [flt.cluster_id]
        else:
            clusters = [a.cluster_id for a in await self.hub.agents()]
        found = [
            (cid, e) for cid in clusters for e in await self.hub.event_window(cid) if flt.matches(e)
        ]
        found.sort(key=lambda ce: event_time(ce[1]), reverse=True)
        page = [e.to_json(cid) for cid, e in found[offset : offset + limit]]
        return {"events": page, "total": len(found), "source": "realtime"}

    async def history_events(self, flt: EventFilter, *, limit: int, offset: int) -> dict[str, Any]:
        if flt.cluster_id:
            await self.require_cluster(flt.cluster_id)
        rows, total = await self.db.read(
            partial(
                query_events,
                cluster_id=flt.cluster_id,
                type=flt.type,
                reason=flt.reason,
                namespace=flt.namespace,
                since=flt.since,
                until=flt.until,
                limit=limit,
                offset=offset,
            )
        )
        return {"events": rows, "total": total, "source": "history"}

    async def related_objects(
        self, cluster_id: str, kind: str, namespace: str, name: str
    ) -> list[tuple[str, str, str]]:
        """The object itself plus, for workloads, the ReplicaSets and Pods it owns, and for a
        Node the Pods on it (an event names its object, never the host it happened on)."""
        objects = [(kind, namespace, name)]
        snap = await self.hub.snapshot(cluster_id)
        if snap is None:
            return objects
        pods = snap.items("pods")
        if kind == "Deployment":
            replicasets = {
                rs.name
                for rs in snap.items("replicasets")
                if rs.namespace == namespace and _replicaset_of(rs.name, name)
            } | {
                p.owner_name
                for p in pods
                if p.namespace == namespace
                and p.owner_kind == "ReplicaSet"
                and _replicaset_of(p.owner_name, name)
            }
            objects += [("ReplicaSet", namespace, rs) for rs in sorted(replicasets)]
            objects += [
                ("Pod", namespace, p.name)
                for p in pods
                if p.namespace == namespace
                and p.owner_kind == "ReplicaSet"
                and p.owner_name in replicasets
            ]
        elif kind == "Node":
            objects += [("Pod", p.namespace, p.name) for p in pods if p.node == name]
        elif kind in ("StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
            objects += [
                ("Pod", namespace, p.name)
                for p in pods
                if p.namespace == namespace and p.owner_kind == kind and p.owner_name == name
            ]
        return objects

    async def resource_events(
        self, cluster_id: str, kind: str, namespace: str, name: str, *, limit: int, offset: int
    ) -> dict[str, Any]:
        await self.require_cluster(cluster_id)
        objects = await self.related_objects(cluster_id, kind, namespace, name)
        rows, total = await self.db.read(
            partial(
                query_events,
                cluster_id=cluster_id,
                objects=objects,
                limit=limit,
                offset=offset,
            )
        )
        return {
            "events": rows,
            "total": total,
            "source": "history",
            "objects": [{"kind": k, "namespace": ns, "name": n} for k, ns, n in objects],
        }

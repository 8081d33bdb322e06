"""Clusters, one cluster, and the overview across clusters."""

from __future__ import annotations

from typing import Any

from ..model.agent import ONLINE
from ..model.errors import NotFound
from ..model.summary import Summary
from ..model.views import cluster_view
from .base import Reads


class ClusterReads(Reads):
    async def _summary(self, cluster_id: str) -> Summary | None:
        snap = await self.hub.snapshot(cluster_id)
        return snap.summary if snap else None

    async def clusters(self) -> dict[str, Any]:
        views = [
            cluster_view(a, await self._summary(a.cluster_id))
            for a in sorted(await self.hub.agents(), key=lambda a: a.cluster_id)
        ]
        return {"clusters": views, "total": len(views)}

    async def cluster_ids(self) -> list[str]:
        return sorted(a.cluster_id for a in await self.hub.agents())

    async def cluster(self, cluster_id: str) -> dict[str, Any]:
        await self.require_cluster(cluster_id)
        agent = await self.hub.agent(cluster_id)
        assert agent is not None
        snap = await self.hub.snapshot(cluster_id)
        view = cluster_view(agent, snap.summary if snap else None)
        view["summary"] = snap.summary if snap else None
        view["fetched_at"] = snap.fetched_at if snap else None
        view["snapshot_bytes"] = snap.size_bytes if snap else 0
        view["extra_kinds"] = snap.extra_kinds() if snap else []
        otel = snap.otel() if snap else None
        view["otel_bytes"] = len(otel) if otel is not None else 0
        view["queued_commands"] = await self.hub.queued(cluster_id)
        return view

    async def otel(self, cluster_id: str) -> bytes:
        """The `otel` subtree of the cluster's latest snapshot, as the later agent sent it."""
        found = (await self.latest(cluster_id)).otel()
        if found is None:
            raise NotFound(
                f"cluster {cluster_id!r} sent no otel data (the later agent sends it "
                "when it has ClickHouse)"
            )
        return bytes(found)

    async def overview(self) -> dict[str, Any]:
        totals = Summary()
        per_cluster = []
        agents = sorted(await self.hub.agents(), key=lambda a: a.cluster_id)
        for agent in agents:
            summary = await self._summary(agent.cluster_id) or Summary()
            totals = totals.add(summary)
            per_cluster.append(
                {"cluster_id": agent.cluster_id, "status": agent.status, "summary": summary}
            )
        return {
            "totals": totals,
            "clusters": per_cluster,
            "total_clusters": len(agents),
            "online_clusters": sum(1 for a in agents if a.status == ONLINE),
        }

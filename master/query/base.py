"""What the read mixins need from `Query`."""

from __future__ import annotations

from collections.abc import Callable

from ..database import Database
from ..datahub import DataHub
from ..model.errors import NotFound
from ..model.snapshot import ClusterSnapshot


class Reads:
    hub: DataHub
    db: Database
    clock: Callable[[], float]  # wall time, Unix seconds

    async def require_cluster(self, cluster_id: str) -> None:
        """Raise NotFound for a cluster this master has never heard of."""
        if not await self.hub.known(cluster_id):
            raise NotFound(f"cluster {cluster_id!r} is not known to this master")

    async def latest(self, cluster_id: str) -> ClusterSnapshot:
        """The cluster's latest snapshot; NotFound when unknown or none arrived yet."""
        await self.require_cluster(cluster_id)
        snap = await self.hub.snapshot(cluster_id)
        if snap is None:
            raise NotFound(f"cluster {cluster_id!r} has not sent a snapshot yet")
        return snap

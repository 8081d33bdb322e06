"""`Query`: the one object the gateway reads through (hub for live state, SQLite for history)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..database import Database
from ..datahub import DataHub
from .clusters import ClusterReads
from .commands import CommandReads
from .events import EventReads
from .overview import OverviewReads
from .resources import ResourceReads
from .stream import StreamReads


class Query(ClusterReads, OverviewReads, ResourceReads, EventReads, CommandReads, StreamReads):
    """Reads over the hub and the database; never writes."""

    def __init__(
        self, hub: DataHub, db: Database, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.hub = hub
        self.db = db
        self.clock = clock

    async def health(self) -> dict[str, Any]:
        """Alive; `degraded` while storage faults refuse writes (the log says which)."""
        agents = await self.hub.agents()
        failing = self.db.fault is not None
        return {
            "status": "degraded" if failing else "ok",
            "database": "writes failing" if failing else "ok",
            "clusters": len(agents),
            "online": sum(1 for a in agents if a.status == "online"),
        }

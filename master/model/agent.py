"""An agent's (cluster's) liveness as the hub tracks it."""

from __future__ import annotations

import msgspec

ONLINE = "online"
OFFLINE = "offline"


class AgentStatus(msgspec.Struct, kw_only=True):
    """Times are Unix seconds; None when never seen."""

    cluster_id: str
    status: str = OFFLINE
    first_seen: float
    last_heartbeat: float | None = None
    last_snapshot: float | None = None

    @property
    def last_seen(self) -> float | None:
        seen = [t for t in (self.last_heartbeat, self.last_snapshot) if t is not None]
        return max(seen) if seen else None

"""An agent's (cluster's) liveness as the hub tracks it."""

from __future__ import annotations

import re
from typing import Final, Literal

import msgspec

from .errors import BadRequest

# Printable ASCII without spaces: headers arrive as latin-1, so anything else would
# register a garbled cluster id.
_CLUSTER_ID = re.compile(r"[\x21-\x7e]{1,253}")

AgentState = Literal["online", "offline"]
ONLINE: Final = "online"
OFFLINE: Final = "offline"


class AgentStatus(msgspec.Struct, kw_only=True):
    """Times are Unix seconds; None when never seen."""

    cluster_id: str
    status: AgentState = OFFLINE
    first_seen: float
    last_heartbeat: float | None = None
    last_snapshot: float | None = None

    @property
    def last_seen(self) -> float | None:
        seen = [t for t in (self.last_heartbeat, self.last_snapshot) if t is not None]
        return max(seen) if seen else None


def check_cluster_id(cluster_id: str) -> str:
    """The id itself; BadRequest unless it is 1-253 printable ASCII characters without spaces."""
    if not _CLUSTER_ID.fullmatch(cluster_id):
        raise BadRequest("cluster id must be 1-253 printable ASCII characters without spaces")
    return cluster_id

"""An agent's (cluster's) liveness as the hub tracks it."""

from __future__ import annotations

import re
from typing import Final, Literal

import msgspec

from .errors import BadRequest

# A DNS label (RFC 1123, as Kubernetes names namespaces): lower-case letters, digits and
# '-', 1-63 long, no '-' at either end. The Go agent's default id, the kube-system
# namespace's UID, is one; nothing in it can be markup in a chat message or a new line
# in a mail, and headers (latin-1) cannot garble it.
_CLUSTER_ID = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")

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
    """The id itself; BadRequest unless it is a DNS label."""
    if not _CLUSTER_ID.fullmatch(cluster_id):
        raise BadRequest(
            "cluster id must be a DNS label: 1-63 lower-case letters, digits and '-', "
            "starting and ending with a letter or digit (set AGENT_CLUSTER_ID on the agent)"
        )
    return cluster_id

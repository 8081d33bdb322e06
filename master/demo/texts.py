"""The text `get_logs` returns: a pod's log, as its app would write it.

Logs draw from an RNG seeded by the pod and time, not the cluster's, so
reading logs never changes how the cluster evolves.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from .catalog import log_line
from .entities import Pod
from .state import ClusterState


def logs(state: ClusterState, pod: Pod, tail: int, now: datetime) -> str:
    """The last `tail` lines of the pod's log, ending at `now`; a crash loop ends in its error."""
    rng = random.Random(f"{pod.uid}/{now.timestamp():.0f}")
    flavour = pod.workload.app.logs if pod.workload is not None else "klog"
    at, lines = now.astimezone(UTC), []
    for _ in range(tail):
        at -= timedelta(seconds=rng.uniform(0.05, 4))
        lines.append(log_line(flavour, at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", rng))
    lines.reverse()
    if pod.uid in state.crashes:
        failure = (
            "panic: runtime error: invalid memory address or nil pointer dereference"
            if pod.doc["containers"][0].get("lastTerminationReason") == "Error"
            else "fatal error: runtime: out of memory"
        )
        lines[-1] = failure
    return "\n".join(lines) + "\n"

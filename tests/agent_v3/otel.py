"""The later agent's `otel` subtree, every key of it, at any size.

The agent sends it only with ClickHouse configured (`otel_collector.go`):
dashboards of node metrics, APM, SLOs and logs, and time series of 60 points
per node and service. Its values are filled from the layout itself (each
field gets a plausible value of its Go type, each list `sizes` items), so
every one of its 353 key paths is present; then the cases Go writes its own
way are set: nil lists that are `null` (not omitempty), the `int64` that
exceeds 2**53 (`filefdMax`), `recentLogs` never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..gojson import BOOL, F64, STRING, TIME, GoType, Map, Ptr, Scalar, Slice, Struct
from . import layout

# Lists (by Go field name) whose length is one of the sizes; the others have 2 items.
_PER_NODE = frozenset({"MetricsNodes", "NodeMetricsSeries"})
_PER_SERVICE = frozenset(
    {
        "APMServices",
        "SLOIngress",
        "SLOServices",
        "APMOperations",
        "SLOTimeSeries",
        "APMTimeSeries",
        "Current",
        "Previous",
        "MeshServices",
        "Nodes",
    }
)


@dataclass(frozen=True)
class OTelSize:
    """How much the subtree holds: nodes, services, points per series, recent traces."""

    nodes: int = 3
    services: int = 4
    points: int = 3
    traces: int = 5


# About what the agent sends every 10 s for 10 nodes and 30 services (1 MB of JSON).
BIG = OTelSize(nodes=10, services=30, points=60, traces=500)


class _Filler:
    def __init__(self, size: OTelSize, tz: str) -> None:
        self.size = size
        self.tz = tz
        self.n = 0

    def count(self, go: str) -> int:
        if go in _PER_NODE:
            return self.size.nodes
        if go in _PER_SERVICE:
            return self.size.services
        if go in ("Points", "History"):
            return self.size.points
        if go == "RecentTraces":
            return self.size.traces
        return 2

    def scalar(self, t: Scalar, go: str) -> Any:
        self.n += 1
        n = self.n
        if t == STRING:
            return f"{go.lower()}-{n % 97}"
        if t == BOOL:
            return n % 3 == 0
        if t == F64:
            return (n * 37 % 10_000) / 100 + 0.25
        if t == TIME:  # as Go prints it: nanoseconds without trailing zeros
            minute, second = divmod(n, 60)
            fraction = f"{n:09d}".rstrip("0")
            return f"2026-04-20T10:{minute % 60:02d}:{second:02d}.{fraction}{self.tz}"
        return n * 13  # int, int32, int64

    def value(self, t: GoType, go: str) -> Any:
        if isinstance(t, Struct):
            return {f.go: self.value(f.type, f.go) for f in t.fields}
        if isinstance(t, Ptr):
            return self.value(t.elem, go)
        if isinstance(t, Slice):
            return [self.value(t.elem, go) for _ in range(self.count(go))]
        if isinstance(t, Map):
            keys = ("1d", "7d", "30d") if go == "SLOWindows" else ("ERROR", "INFO")
            return {k: self.value(t.elem, go) for k in keys}
        assert isinstance(t, Scalar)
        return self.scalar(t, go)


def otel(tz: str = "+09:00", size: OTelSize = OTelSize()) -> dict[str, Any]:
    """The subtree's values (Go field names), every key present, in the agent's offset."""
    values: dict[str, Any] = _Filler(size, tz).value(layout.OTEL, "OTel")
    values["RecentLogs"] = None  # in the model, never filled by the collector
    first = values["MetricsNodes"][0]
    first["System"]["FilefdMax"] = 2**63 - 1  # Linux's: past what a float64 holds exactly
    first["Temperature"]["Sensors"] = None  # a node without sensors: nil, not omitempty
    first["Kernel"] = ""  # omitempty both ways
    values["SLOWindows"]["30d"]["Current"] = None
    values["LogsSummary"]["TopServices"] = None
    return values

"""An alert as the engine keeps it and the history stores it, with its severity scale."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["info", "warning", "critical"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "critical")
AlertStatus = Literal["firing", "resolved"]
ALERT_STATUSES: tuple[AlertStatus, ...] = ("firing", "resolved")
# The dedup key: (cluster, object kind, namespace, name, reason).
Key = tuple[str, str, str, str, str]


def severity_rank(severity: str) -> int:
    """0 info, 1 warning, 2 critical (unknown counts as info)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


@dataclass(slots=True)
class Alert:
    """One alert from firing to resolved; one row of `alert_history`.

    Mutable on purpose: the engine updates the same record while the condition
    holds, and the shell stores it (`id` is None until first stored) and records
    which channels it was queued for (`notified`).
    """

    rule: str
    cluster_id: str
    severity: Severity
    title: str
    message: str
    object_kind: str
    object_namespace: str
    object_name: str
    reason: str
    fired_at: float
    status: AlertStatus = "firing"
    resolved_at: float | None = None
    count: int = 1
    notified: tuple[str, ...] = ()
    id: int | None = None

    @property
    def key(self) -> Key:
        return (
            self.cluster_id,
            self.object_kind,
            self.object_namespace,
            self.object_name,
            self.reason,
        )

    def add_channels(self, channels: list[str]) -> None:
        """Remember more channels it was queued for (each once, first-come order)."""
        self.notified += tuple(c for c in channels if c not in self.notified)

"""A cluster's summary: counts the master computes from the resources it received."""

from __future__ import annotations

import msgspec


class Summary(msgspec.Struct, kw_only=True):
    total_nodes: int = 0
    ready_nodes: int = 0
    total_pods: int = 0
    running_pods: int = 0
    pending_pods: int = 0
    failed_pods: int = 0
    total_deployments: int = 0
    healthy_deployments: int = 0
    total_statefulsets: int = 0
    total_daemonsets: int = 0
    total_services: int = 0
    total_ingresses: int = 0
    total_namespaces: int = 0
    total_events: int = 0
    warning_events: int = 0

    def add(self, other: Summary) -> Summary:
        """Field-wise sum, for totals across clusters."""
        return Summary(**{f: getattr(self, f) + getattr(other, f) for f in self.__struct_fields__})

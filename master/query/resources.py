"""Resource lists and single resources, filtered on the typed index, served as raw bytes."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.errors import BadRequest, NotFound
from ..model.snapshot import Item
from .base import Reads

# Kinds the gateway lists, and whether their items live in a namespace.
LISTED_KINDS = {
    "pods": True,
    "nodes": False,
    "deployments": True,
    "statefulsets": True,
    "daemonsets": True,
    "replicasets": True,
    "services": True,
    "ingresses": True,
    "namespaces": False,
    "configmaps": True,
    "jobs": True,
    "cronjobs": True,
    "pvs": False,
    "pvcs": True,
}


@dataclass
class ResourceFilter:
    namespace: str = ""
    name_contains: str = ""
    labels: list[tuple[str, str | None]] = field(default_factory=list)
    phase: str = ""
    node: str = ""
    ready: bool | None = None

    def matches(self, item: Item) -> bool:
        if self.namespace and item.namespace != self.namespace:
            return False
        if self.name_contains and self.name_contains.lower() not in item.name.lower():
            return False
        if self.phase and item.phase != self.phase:
            return False
        if self.node and item.node != self.node:
            return False
        if self.ready is not None and (item.ready == "True") != self.ready:
            return False
        for key, value in self.labels:
            if key not in item.labels or (value is not None and item.labels[key] != value):
                return False
        return True


@dataclass
class ResourcePage:
    cluster_id: str
    kind: str
    total: int
    items: list[Item]


def parse_label(selector: str) -> tuple[str, str | None]:
    """`k=v` (equal) or `k` (present)."""
    key, eq, value = selector.partition("=")
    if not key:
        raise BadRequest(f"label filter {selector!r}: expected key=value or key")
    return key, (value if eq else None)


class ResourceReads(Reads):
    async def resources(
        self, cluster_id: str, kind: str, flt: ResourceFilter, *, limit: int, offset: int
    ) -> ResourcePage:
        if kind not in LISTED_KINDS:
            raise NotFound(f"unknown resource kind {kind!r}")
        items = [i for i in (await self.latest(cluster_id)).items(kind) if flt.matches(i)]
        return ResourcePage(cluster_id, kind, len(items), items[offset : offset + limit])

    async def resource(self, cluster_id: str, kind: str, namespace: str, name: str) -> Item:
        if kind not in LISTED_KINDS:
            raise NotFound(f"unknown resource kind {kind!r}")
        for item in (await self.latest(cluster_id)).items(kind):
            if item.name == name and item.namespace == namespace:
                return item
        where = f"{namespace}/{name}" if namespace else name
        raise NotFound(f"{kind} {where} not found in cluster {cluster_id!r}")

"""Resource lists and single resources, filtered on the typed index, served as raw bytes."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from ..model.errors import BadRequest, NotFound
from ..model.snapshot import Item
from .base import Reads

# Kinds the gateway lists (every kind the agent sends), and whether their items live in
# a namespace. The path is the snapshot's key in lower case.
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
    "secrets": True,
    "resourcequotas": True,
    "limitranges": True,
    "networkpolicies": True,
    "serviceaccounts": True,
    "jobs": True,
    "cronjobs": True,
    "pvs": False,
    "pvcs": True,
}
SNAPSHOT_KEYS = {
    "resourcequotas": "resourceQuotas",
    "limitranges": "limitRanges",
    "networkpolicies": "networkPolicies",
    "serviceaccounts": "serviceAccounts",
}
# All a Secret may show: the agent's fields (names, type, data_keys), never values.
SECRET_FIELDS = frozenset(
    {
        "uid",
        "name",
        "namespace",
        "kind",
        "node_name",
        "owner_kind",
        "owner_name",
        "labels",
        "created_at",
        "type",
        "data_keys",
    }
)
_fields = msgspec.json.Decoder(dict[str, msgspec.Raw])


def secret_view(item: Item) -> Item:
    """The Secret with only the agent's own fields: an agent that sent values (a
    modified or compromised one) does not get them shown. The bytes stay as sent."""
    fields = _fields.decode(item.raw)
    if fields.keys() <= SECRET_FIELDS:
        return item
    kept = b",".join(
        msgspec.json.encode(k) + b":" + bytes(v) for k, v in fields.items() if k in SECRET_FIELDS
    )
    return msgspec.structs.replace(item, raw=msgspec.Raw(b"{" + kept + b"}"))


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
    async def _items(self, cluster_id: str, kind: str) -> list[Item]:
        if kind not in LISTED_KINDS:
            raise NotFound(f"unknown resource kind {kind!r}")
        return (await self.latest(cluster_id)).items(SNAPSHOT_KEYS.get(kind, kind))

    async def resources(
        self, cluster_id: str, kind: str, flt: ResourceFilter, *, limit: int, offset: int
    ) -> ResourcePage:
        items = [i for i in await self._items(cluster_id, kind) if flt.matches(i)]
        page = items[offset : offset + limit]
        if kind == "secrets":
            page = [secret_view(i) for i in page]
        return ResourcePage(cluster_id, kind, len(items), page)

    async def resource(self, cluster_id: str, kind: str, namespace: str, name: str) -> Item:
        for item in await self._items(cluster_id, kind):
            if item.name == name and item.namespace == namespace:
                return secret_view(item) if kind == "secrets" else item
        where = f"{namespace}/{name}" if namespace else name
        raise NotFound(f"{kind} {where} not found in cluster {cluster_id!r}")
